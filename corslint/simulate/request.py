"""The request a page makes, as the browser sends it, and whether the Fetch standard makes it preflight first."""

from __future__ import annotations

from corslint.records import record

SAFELISTED_METHODS = frozenset({"GET", "HEAD", "POST"})
SAFELISTED_HEADERS = frozenset({"accept", "accept-language", "content-language", "content-type", "range"})
SAFELISTED_CONTENT_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data", "text/plain"})


@record(frozen=True)
class SimRequest:
    """`headers` are the names (and values when given, `Content-Type: application/json`) the script sets."""

    origin: str
    method: str = "GET"
    headers: tuple[tuple[str, str], ...] = ()
    credentials: bool = False
    path: str = "/"
    host: str = ""
    # the page calls a private-network address: Chrome's Private Network Access preflight (before Chrome 142, which
    # asks the user instead: Local Network Access) carried `Access-Control-Request-Private-Network: true`
    private_network: bool = False
    # the URL the browser was first sent to, when a redirect brought it here
    redirected_from: str = ""

    @property
    def url(self) -> str:
        return f"https://{self.host or 'the-api'}{self.path}"


def parse_header(text: str) -> tuple[str, str]:
    """`X-Trace` or `Content-Type: application/json` as (name, value)."""
    name, _, value = text.partition(":")
    return name.strip(), value.strip()


def unsafe_headers(request: SimRequest) -> list[str]:
    """The header names, lower-cased, that are not CORS-safelisted (Fetch: CORS-unsafe request-header names)."""
    found: list[str] = []
    for name, value in request.headers:
        low = name.lower()
        if low not in SAFELISTED_HEADERS or (low == "content-type" and not _safelisted_type(value)):
            if low not in found:
                found.append(low)
    return sorted(found)


def _safelisted_type(value: str) -> bool:
    essence = value.split(";", 1)[0].strip().lower()
    return not value or essence in SAFELISTED_CONTENT_TYPES


def preflight_reasons(request: SimRequest) -> list[str]:
    """Why the browser sends an OPTIONS preflight first; [] when it sends the request directly."""
    reasons = []
    if request.method.upper() not in SAFELISTED_METHODS:
        reasons.append(f"the method {request.method} is not GET, HEAD or POST")
    if request.private_network:
        reasons.append("the page calls a private-network address (Private Network Access; Chrome 142 and later ask the "
                       "user's permission instead of sending this preflight)")
    unsafe = unsafe_headers(request)
    if unsafe:
        reasons.append(f"the request sets {', '.join(unsafe)}, which {'is' if len(unsafe) == 1 else 'are'} not CORS-safelisted")
    return reasons
