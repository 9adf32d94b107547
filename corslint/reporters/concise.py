"""The `concise` format: one `path:line:col: CODE [severity] message` line per finding, then a summary."""

from __future__ import annotations

from corslint.findings import Finding
from corslint.reporters.common import RunInfo, also_at, confidence_note, fold, one_line, position, text_footer


def format_finding(finding: Finding) -> str:
    loc = finding.location
    where = position(loc.path, loc.line, loc.column)
    return f"{where}: {finding.code} [{finding.severity.value}{confidence_note(finding)}] {one_line(finding.message)}"


def render(findings: list[Finding], run: RunInfo) -> str:
    lines = [format_finding(first) + (f" ({also_at(others)})" if others else "") for first, others in fold(findings)]
    if lines:
        lines.append("")
    lines.extend(text_footer(findings, run))
    return "\n".join(lines)
