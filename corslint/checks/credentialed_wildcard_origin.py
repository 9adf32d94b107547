"""CORS101: `Access-Control-Allow-Origin: *` together with credentials, which browsers refuse."""

from __future__ import annotations

from typing import Iterator

from corslint.checks._origin_helpers import (
    active_rules,
    assumption,
    confidence_for,
    credentials,
    credentials_clause,
    provenance,
)
from corslint.findings import Confidence, Finding, Severity
from corslint.model import CorsPolicy, OriginKind
from corslint.rule import Rule, RuleContext


HINT = "Echo only allowlisted origins (e.g. an nginx `map` of exact origins) or remove Access-Control-Allow-Credentials."


class CredentialedWildcardOrigin(Rule):
    code = "CORS101"
    name = "credentialed-wildcard-origin"
    summary = "`Access-Control-Allow-Origin: *` is sent together with `Access-Control-Allow-Credentials: true`, a combination browsers reject."
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    security_severity = 5.3
    tags = ("security", "correctness")

    def check(self, policy: CorsPolicy, ctx: RuleContext) -> Iterator[Finding]:
        creds = credentials(policy)
        if not creds.on:
            return
        for rule in active_rules(policy):
            if rule.kind is not OriginKind.ANY:
                continue
            message = (
                f"`Access-Control-Allow-Origin: *` from {provenance(rule, policy)} is sent while "
                f"{credentials_clause(policy)}: browsers refuse `*` on credentialed requests, so every "
                f"request made with cookies or HTTP authentication fails.{assumption(rule)} Send one origin from an "
                "explicit allowlist instead (not the unvalidated request Origin, which is CORS102), or drop credentials "
                "if the API does not need them."
            )
            yield self.finding(
                policy,
                rule.prov,
                message,
                confidence=confidence_for(rule, default=self.confidence),
                hint=HINT,
                related=creds.related,
            )
