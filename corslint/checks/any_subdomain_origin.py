"""CORS110: every subdomain of a domain is trusted, so one compromised subdomain opens the API."""

from __future__ import annotations

from typing import Iterator, Optional

from corslint.checks._origin_helpers import (
    shown,
    assumption,
    confidence_for,
    credentials,
    credentials_sentence,
    is_pattern,
    mode_phrase,
    narrow_pattern,
    pattern_mode,
    provenance,
)
from corslint.findings import Confidence, Finding, Severity
from corslint.model import CorsPolicy, MatchMode, OriginRule
from corslint.rule import Rule, RuleContext


class AnySubdomainOrigin(Rule):
    code = "CORS110"
    name = "any-subdomain-origin"
    summary = "Every subdomain of a domain is trusted, so a takeover or XSS on any one of them opens the API."
    severity = Severity.INFO
    confidence = Confidence.HIGH
    security_severity = 4.3
    tags = ("security",)

    def check(self, policy: CorsPolicy, ctx: RuleContext) -> Iterator[Finding]:
        creds = credentials(policy)
        for rule in policy.origins:
            domain = _wildcard_domain(rule)
            if domain is None:
                continue
            notes = credentials_sentence(policy) + assumption(rule)
            message = (
                f"The origin pattern `{shown(rule.value)}` from {provenance(rule, policy)} trusts every subdomain of "
                f"`{domain}` ({mode_phrase(rule, policy.source)}): a subdomain takeover or an XSS on any of them "
                f"can call this API.{notes} Make this a conscious decision, or list the subdomains that need access."
            )
            yield self.finding(
                policy,
                rule.prov,
                message,
                confidence=confidence_for(rule, default=self.confidence),
                hint="List the subdomains that need access instead of trusting all of them.",
                related=creds.related,
            )


def _wildcard_domain(rule: OriginRule) -> Optional[str]:
    if not is_pattern(rule):
        return None
    found = narrow_pattern(rule)
    if found is None or found.bypasses:
        return None  # a looser pattern is CORS106's finding; the subdomain note would only repeat it
    domain = found.subdomain_wildcard or _glob_domain(rule)
    if domain is None or _on_shared_host(domain, found.shared_host):
        return None
    return domain


def _glob_domain(rule: OriginRule) -> Optional[str]:
    if pattern_mode(rule) is not MatchMode.GLOB:
        return None
    host = rule.value.split("://", 1)[-1]
    return host[2:].split(":", 1)[0].lower() if host.startswith("*.") else None


def _on_shared_host(domain: str, shared: Optional[str]) -> bool:
    return bool(shared) and (domain == shared or domain.endswith("." + str(shared)))
