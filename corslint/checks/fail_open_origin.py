"""CORS111: origins come from an environment variable whose fallback, when unset, trusts every origin."""

from __future__ import annotations

from typing import Iterator

from corslint.checks._origin_helpers import (
    shown,
    accepts_any,
    assumption,
    confidence_for,
    credentials,
    credentials_sentence,
    env_name,
)
from corslint.checks._http_helpers import APPLICATION_SOURCES, LIBRARY_NAMES
from corslint.findings import Confidence, Finding, Severity
from corslint.model import CorsPolicy, OriginKind, OriginRule
from corslint.rule import Rule, RuleContext, where




class FailOpenOrigin(Rule):
    code = "CORS111"
    name = "fail-open-origin"
    summary = "The allowed origins come from the environment with a fallback that trusts every origin when the variable is unset."
    severity = Severity.WARNING
    confidence = Confidence.HIGH
    security_severity = 6.5
    tags = ("security",)
    sources = APPLICATION_SOURCES | {"ingress-nginx"}

    def check(self, policy: CorsPolicy, ctx: RuleContext) -> Iterator[Finding]:
        creds = credentials(policy)
        for rule in policy.origins:
            if rule.invalid_fallback:
                yield self._invalid_value(policy, rule, creds.related)
                continue
            if not rule.env_fallback or not (rule.kind is OriginKind.ANY or accepts_any(rule)):
                continue
            variable = env_name(rule.env_fallback)
            if rule.kind is OriginKind.ANY and not rule.allow_all and creds.on:
                # a literal `*` is never accepted on a credentialed response: the fallback opens only what needs no cookies
                notes = (
                    " Credentialed requests fail against `*` (browsers refuse it with credentials, CORS101), so only "
                    "what an anonymous request can see is open." + assumption(rule)
                )
            else:
                notes = credentials_sentence(policy, "any website") + assumption(rule)
            message = (
                f"The allowed origins come from {variable}; when it is unset, {where(rule.prov)} ({policy.source}) "
                f"falls back to {_fallback(rule)}, so a deployment that forgets the variable is open to every "
                f"website.{notes} Fail closed: with no variable, trust no origin (or stop at startup)."
            )
            yield self.finding(
                policy,
                rule.prov,
                message,
                confidence=confidence_for(rule, default=self.confidence),
                hint=f"Make the fallback for {variable} an empty list, or refuse to start without it.",
                related=creds.related,
            )


    def _invalid_value(self, policy: CorsPolicy, rule: OriginRule, related: tuple) -> Finding:
        library = LIBRARY_NAMES.get(policy.source, policy.source)
        if credentials(policy).on:
            outcome = (
                " With `Access-Control-Allow-Credentials: true` also sent, credentialed requests then fail (browsers "
                "refuse `*` with credentials) and every other request is open to any website."
            )
        else:
            outcome = " Every website can then read the responses of requests made without cookies."
        message = (
            f"{library} does not accept the origin value `{shown(rule.invalid_fallback)}` ({where(rule.prov)}): "
            f"{rule.note}: this scope sends `Access-Control-Allow-Origin: *` instead of what was meant.{outcome}"
            f"{assumption(rule)} Write the origins as a comma-separated list of `scheme://host[:port]` entries."
        )
        return self.finding(
            policy, rule.prov, message, confidence=confidence_for(rule, default=self.confidence),
            hint="list origins as `https://app.example.com, https://admin.example.com`", related=related,
        )


def _fallback(rule: OriginRule) -> str:
    if rule.kind is OriginKind.ANY:
        return "`*`"
    if rule.kind is OriginKind.REFLECT:
        return "echoing every request origin"
    return f"the pattern `{shown(rule.value)}`, which accepts every origin"
