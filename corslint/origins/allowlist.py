"""Allowlists (CORS901): whether an origin, or some origin a pattern accepts, lies outside a project's list."""

from __future__ import annotations

import re

from typing import Iterable, Optional, Sequence, Union

from corslint.lazy_regex import lazy
from corslint.model import MatchMode
from corslint.origins.analysis import Tester, analyze_pattern, spelled_origins
from corslint.origins.matcher import Compiled, as_mode, compile_pattern
from corslint.origins.memo import MISSING, OUTSIDE, SMALL_WEIGHT
from corslint.origins.report import ANALYSIS_STEPS, Exhausted, PatternReport, Refused
from corslint.origins.strings import DEFAULT_PORTS, parse_origin


def _normalized(origin: str) -> tuple[str, str, Optional[int]]:
    parsed = parse_origin(origin)
    scheme = parsed.scheme.lower()
    port = None if parsed.port == DEFAULT_PORTS.get(scheme) else parsed.port
    return scheme, parsed.host.lower().rstrip("."), port


def in_allowlist(origin: str, allowlist: Sequence[str]) -> bool:
    """Whether `origin` is one of the entries: exact origins, `*`, or `scheme://*.domain` (any subdomain)."""
    value = origin.strip()
    if value == "null":
        return any(entry.strip() == "null" for entry in allowlist)
    scheme, host, port = _normalized(value)
    for entry in allowlist:
        text = entry.strip()
        if text == "*":
            return True
        want_scheme, want_host, want_port = _normalized(text)
        if (want_scheme, want_port) != (scheme, port) or not host:
            continue
        if want_host == host or (want_host.startswith("*.") and host.endswith(want_host[1:])):
            return True
    return False


def pattern_outside_allowlist(
    pattern: str, *, dialect: str, mode: Union[MatchMode, str], ignore_case: bool, allowlist: Sequence[str]
) -> Optional[str]:
    """An origin the pattern accepts that lies outside `allowlist`, or None (also when undecidable). Cached."""
    key = (pattern, dialect, as_mode(mode), bool(ignore_case))
    entries = tuple(allowlist)
    found = OUTSIDE.lookup((*key, entries))
    if found is MISSING:
        found = _outside_uncached(key, entries)
        OUTSIDE.store((*key, entries), found, SMALL_WEIGHT + len(pattern) + sum(map(len, entries)) + len(found or ""))
    return found


_BROWSER_ORIGIN = lazy(r"^https?://[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]{1,5})?$|^null$", re.IGNORECASE)


def _browser_sends(candidate: str) -> bool:
    """An origin a browser can send (`apphttps://x` is a string a pattern accepts, not an origin)."""
    return _BROWSER_ORIGIN.match(candidate) is not None


def _outside_uncached(key: tuple[str, str, MatchMode, bool], allowlist: tuple[str, ...]) -> Optional[str]:
    pattern, dialect, mode, ignore_case = key
    found = analyze_pattern(pattern, dialect=dialect, mode=mode, ignore_case=ignore_case)
    if not found.ok:
        return None
    compiled = compile_pattern(*key)
    if isinstance(compiled, Refused):
        return None
    accepts = Tester(compiled, ANALYSIS_STEPS)
    try:
        for candidate in _allowlist_candidates(found, compiled, accepts):
            if _browser_sends(candidate) and accepts(candidate) and not in_allowlist(candidate, allowlist):
                return candidate
    except Exhausted:
        return None
    return None


def _allowlist_candidates(found: PatternReport, compiled: Compiled, accepts: Tester) -> Iterable[str]:
    scheme = (found.intended or "https://").split("://", 1)[0]
    if found.intended:
        yield found.intended
    for domain in (found.subdomain_wildcard, found.shared_host):
        if domain:
            yield f"{scheme}://attacker.{domain}"
    yield from (b.origin for b in found.bypasses)
    yield from (o.text for o in spelled_origins(compiled, accepts)[0])
    if found.accepts_null:
        yield "null"
