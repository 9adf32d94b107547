"""CORS003: a malformed suppression comment or one naming an unknown rule (produced by the suppression pass)."""

from __future__ import annotations

from corslint.findings import Severity
from corslint.rule import Rule


class InvalidSuppression(Rule):
    code = "CORS003"
    name = "invalid-suppression"
    summary = "A suppression comment is malformed or names an unknown rule, so it suppresses nothing."
    severity = Severity.WARNING
    tags = ("maintainability",)
    policy_rule = False
