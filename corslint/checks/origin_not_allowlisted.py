"""CORS901: a trusted origin, or an origin a pattern accepts, lies outside the configured `trusted-origins`."""

from __future__ import annotations

from typing import Iterator, Optional

from corslint import origins
from corslint.checks._origin_helpers import (
    shown,
    assumption,
    confidence_for,
    exact_origins,
    is_null_value,
    pattern_dialect,
    pattern_mode,
    problems,
    provenance,
)
from corslint.findings import Confidence, Finding, Severity
from corslint.model import CorsPolicy, OriginKind, OriginRule
from corslint.rule import Rule, RuleContext


class OriginNotAllowlisted(Rule):
    code = "CORS901"
    name = "origin-not-allowlisted"
    summary = "A trusted origin, or an origin a pattern accepts, lies outside the organisation's `trusted-origins` allowlist."
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    security_severity = 6.5
    tags = ("security", "policy")
    default_enabled = False

    def check(self, policy: CorsPolicy, ctx: RuleContext) -> Iterator[Finding]:
        allowlist = tuple(o for o in ctx.trusted_origins if o.strip())
        if not allowlist:
            return
        for rule in policy.origins + policy.gates:
            outside = _outside(rule, policy, allowlist)
            if outside is None:
                continue
            message = (
                f"{outside} the `trusted-origins` allowlist ({_shown(allowlist)})."
                f"{assumption(rule)} Remove it, or add it to `trusted-origins` if the organisation trusts it."
            )
            yield self.finding(
                policy,
                rule.prov,
                message,
                confidence=confidence_for(rule, default=self.confidence),
                hint="Trust only origins listed in `trusted-origins`.",
            )


def _outside(rule: OriginRule, policy: CorsPolicy, allowlist: tuple[str, ...]) -> Optional[str]:
    source = provenance(rule, policy)
    if rule.kind is OriginKind.ANY:
        return f"`*` from {source} trusts every origin, including origins outside"
    if rule.kind is OriginKind.REFLECT:
        return f"{source} echoes every request origin back, including origins outside"
    if is_null_value(rule):
        return None if origins.in_allowlist("null", allowlist) else f"The origin `null` is trusted by {source} but is not in"
    if rule.kind is OriginKind.EXACT:
        return _outside_exact(rule, source, allowlist)
    if rule.kind is OriginKind.PATTERN:
        return _outside_pattern(rule, source, allowlist)
    return None


def _outside_exact(rule: OriginRule, source: str, allowlist: tuple[str, ...]) -> Optional[str]:
    parsed_all = exact_origins(rule)
    if len(parsed_all) != 1 or problems(rule, parsed_all[0]):
        return None
    origin = parsed_all[0].text.lower() if rule.ignore_case else parsed_all[0].text
    if origins.in_allowlist(origin, allowlist):
        return None
    return f"The origin `{parsed_all[0].text}` is trusted by {source} but is not in"


def _outside_pattern(rule: OriginRule, source: str, allowlist: tuple[str, ...]) -> Optional[str]:
    example = origins.pattern_outside_allowlist(
        rule.value,
        dialect=pattern_dialect(rule),
        mode=pattern_mode(rule),
        ignore_case=rule.ignore_case,
        allowlist=allowlist,
    )
    if example is None:
        return None
    return f"The origin pattern `{shown(rule.value)}` from {source} accepts `{example}`, which is outside"


def _shown(allowlist: tuple[str, ...], limit: int = 3) -> str:
    items = [f"`{o}`" for o in allowlist[:limit]]
    more = f" and {len(allowlist) - limit} more" if len(allowlist) > limit else ""
    return ", ".join(items) + more
