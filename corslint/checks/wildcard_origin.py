"""CORS103: `Access-Control-Allow-Origin: *` without credentials on a scope not declared public."""

from __future__ import annotations

from typing import Iterator

from corslint.checks._origin_helpers import (
    active_rules,
    assumption,
    confidence_for,
    credentials,
    is_public,
    provenance,
)
from corslint.findings import Confidence, Finding, Severity
from corslint.model import CorsPolicy, OriginKind
from corslint.rule import Rule, RuleContext


class WildcardOrigin(Rule):
    code = "CORS103"
    name = "wildcard-origin"
    summary = "`Access-Control-Allow-Origin: *` lets every website read the responses, which suits only public, read-only resources."
    severity = Severity.WARNING
    confidence = Confidence.MEDIUM
    security_severity = 5.3
    tags = ("security",)

    def check(self, policy: CorsPolicy, ctx: RuleContext) -> Iterator[Finding]:
        creds = credentials(policy)
        if creds.on or policy.static_assets or is_public(policy, ctx):
            return
        for rule in active_rules(policy):
            if rule.kind is not OriginKind.ANY:
                continue
            message = (
                f"`Access-Control-Allow-Origin: *` from {provenance(rule, policy)} lets every website read these "
                f"responses ({creds.phrase}).{assumption(rule)} That suits public, read-only data such as "
                "fonts or open datasets; for anything internal or user-specific, list the trusted origins instead."
            )
            yield self.finding(
                policy,
                rule.prov,
                message,
                confidence=confidence_for(rule, policy, default=self.confidence),
                hint="List the trusted origins, or declare this path public with the `public-paths` option.",
            )
