"""CORS109: a trusted origin or pattern on a shared hosting domain where anyone can publish a page."""

from __future__ import annotations

from typing import Iterator, Optional

from corslint import origins
from corslint.checks._origin_helpers import (
    shown,
    report_each_origin,
    accepts,
    exact_origins,
    host_of,
    mode_phrase,
    narrow_pattern,
    provenance,
)
from corslint.findings import Confidence, Finding, Severity
from corslint.model import CorsPolicy, OriginKind, OriginRule
from corslint.rule import Rule, RuleContext

ATTACKER_LABEL = "attacker"


class SharedHostOrigin(Rule):
    code = "CORS109"
    name = "shared-host-origin"
    summary = (
        "A trusted origin pattern covers a shared hosting domain where anyone can publish a page, or one exact "
        "origin lies on such a domain."
    )
    severity = Severity.WARNING
    confidence = Confidence.HIGH
    security_severity = 6.5
    tags = ("security",)

    def check(self, policy: CorsPolicy, ctx: RuleContext) -> Iterator[Finding]:
        yield from report_each_origin(
            self,
            policy,
            lambda rule: _subject(rule, policy),
            advice="",
            hint="Serve the calling frontend from a domain you control and trust that origin only.",
            severity=lambda rule: Severity.INFO if rule.kind is OriginKind.EXACT else None,
        )


def _subject(rule: OriginRule, policy: CorsPolicy) -> Optional[str]:
    if rule.kind is OriginKind.EXACT:
        for parsed in exact_origins(rule):
            suffix = origins.shared_host_suffix(host_of(parsed)) if parsed.host else None
            if suffix:
                return (
                    f"The origin `{parsed.text}` from {provenance(rule, policy)} is one site on `{suffix}`, a shared "
                    "hosting domain: only its owner can publish there today, but if the site is ever deleted its name "
                    "can be registered by someone else, who then holds a trusted origin. Keep the site, or move the "
                    "frontend to a domain you control"
                )
        return None
    found = narrow_pattern(rule)
    if found is None or not found.shared_host:
        return None
    example = f"https://{ATTACKER_LABEL}.{found.shared_host}"
    such_as = f", such as `{example}`" if accepts(rule, example) else ""
    return (
        f"The origin pattern `{shown(rule.value)}` from {provenance(rule, policy)} accepts sites on `{found.shared_host}`"
        f"{such_as} ({mode_phrase(rule, policy.source)}): anyone can publish a page there and call this API"
    )
