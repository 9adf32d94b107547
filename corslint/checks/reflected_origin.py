"""CORS102: the request's Origin is echoed back unvalidated (or through a pattern that accepts every origin)."""

from __future__ import annotations

from typing import Iterator, Optional

from corslint.checks._origin_helpers import (
    shown,
    accepts_any,
    active_rules,
    assumption,
    confidence_for,
    credentials,
    exposure,
    mode_phrase,
    provenance,
    report,
    with_security_severity,
)
from corslint.findings import Confidence, Finding, Severity
from corslint.model import CorsPolicy, OriginKind, OriginRule
from corslint.rule import Rule, RuleContext

ATTACKER_ORIGIN = "https://attacker.test"
SECURITY_SEVERITY_WITHOUT_CREDENTIALS = 5.3
HINT = "Echo only origins from an explicit allowlist (nginx: a `map $http_origin` whose default is empty)."


class ReflectedOrigin(Rule):
    code = "CORS102"
    name = "reflected-origin"
    summary = "Any request origin is trusted because it is echoed back into `Access-Control-Allow-Origin` without validation."
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    security_severity = 8.1
    tags = ("security",)

    def check(self, policy: CorsPolicy, ctx: RuleContext) -> Iterator[Finding]:
        creds = credentials(policy)
        for rule in active_rules(policy):
            if not accepts_any(rule):
                continue
            finding = self.finding(
                policy,
                rule.prov,
                self._message(rule, policy),
                severity=Severity.ERROR if creds.on else Severity.WARNING,
                confidence=confidence_for(rule, policy, default=self.confidence),
                hint=HINT,
                related=creds.related,
            )
            yield finding if creds.on else with_security_severity(finding, SECURITY_SEVERITY_WITHOUT_CREDENTIALS)

    def _message(self, rule: OriginRule, policy: CorsPolicy) -> str:
        impact = exposure(policy, "any website")
        return (
            f"Any website can read these responses: {_mechanism(rule, policy)}. {impact}{assumption(rule)} "
            "Check the origin against an explicit allowlist and echo only allowlisted origins."
        )


def _mechanism(rule: OriginRule, policy: CorsPolicy) -> str:
    if rule.kind is OriginKind.REFLECT:
        return f"{provenance(rule, policy)} echoes the request's `Origin` header back without checking it"
    example = _any_origin_example(rule) or ATTACKER_ORIGIN
    return (
        f"the origin pattern `{shown(rule.value)}` from {provenance(rule, policy)} accepts every origin "
        f"({mode_phrase(rule, policy.source)}), for example `{example}`, and the matching origin is echoed back"
    )


def _any_origin_example(rule: OriginRule) -> Optional[str]:
    for bypass in report(rule).bypasses:
        if bypass.kind == "any-origin":
            return bypass.origin
    return None
