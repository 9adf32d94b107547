"""A test plugin: one rule (ACME101) and one output format (acme-count)."""

from __future__ import annotations

from corslint.findings import Severity
from corslint.model import OriginKind
from corslint.rule import Rule


class AcmeTooManyOrigins(Rule):
    code = "ACME101"
    name = "acme-too-many-origins"
    summary = "More than two exact origins are trusted in one scope."
    severity = Severity.WARNING

    def check(self, policy, ctx):
        exact = [rule for rule in policy.origins if rule.kind is OriginKind.EXACT]
        if len(exact) > 2:
            yield self.finding(policy, exact[2].prov, f"{len(exact)} exact origins are trusted; ACME policy allows two")


def render_count(findings, run) -> str:
    return f"acme: {len(findings)} findings"
