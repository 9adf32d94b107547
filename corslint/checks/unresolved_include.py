"""CORS004: an include whose target is not in the scanned tree, in a file that sets CORS headers."""

from __future__ import annotations

from typing import Iterable

from corslint.findings import Confidence, Finding, Severity
from corslint.model import ParseProblem, Related
from corslint.rule import Rule


class UnresolvedInclude(Rule):
    code = "CORS004"
    name = "unresolved-include"
    summary = (
        "An include's target is not in the scanned tree, so the CORS headers it may set are not analysed (reported "
        "only in files that set CORS headers)."
    )
    severity = Severity.INFO
    confidence = Confidence.HIGH
    tags = ("correctness",)
    policy_rule = False

    def from_problems(self, problems: Iterable[ParseProblem]) -> list[Finding]:
        """One finding per file and missing target; the other directives naming it are related places."""
        groups: dict[tuple[str, str], list[ParseProblem]] = {}
        for problem in problems:
            groups.setdefault((problem.location.path, problem.message), []).append(problem)
        findings = []
        for same in groups.values():
            first, *others = sorted(same, key=lambda p: (p.location.line, p.location.column))
            related = tuple(Related(p.location, "the same include") for p in others)
            findings.append(Finding(
                code=self.code,
                name=self.name,
                severity=self.severity,
                message=first.message,
                location=first.location,
                source=first.source,
                raw=first.message,
                related=related,
            ))
        return findings
