"""CORS501: the CORS middleware is configured but cannot run, or runs after something that answers first."""

from __future__ import annotations

from typing import Iterator

from corslint.checks._http_helpers import APPLICATION_SOURCES, library_name
from corslint.checks._wiring import facts
from corslint.model import MIDDLEWARE_ORDER, NOT_INSTALLED
from corslint.findings import Finding, Severity
from corslint.model import CorsPolicy
from corslint.rule import Rule, RuleContext


class CorsMiddlewareNotEffective(Rule):
    code = "CORS501"
    name = "cors-middleware-not-effective"
    summary = "The CORS middleware is configured but cannot run, or runs too late to add headers to every response."
    severity = Severity.ERROR
    security_severity = 3.0
    tags = ("correctness",)
    sources = APPLICATION_SOURCES | {"nginx", "ingress-nginx"}

    def check(self, policy: CorsPolicy, ctx: RuleContext) -> Iterator[Finding]:
        for path in ctx.paths_of(policy):
            if path.proxy is policy:
                from corslint.checks._layers import hidden_by_proxy

                yield from hidden_by_proxy(self, path)
        library = library_name(policy.source)
        for fact in facts(policy, NOT_INSTALLED):
            if fact.replacement:  # settings written where the library never reads them: a warning, the rest may be elsewhere
                yield self.finding(
                    policy, fact.prov, f"{library} never reads these CORS settings: {fact.detail}. {fact.replacement}.",
                    severity=Severity.WARNING, hint=fact.replacement[0].lower() + fact.replacement[1:],
                )
                continue
            yield self.finding(
                policy,
                fact.prov,
                f"{library} is configured, but {fact.subject} is missing: "
                f"{fact.detail or 'the CORS settings never take effect'}. Register it.",
                hint=f"add {fact.subject}",
            )
        for fact in facts(policy, MIDDLEWARE_ORDER):
            yield self.finding(
                policy,
                fact.prov,
                f"{library} runs too late: {fact.detail}. Responses produced before it (redirects, early errors, "
                "routes registered earlier) go out without CORS headers, and the browser reports a CORS error. "
                "Register the CORS middleware before them.",
                hint="move the CORS middleware before the middleware and routes it must cover",
            )
