"""Origin strings as configured: splitting lists, parsing one origin, and what is wrong with it."""

from __future__ import annotations

from typing import Optional

from corslint.lazy_regex import lazy
from corslint.origins.hosts import parse_ip
from corslint.records import record

DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}
SEVERAL = "contains several origins"
NO_SCHEME = "has no scheme"
WILDCARD = "uses a literal `*` wildcard"
UPPER = "has upper-case letters"
PATH = "has a path"
SLASH = "has a trailing slash"
QUERY = "has a query or fragment"
USERINFO = "has user information"
NO_HOST = "has no host"
BAD_HOST = "has an invalid host"
BAD_PORT = "has an invalid port"
EMPTY = "is empty"

_SEPARATORS = lazy(r"[\s,]+")
_HOST_CHARS = lazy(r"[A-Za-z0-9._~%!$&'()+;=-]+")


@record(frozen=True)
class ParsedOrigin:
    """A configured origin value split into parts, with every reason it can never equal a browser Origin."""

    text: str
    scheme: str
    host: str
    port: Optional[int]
    problems: tuple[str, ...]


def split_origin_list(text: str) -> list[str]:
    """Items of a comma- or space-separated list of origins."""
    return [item for item in _SEPARATORS.split(text.strip()) if item]


def parse_origin(text: str) -> ParsedOrigin:
    """Parse a configured origin; never raises. `null` and `*` come back without problems."""
    stripped = text.strip()
    if stripped in ("null", "*"):
        return ParsedOrigin(text, "", stripped, None, ())
    items = split_origin_list(stripped)
    if not items:
        return ParsedOrigin(text, "", "", None, (EMPTY,))
    if len(items) > 1:
        first = _parse_single(items[0])
        return ParsedOrigin(text, first.scheme, first.host, first.port, (SEVERAL,))
    single = _parse_single(items[0])
    return ParsedOrigin(text, single.scheme, single.host, single.port, single.problems)


def _parse_single(text: str) -> ParsedOrigin:
    problems: list[str] = []
    scheme, sep, rest = text.partition("://")
    if not sep:
        scheme, rest = "", text
        problems.append(NO_SCHEME)
    authority, tail = _split_authority(rest)
    if "@" in authority:
        problems.append(USERINFO)
        authority = authority.rpartition("@")[2]
    host, port_text = _split_host_port(authority)
    port, port_problems = _port(port_text, scheme.lower())
    problems += port_problems
    problems += _host_problems(host)
    if scheme != scheme.lower() or host != host.lower():
        problems.append(UPPER)
    problems += _tail_problems(tail)
    order = (SEVERAL, NO_SCHEME, WILDCARD, UPPER, NO_HOST, BAD_HOST, USERINFO, BAD_PORT)
    ranked = sorted(dict.fromkeys(problems), key=lambda p: order.index(p) if p in order else len(order))
    return ParsedOrigin(text, scheme, host, port, tuple(ranked))


def _split_authority(rest: str) -> tuple[str, str]:
    cut = min((i for i in (rest.find("/"), rest.find("?"), rest.find("#")) if i >= 0), default=len(rest))
    return rest[:cut], rest[cut:]


def _split_host_port(authority: str) -> tuple[str, Optional[str]]:
    if authority.startswith("["):
        end = authority.find("]")
        if end < 0:
            return authority, None
        host, after = authority[: end + 1], authority[end + 1 :]
        return host, after[1:] if after.startswith(":") else (after or None)
    host, sep, port = authority.rpartition(":")
    if not sep:
        return authority, None
    return host, port


def _port(text: Optional[str], scheme: str) -> tuple[Optional[int], list[str]]:
    if text is None:
        return None, []
    if not text.isdigit() or not text.isascii() or len(text) > 5 or int(text) > 65535:
        return None, [BAD_PORT]
    port = int(text)
    if DEFAULT_PORTS.get(scheme) == port:
        return port, [f"spells out the default port :{port}"]
    return port, []


def _host_problems(host: str) -> list[str]:
    if not host:
        return [NO_HOST]
    if "*" in host:
        return [WILDCARD]
    if host.startswith("["):
        return [] if parse_ip(host) is not None else [BAD_HOST]
    if not _HOST_CHARS.fullmatch(host) or ".." in host or host.startswith("."):
        return [BAD_HOST]
    return []


def _tail_problems(tail: str) -> list[str]:
    path, _, _ = tail.partition("?")
    path = path.partition("#")[0]
    found = []
    if path == "/":
        found.append(SLASH)
    elif path:
        found.append(PATH)
    if "?" in tail or "#" in tail:
        found.append(QUERY)
    return found
