"""CORS304: Access-Control-Expose-Headers exposes credentials or session material, or lists Set-Cookie."""

from __future__ import annotations

import re
from typing import Iterator, Optional

from corslint.checks._http_helpers import describe
from corslint.checks._origin_helpers import accepts_any, active_rules
from corslint.findings import Finding, Severity
from corslint.lazy_regex import lazy
from corslint.model import CorsPolicy, ListKind, OriginKind
from corslint.rule import ALL_SOURCES, Rule, RuleContext

_CREDENTIAL_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie"})
_SENSITIVE_RE = lazy(
    r"session|csrf|xsrf|secret|password|api[-_]?key|(?:auth|access|refresh|id|bearer|security|session)[-_]?token"
    r"|^(?:x-)?token$",
    re.I,
)
_NEVER_EXPOSED = frozenset({"set-cookie", "set-cookie2"})


class SensitiveExposedHeaders(Rule):
    code = "CORS304"
    name = "sensitive-exposed-headers"
    summary = (
        "Access-Control-Expose-Headers exposes credentials or session material (Authorization, token or "
        "session headers) to scripts, or lists Set-Cookie, which browsers never expose."
    )
    severity = Severity.WARNING
    security_severity = 5.3
    tags = ("security",)
    sources = ALL_SOURCES

    def check(self, policy: CorsPolicy, ctx: RuleContext) -> Iterator[Finding]:
        exposed = policy.expose_headers
        if exposed.kind not in (ListKind.EXPLICIT, ListKind.DEFAULT):
            return
        origin = describe(exposed.prov, policy.source)
        # to origins the configuration trusts, a readable token header is no more exposed than a response body
        untrusted = any(rule.kind is OriginKind.ANY or accepts_any(rule) for rule in active_rules(policy))
        seen: set[str] = set()
        for item in exposed.items:
            name = item.strip()
            if name.lower() in seen:
                continue
            seen.add(name.lower())
            message = _message(name, origin)
            if message and (untrusted or classify(name) == "never-exposed"):
                yield self.finding(
                    policy,
                    exposed.prov_of(item),
                    message,
                    hint=f"remove {name} from Access-Control-Expose-Headers",
                )


def classify(name: str) -> Optional[str]:
    """'never-exposed', 'credential' or None for one exposed header name."""
    low = name.lower()
    if low in _NEVER_EXPOSED:
        return "never-exposed"
    if low in _CREDENTIAL_HEADERS or _SENSITIVE_RE.search(low):
        return "credential"
    return None


def _message(name: str, origin: str) -> Optional[str]:
    kind = classify(name)
    if kind == "never-exposed":
        return (
            f"{name} is listed in Access-Control-Expose-Headers (from {origin}), but browsers never let scripts read "
            f"{name}, exposed or not; cookies reach scripts only through document.cookie on their own site. "
            "Remove it, and do not move the session into a readable header instead."
        )
    if kind == "credential":
        return (
            f"Access-Control-Expose-Headers (from {origin}) lets scripts of any website read {name}, which carries "
            "credentials or session material, because this scope allows every origin. Allow only the origins of "
            "your own clients, or keep tokens out of cross-origin readable headers (HttpOnly cookies)."
        )
    return None
