"""Reads a pasted browser console message (Chromium's "… has been blocked by CORS policy: …") into the request it
describes: the URL, the origin, and what the reason gives away (the method, a header, credentials, a preflight)."""

from __future__ import annotations

from typing import Optional
from urllib.parse import urlsplit

from corslint.lazy_regex import lazy
from corslint.records import record

_LEAD = lazy(r"Access to (?:fetch|XMLHttpRequest|font|script|image) at '([^']+)' from origin '([^']+)' has been blocked by CORS policy: (.*)", )
_METHOD = lazy(r"Method (\S+) is not allowed by Access-Control-Allow-Methods")
_HEADER = lazy(r"Request header field (\S+) is not allowed by Access-Control-Allow-Headers")
_MAX_TEXT = 4000


@record(frozen=True)
class Console:
    url: str
    origin: str
    reason: str
    method: str = ""
    header: str = ""
    credentials: bool = False
    preflight: bool = False
    private_network: bool = False

    @property
    def host(self) -> str:
        return (urlsplit(self.url).hostname or "").lower()

    @property
    def path(self) -> str:
        return urlsplit(self.url).path or "/"


def parse_console(text: str) -> Optional[Console]:
    """The request a console message describes; None when it is not a CORS block message."""
    match = _LEAD.search(" ".join(text[:_MAX_TEXT].split()))
    if match is None:
        return None
    url, origin, reason = match.groups()
    method = _METHOD.search(reason)
    header = _HEADER.search(reason)
    return Console(
        url, origin, reason.strip(),
        method.group(1) if method else "",
        header.group(1) if header else "",
        "credentials mode is 'include'" in reason,
        "preflight" in reason,
        "Access-Control-Allow-Private-Network" in reason or "private network" in reason,
    )
