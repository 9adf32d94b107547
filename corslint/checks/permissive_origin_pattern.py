"""CORS106: an origin regex or pattern accepts origins its author did not mean (anchoring, dots, suffixes)."""

from __future__ import annotations

from typing import Iterator

from corslint import origins
from corslint.checks._origin_helpers import (
    gate_subject,
    shown,
    assumption,
    confidence_for,
    credentials,
    exposure,
    mode_phrase,
    origin_list,
    provenance,
    report,
    with_security_severity,
)
from corslint.findings import Confidence, Finding, Severity
from corslint.model import CorsPolicy, OriginKind, OriginRule
from corslint.records import replace
from corslint.rule import Rule, RuleContext

PERMISSIVE_KINDS = ("any-origin", "suffix", "no-dot-boundary", "unescaped-dot")
SECURITY_SEVERITY_WITHOUT_CREDENTIALS = 5.3


class PermissiveOriginPattern(Rule):
    code = "CORS106"
    name = "permissive-origin-pattern"
    summary = "An origin pattern accepts origins its author did not intend, such as `https://example.com.attacker.test`."
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    security_severity = 8.1
    tags = ("security",)

    def check(self, policy: CorsPolicy, ctx: RuleContext) -> Iterator[Finding]:
        for rule in policy.origins:
            if rule.kind is not OriginKind.PATTERN:
                continue
            found = report(rule)
            bypasses = [b for b in found.bypasses if b.kind in PERMISSIVE_KINDS] if found.ok else []
            if not found.ok or (found.exhausted and not bypasses):
                yield self._too_complex(rule, policy, found)
            elif bypasses and not found.accepts_any:
                yield self._bypass(rule, policy, found, bypasses)
        for rule in policy.gates:
            if rule.kind is OriginKind.PATTERN:
                found = report(rule)
                bypasses = [b for b in found.bypasses if b.kind in PERMISSIVE_KINDS] if found.ok else []
                if bypasses or (found.ok and found.accepts_any):
                    yield self._gate(rule, policy, found, bypasses)

    def _gate(self, rule: OriginRule, policy: CorsPolicy, found: origins.PatternReport, bypasses: list[origins.Bypass]) -> Finding:
        """An origin test that decides access: the same pitfalls, a different consequence."""
        if bypasses:
            first = bypasses[0]
            others = [b.origin for b in bypasses[1:] if b.origin != first.origin]
            also = f" It also passes {origin_list(others)}." if others else ""
            passes = f"so it passes `{shown(first.origin)}` ({first.explanation.rstrip('.')}).{also}"
        else:
            passes = "so every origin passes it."
        message = (
            f"{gate_subject(rule, policy)} is looser than intended, {passes} The test decides access rather than a "
            f"CORS header: a page on such a site gets through the check meant for trusted origins.{assumption(rule)}"
        )
        return self.finding(policy, rule.prov, message, severity=Severity.WARNING,
                            confidence=confidence_for(rule, policy, default=self.confidence), hint=_hint(found))

    def _bypass(
        self, rule: OriginRule, policy: CorsPolicy, found: origins.PatternReport, bypasses: list[origins.Bypass]
    ) -> Finding:
        creds = credentials(policy)
        first = bypasses[0]
        others = [b.origin for b in bypasses[1:] if b.origin != first.origin]
        also = f" It also accepts {origin_list(others)}." if others else ""
        partial = " corslint's analysis of it was cut short, so it may accept other origins too." if found.exhausted else ""
        message = (
            f"The origin pattern `{shown(rule.value)}` from {provenance(rule, policy)} is looser than intended: "
            f"{mode_phrase(rule, policy.source)}, so it accepts `{shown(first.origin)}` ({first.explanation.rstrip('.')})."
            f"{also}{partial} {exposure(policy, 'such a site')}{assumption(rule)}"
        )
        finding = self.finding(
            policy,
            rule.prov,
            message,
            severity=Severity.ERROR if creds.on else Severity.WARNING,
            confidence=confidence_for(rule, policy, default=self.confidence),
            hint=_hint(found),
            related=creds.related,
        )
        finding = replace(finding, extra={**finding.extra, "accepts": [b.origin for b in bypasses]})
        return finding if creds.on else with_security_severity(finding, SECURITY_SEVERITY_WITHOUT_CREDENTIALS)

    def _too_complex(self, rule: OriginRule, policy: CorsPolicy, found: origins.PatternReport) -> Finding:
        reason = found.error or "the analysis budget ran out"
        message = (
            f"The origin pattern `{shown(rule.value)}` from {provenance(rule, policy)} was too complex to analyse ({reason}), "
            "so corslint cannot tell which origins it accepts. Review it by hand, or replace it with an anchored list "
            "of exact hosts."
        )
        return self.finding(
            policy,
            rule.prov,
            message,
            severity=Severity.INFO,
            confidence=Confidence.LOW,
            hint="Simplify the pattern to anchored, escaped exact hosts.",
        )


def _hint(found: origins.PatternReport) -> str:
    base = "Anchor the pattern (`^…$`), escape every dot as `\\.` and end the host at a dot boundary"
    if found.intended and "://" in found.intended:
        return f"{base}, e.g. `^{_escape(found.intended)}$` for `{found.intended}`."
    return base + "."


def _escape(origin: str) -> str:
    return "".join("\\" + ch if ch in ".+?()[]{}|^$*\\" else ch for ch in origin)
