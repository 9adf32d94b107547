"""Fixed answers and redirects: which of a scope's fixed answers ends a request, the URL a redirect sends the browser
to, and the request the browser makes next (Fetch "HTTP-redirect fetch": method change, tainted origin)."""

from __future__ import annotations

import re
from typing import Optional
from urllib.parse import urlsplit

from corslint.model import CorsPolicy, FixedAnswer
from corslint.records import record, replace
from corslint.simulate.request import SimRequest

MAX_HOPS = 5  # the browser allows 20; a chain longer than this in one configuration is a loop in all but name
_MAX_PATTERN = 500
_GROUP = re.compile(r"\$(\d)")
_NGINX_VARIABLE = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?")
_APACHE_VARIABLE = re.compile(r"%\{([A-Za-z_:]+)\}")
# headers Fetch removes when a redirect changes the method to GET ("request-body-header names")
_BODY_HEADERS = frozenset({"content-encoding", "content-language", "content-location", "content-type"})


@record(frozen=True)
class Hop:
    """Where a redirect sends the browser: the URL, the request it makes there (None: a server corslint does not
    see, or a target it cannot work out), and why the next request differs from the first."""

    url: str
    request: Optional[SimRequest]
    unknown: str = ""
    changes: tuple[str, ...] = ()


def fixed_answer(policy: CorsPolicy, path: str) -> Optional[FixedAnswer]:
    """The first of the scope's fixed answers that covers `path`."""
    for answer in policy.answers:
        if _groups(answer, path) is not None:
            return answer
    return None


def _groups(answer: FixedAnswer, path: str) -> Optional[tuple[str, ...]]:
    """The regex groups when `answer` covers `path` (none for a prefix or the whole scope), None when it does not."""
    tested = path.lstrip("/") if answer.relative else path
    if answer.match == "prefix":
        prefix = answer.pattern  # mod_alias: a whole-segment prefix
        if tested.startswith(prefix) and (prefix.endswith("/") or tested == prefix or tested[len(prefix)] == "/"):
            return ()
        return None
    if answer.match == "regex":
        if len(answer.pattern) > _MAX_PATTERN:
            return None
        try:
            found = re.search(answer.pattern, tested)
        except (re.error, RecursionError, OverflowError):
            return None
        return tuple(group or "" for group in found.groups()) if found is not None else None
    return ()


def next_hop(policy: CorsPolicy, answer: FixedAnswer, request: SimRequest) -> Hop:
    """The browser's next request after `answer` redirected `request`."""
    url, unknown = _target(policy, answer, request)
    if url is None:
        return Hop(answer.target, None, unknown)
    parts = urlsplit(url)
    here = urlsplit(request.url)
    changes: list[str] = []
    method, headers = request.method, request.headers
    if (answer.status in (301, 302) and method.upper() == "POST") or (answer.status == 303 and method.upper() not in ("GET", "HEAD")):
        method = "GET"
        headers = tuple(h for h in headers if h[0].lower() not in _BODY_HEADERS)
        changes.append(f"a {answer.status} turns {request.method} into GET")
    if (parts.scheme, parts.netloc) != (here.scheme, here.netloc):
        # Fetch: a redirect to another origin taints the request's origin, which is then serialized as `null`
        return Hop(url, None, f"what {parts.scheme}://{parts.netloc} answers (a server corslint does not see here); "
                              "the browser sends it `Origin: null`", tuple(changes))
    path = parts.path or "/"
    following = replace(request, method=method, headers=headers, path=path, redirected_from=request.redirected_from or request.url)
    return Hop(url, following, "", tuple(changes))


def _target(policy: CorsPolicy, answer: FixedAnswer, request: SimRequest) -> tuple[Optional[str], str]:
    """The absolute URL of the redirect target for this request; None and why when it cannot be told."""
    written = answer.target
    groups = _groups(answer, request.path) or ()
    text = written
    if answer.match == "prefix":
        text = written + request.path[len(answer.pattern):]  # mod_alias appends what follows the prefix
    elif groups:
        text = _GROUP.sub(lambda m: groups[int(m.group(1)) - 1] if 0 < int(m.group(1)) <= len(groups) else m.group(0), text)
    text = _substitute(policy.source, text, request)
    if text is None or re.search(r"\$\d|%\d", text):
        return None, f"where `{written}` sends the browser (it is computed from the request)"
    if text.startswith("/"):
        return f"https://{request.host or 'the-api'}{text}", ""
    if re.match(r"^https?://", text, re.IGNORECASE):
        return text, ""
    return None, f"where `{written}` sends the browser (a relative target resolved against the directory)"


def _substitute(source: str, text: str, request: SimRequest) -> Optional[str]:
    """The server's request variables in a target replaced by this request's values; None for any other variable."""
    host = request.host or "the-api"
    known = {"request_uri": request.path, "uri": request.path, "document_uri": request.path, "host": host,
             "http_host": host, "server_name": host, "scheme": "https",
             "HTTP_HOST": host, "REQUEST_URI": request.path, "SERVER_NAME": host, "REQUEST_SCHEME": "https"}
    pattern = _NGINX_VARIABLE if source == "nginx" else _APACHE_VARIABLE
    unknown = False

    def value(match: re.Match) -> str:
        nonlocal unknown
        name = match.group(1)
        if name not in known:
            unknown = True
        return known.get(name, "")

    replaced = pattern.sub(value, text)
    return None if unknown else replaced
