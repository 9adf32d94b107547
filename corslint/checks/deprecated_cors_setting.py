"""CORS502: a setting or option name the CORS library has renamed or removed."""

from __future__ import annotations

from typing import Iterator

from corslint.checks._http_helpers import APPLICATION_SOURCES, library_name
from corslint.checks._wiring import facts
from corslint.model import DEPRECATED_OPTION
from corslint.findings import Finding, Severity
from corslint.model import CorsPolicy
from corslint.rule import Rule, RuleContext


class DeprecatedCorsSetting(Rule):
    code = "CORS502"
    name = "deprecated-cors-setting"
    summary = "A CORS setting uses a name the library has renamed or removed."
    severity = Severity.INFO
    tags = ("maintainability",)
    sources = APPLICATION_SOURCES | {"istio", "traefik"}

    def check(self, policy: CorsPolicy, ctx: RuleContext) -> Iterator[Finding]:
        library = library_name(policy.source, policy.scope)
        for fact in facts(policy, DEPRECATED_OPTION):
            renamed = f" Use `{fact.replacement}` instead." if fact.replacement else ""
            detail = f" {fact.detail.rstrip('.')}." if fact.detail else ""
            yield self.finding(
                policy,
                fact.prov,
                f"`{fact.subject}` is an old {library} name.{detail}{renamed}",
                hint=f"rename to `{fact.replacement}`" if fact.replacement else "remove the setting",
            )
