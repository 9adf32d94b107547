"""CORS107: localhost, loopback or private-network origins trusted outside a development configuration."""

from __future__ import annotations

from typing import Iterator, Optional

from corslint import origins
from corslint.checks._origin_helpers import (
    problems,
    shown,
    report_each_origin,
    accepts,
    exact_origins,
    host_of,
    mode_phrase,
    narrow_pattern,
    origin_list,
    provenance,
)
from corslint.findings import Confidence, Finding, Severity
from corslint.model import CorsPolicy, OriginKind, OriginRule
from corslint.rule import Rule, RuleContext

PROBES = (
    "http://localhost",
    "http://localhost:3000",
    "http://localhost:8080",
    "https://localhost",
    "http://127.0.0.1",
    "http://127.0.0.1:8080",
    "http://192.168.0.1",
    "http://10.0.0.1",
)
WHY = (
    "any page served from that machine or network (another local development server, a router's admin page, "
    "malware on a developer's laptop) can call this API"
)


class DevelopmentOrigin(Rule):
    code = "CORS107"
    name = "development-origin"
    summary = "A localhost, loopback or private-network origin is trusted in a configuration not marked as development."
    severity = Severity.INFO
    confidence = Confidence.MEDIUM
    security_severity = 3.1
    tags = ("security",)

    def check(self, policy: CorsPolicy, ctx: RuleContext) -> Iterator[Finding]:
        if policy.development:
            return

        def describe(rule: OriginRule) -> Optional[str]:
            if rule.development:
                return None  # written under a development guard (`if DEBUG:`, `NODE_ENV !== 'production'`)
            if rule.kind is OriginKind.EXACT and problems(rule, origins.parse_origin(rule.value)):
                return None  # a value no browser origin equals trusts nothing (CORS108 says so)
            subject = _subject(rule, policy)
            return f"{subject} in a configuration not marked as development: {WHY}" if subject else None

        yield from report_each_origin(
            self,
            policy,
            describe,
            advice="Keep development origins in a development-only configuration.",
            hint="Move development origins to a development-only configuration (e.g. a `dev/` or `*.dev.conf` file).",
        )


def _subject(rule: OriginRule, policy: CorsPolicy) -> Optional[str]:
    if rule.kind is OriginKind.EXACT:
        local = [p.text for p in exact_origins(rule) if _is_development_host(p)]
        if local:
            return f"The development origin {origin_list(local)} is trusted by {provenance(rule, policy)}"
        return None
    found = narrow_pattern(rule)
    if found is None or not found.accepts_local:
        return None
    example = next((probe for probe in PROBES if accepts(rule, probe)), None)
    such_as = f", such as `{example}`" if example else ""
    return (
        f"The origin pattern `{shown(rule.value)}` from {provenance(rule, policy)} accepts localhost, loopback or "
        f"private-network origins{such_as} ({mode_phrase(rule, policy.source)})"
    )


def _is_development_host(parsed: origins.ParsedOrigin) -> bool:
    host = host_of(parsed)
    return bool(host) and (origins.is_local_host(host) or origins.is_private_host(host))
