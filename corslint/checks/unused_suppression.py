"""CORS002: a suppression comment that suppressed nothing (produced by the suppression pass)."""

from __future__ import annotations

from corslint.findings import Severity
from corslint.rule import Rule


class UnusedSuppression(Rule):
    code = "CORS002"
    name = "unused-suppression"
    summary = "A `corslint: ignore[...]` comment suppressed nothing and can be removed."
    severity = Severity.INFO
    tags = ("maintainability",)
    policy_rule = False
