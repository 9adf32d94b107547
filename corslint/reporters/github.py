"""The `github` format: GitHub Actions workflow commands (annotations), grouped per file, escaped like @actions/core."""

from __future__ import annotations

from corslint.findings import Finding, Severity
from corslint.reporters.common import RunInfo, summary_line


COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    """@actions/core `escapeData`: the message after `::`."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """@actions/core `escapeProperty`: a `key=value` property."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(finding: Finding) -> str:
    loc = finding.location
    props: list[tuple[str, str]] = [("file", loc.path)]
    if loc.line > 0:
        props.append(("line", str(loc.line)))
        with_column = loc.column > 0 and loc.end_line <= loc.line
        if with_column:
            props.append(("col", str(loc.column)))
        if loc.end_line >= loc.line:
            props.append(("endLine", str(loc.end_line)))
        if with_column and loc.end_column > 0:
            props.append(("endColumn", str(loc.end_column)))
    props.append(("title", f"corslint ({finding.code} {finding.name})"))
    rendered = ",".join(f"{key}={escape_property(value)}" for key, value in props)
    return f"::{COMMAND[finding.severity]} {rendered}::{escape_data(finding.message)}"


def by_file(findings: list[Finding]) -> dict[str, list[Finding]]:
    """Findings grouped per path, in order of first appearance, keeping their order within a file."""
    groups: dict[str, list[Finding]] = {}
    for finding in findings:
        groups.setdefault(finding.location.path, []).append(finding)
    return groups


def render(findings: list[Finding], run: RunInfo) -> str:
    lines: list[str] = []
    for path, group in by_file(findings).items():
        lines.append(f"::group::{escape_data(path)}")
        lines.extend(annotation(f) for f in group)
        lines.append("::endgroup::")
    lines.append(summary_line(findings))
    return "\n".join(lines)
