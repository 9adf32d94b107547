"""CORS103: `Access-Control-Allow-Origin: *` without credentials on a scope not declared public."""

from __future__ import annotations

from typing import Iterator

from corslint.checks._http_helpers import is_preflight_answer
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
        if creds.on or policy.development or _public_content(policy) or is_public(policy, ctx):
            return  # in a configuration marked as development, `*` without credentials is the usual local setup
        paths = [path for path in ctx.paths_of(policy) if path.proxy is policy]
        if paths and _echoed_behind(paths):
            return  # the application behind sends its own for every origin, so this `*` never goes out alone (CORS404)
        for rule in active_rules(policy):
            # flask-cors implements "every origin" by echoing it: without credentials that exposes what `*` does
            echoed = rule.allow_all and not creds.unknown
            if rule.static_assets or rule.development or rule.invalid_fallback or not (rule.kind is OriginKind.ANY or echoed):
                continue
            if echoed:
                what = f"Allowing every origin with {provenance(rule, policy)}"
                how = f": {rule.note}, which exposes them exactly as `*` would"
            else:
                what, how = f"`Access-Control-Allow-Origin: *` from {provenance(rule, policy)}", ""
            message = (
                f"{what} lets every website read these responses ({creds.phrase}){how}.{assumption(rule)} That suits "
                "public, read-only data such as fonts or open datasets; for anything internal or user-specific, list "
                "the trusted origins instead."
            )
            yield self.finding(
                policy,
                rule.prov,
                message,
                confidence=confidence_for(rule, policy, default=self.confidence),
                hint="List the trusted origins, or declare this path public with the `public-paths` option.",
            )


def _public_content(policy: CorsPolicy) -> bool:
    """Static assets, files nginx serves from disk, and preflight answers (no body a script could read)."""
    return policy.static_assets or policy.content == "static" or is_preflight_answer(policy)


def _echoed_behind(paths: list) -> bool:
    """The applications linked behind echo every origin themselves, so the proxy's `*` never goes out alone."""
    from corslint.checks._layers import doubled_for

    return all(doubled_for(path, "Access-Control-Allow-Origin") == "every" for path in paths)
