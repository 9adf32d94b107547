"""CORS001: a file of a supported kind that could not be read or parsed."""

from __future__ import annotations

from corslint.findings import Finding, Severity
from corslint.model import ParseProblem
from corslint.rule import Rule


class ParseError(Rule):
    code = "CORS001"
    name = "parse-error"
    summary = "A configuration file of a supported kind could not be read or parsed, so its CORS settings were not checked."
    severity = Severity.ERROR
    tags = ("correctness",)
    security_severity = 4.0
    policy_rule = False

    def from_problem(self, problem: ParseProblem) -> Finding:
        return Finding(
            code=self.code,
            name=self.name,
            severity=self.severity,
            message=problem.message,
            location=problem.location,
            source=problem.source,
            raw=problem.message,
        )
