"""CORS104: the origin `null`, which any website can produce, is trusted."""

from __future__ import annotations

from typing import Iterator, Optional

from corslint.checks._origin_helpers import (
    credentials,
    shown,
    report_each_origin,
    is_null_value,
    mode_phrase,
    narrow_pattern,
    provenance,
)
from corslint.findings import Confidence, Finding, Severity
from corslint.model import CorsPolicy, OriginRule
from corslint.rule import Rule, RuleContext

WHY = (
    "sandboxed iframes, `data:` documents and requests that followed a cross-origin redirect all send "
    "`Origin: null`, so any website can present it"
)


class NullOriginAllowed(Rule):
    code = "CORS104"
    name = "null-origin-allowed"
    summary = "The origin `null` is trusted, although any website can send it from a sandboxed iframe."
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    security_severity = 8.1
    tags = ("security",)

    def check(self, policy: CorsPolicy, ctx: RuleContext) -> Iterator[Finding]:

        def describe(rule: OriginRule) -> Optional[str]:
            subject = _subject(rule, policy)
            return f"{subject}: {WHY}" if subject else None

        creds = credentials(policy)
        # without credentials a trusted `null` exposes what `*` would: anonymous responses (CORS102 and 103 alike)
        lowered = None if creds.on or creds.unknown else (lambda rule: Severity.WARNING)
        yield from report_each_origin(
            self,
            policy,
            describe,
            advice="Remove `null` from the trusted origins; give local files or sandboxed frames a real origin instead.",
            hint="Do not trust `null`; serve the calling page from a real https origin.",
            severity=lowered,
        )


def _subject(rule: OriginRule, policy: CorsPolicy) -> Optional[str]:
    if is_null_value(rule):
        return f"The origin `null` is trusted by {provenance(rule, policy)}"
    found = narrow_pattern(rule)
    if found is not None and found.accepts_null:
        return (
            f"The origin pattern `{shown(rule.value)}` from {provenance(rule, policy)} accepts the origin `null` "
            f"({mode_phrase(rule, policy.source)})"
        )
    return None
