"""CORS505: a setting or option name the CORS library does not know, so it is silently ignored."""

from __future__ import annotations

from typing import Iterator

from corslint.checks._http_helpers import APPLICATION_SOURCES, PLATFORM_SOURCES, library_name
from corslint.checks._wiring import facts
from corslint.model import UNKNOWN_OPTION
from corslint.findings import Finding, Severity
from corslint.model import CorsPolicy
from corslint.rule import Rule, RuleContext


class UnknownCorsSetting(Rule):
    code = "CORS505"
    name = "unknown-cors-setting"
    summary = "A CORS setting or option name is unknown to the library, so it is silently ignored and the default applies."
    severity = Severity.WARNING
    security_severity = 4.0
    tags = ("correctness",)
    sources = APPLICATION_SOURCES | PLATFORM_SOURCES

    def check(self, policy: CorsPolicy, ctx: RuleContext) -> Iterator[Finding]:
        library = library_name(policy.source, policy.scope)
        for fact in facts(policy, UNKNOWN_OPTION):
            meant = f" Did you mean `{fact.replacement}`?" if fact.replacement else ""
            detail = f" {fact.detail.rstrip('.')}." if fact.detail else ""
            yield self.finding(
                policy,
                fact.prov,
                f"{library} does not know `{fact.subject}`, so it is ignored and the library default applies "
                f"instead.{detail}{meant}",
                hint=f"rename to `{fact.replacement}`" if fact.replacement else "remove or correct the option",
            )
