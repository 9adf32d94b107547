"""CORS102: the request's Origin is echoed back unvalidated (or through a pattern that accepts every origin)."""

from __future__ import annotations

from typing import Iterator, Optional

from corslint.checks._http_helpers import is_preflight_answer
from corslint.checks._origin_helpers import (
    credentials_clause,
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
        preflight_only = is_preflight_answer(policy)
        if preflight_only and not creds.on:
            return  # a preflight answer has no body, and without credentials it lets through nothing a server could not send
        for rule in active_rules(policy):
            if not accepts_any(rule) or (rule.allow_all and not creds.on and not creds.unknown):
                continue  # the last: the library's "every origin" without credentials, which CORS103 reports
            message = _preflight_message(rule, policy) if preflight_only else self._message(rule, policy)
            severity = Severity.ERROR if creds.on and not preflight_only else Severity.WARNING
            if rule.development:
                # written for development only (`CORS_ALLOW_ALL_ORIGINS = DEBUG`, under `if DEBUG:`): worth knowing
                message += f" This holds only while `{rule.development}` holds, a development setting: keep it off in production."
                severity = Severity.INFO
            finding = self.finding(
                policy,
                rule.prov,
                message,
                severity=severity,
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


def _preflight_message(rule: OriginRule, policy: CorsPolicy) -> str:
    return (
        f"Any website passes the preflight: in the answer to OPTIONS, {_mechanism(rule, policy)}, and "
        f"{credentials_clause(policy)}. So any site's credentialed PUT, DELETE or JSON requests are sent with the "
        "user's cookies (a cross-site request forgery that the preflight was meant to stop); their responses stay "
        f"unreadable unless the actual responses allow the origin too.{assumption(rule)} Echo only allowlisted "
        "origins in the preflight answer as well."
    )


def _mechanism(rule: OriginRule, policy: CorsPolicy) -> str:
    if rule.kind is OriginKind.REFLECT and rule.request_data == "parameter":
        return (
            f"{provenance(rule, policy)} copies `{shown(rule.value)}`, request data the calling page chooses, into "
            "Access-Control-Allow-Origin, so a page on any site sends its own origin there and is allowed"
        )
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
