"""CORS504: a dependency file pins a CORS library version with a published CORS vulnerability."""

from __future__ import annotations

from typing import Iterator

from corslint.checks._http_helpers import APPLICATION_SOURCES
from corslint.checks._wiring import facts
from corslint.model import VULNERABLE_VERSION
from corslint.findings import Finding, Severity
from corslint.model import CorsPolicy
from corslint.rule import Rule, RuleContext


class VulnerableCorsLibrary(Rule):
    code = "CORS504"
    name = "vulnerable-cors-library"
    summary = "A dependency file pins a CORS library version with a published CORS vulnerability."
    severity = Severity.WARNING
    security_severity = 6.5
    tags = ("security", "dependencies")
    sources = APPLICATION_SOURCES

    def check(self, policy: CorsPolicy, ctx: RuleContext) -> Iterator[Finding]:
        for fact in facts(policy, VULNERABLE_VERSION):
            upgrade = f" Upgrade to {fact.replacement} or later." if fact.replacement else ""
            yield self.finding(
                policy,
                fact.prov,
                f"`{fact.subject}` has published CORS vulnerabilities: {fact.detail}.{upgrade}",
                hint=f"require {fact.replacement} or later" if fact.replacement else "upgrade the library",
            )
