"""The `concise` format: one `path:line:col: CODE [severity] message` line per finding, then a summary."""

from __future__ import annotations

from corslint.findings import Finding
from corslint.reporters.common import RunInfo, confidence_note, one_line, position, text_footer


def format_finding(finding: Finding) -> str:
    loc = finding.location
    where = position(loc.path, loc.line, loc.column)
    return f"{where}: {finding.code} [{finding.severity.value}{confidence_note(finding)}] {one_line(finding.message)}"


def render(findings: list[Finding], run: RunInfo) -> str:
    lines = [format_finding(f) for f in findings]
    if lines:
        lines.append("")
    lines.extend(text_footer(findings, run))
    return "\n".join(lines)
