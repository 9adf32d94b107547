"""RunInfo and the helpers shared by the reporters: severity counts, the summary line, statistics and paths."""

from __future__ import annotations


from collections import Counter
from typing import TYPE_CHECKING, Callable, Iterable, Optional

from corslint.findings import Confidence, Finding, Severity
from corslint.lazy_regex import lazy
from corslint.records import record

if TYPE_CHECKING:
    from corslint.rule import Rule


@record
class RunInfo:
    """What a reporter may know about the run besides the findings (exported as corslint.reporters.RunInfo)."""

    rules: list[type[Rule]]
    version: str
    catalogue: Callable[[str], Optional[str]]
    read_lines: Callable[[str], Optional[list[str]]]
    color: bool = False
    statistics: bool = False
    files_scanned: int = 0
    policies_found: int = 0
    base_uri: Optional[str] = None


STDIN_PATHS = frozenset({"-", "<stdin>"})

_NOUNS = {
    "finding": "findings",
    "error": "errors",
    "warning": "warnings",
    "info": "infos",
}


def plural(count: int, noun: str) -> str:
    return f"{count} {noun if count == 1 else _NOUNS[noun]}"


def severity_counts(findings: Iterable[Finding]) -> dict[Severity, int]:
    counts = Counter(f.severity for f in findings)
    return {severity: counts.get(severity, 0) for severity in (Severity.ERROR, Severity.WARNING, Severity.INFO)}


def summary_line(findings: list[Finding]) -> str:
    """`Found 3 findings (1 error, 2 warnings, 0 infos).` or `No findings.`"""
    if not findings:
        return "No findings."
    counts = severity_counts(findings)
    parts = ", ".join(plural(counts[s], s.value) for s in (Severity.ERROR, Severity.WARNING, Severity.INFO))
    return f"Found {plural(len(findings), 'finding')} ({parts})."


def statistics_rows(findings: list[Finding]) -> list[str]:
    """One `count  code  name` row per rule, most frequent first, then by code."""
    counts = Counter((f.code, f.name) for f in findings)
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0][0]))
    if not ordered:
        return []
    count_width = max(len(str(count)) for _, count in ordered)
    code_width = max(len(code) for (code, _), _ in ordered)
    return [f"{count:>{count_width}}  {code:<{code_width}}  {name}" for (code, name), count in ordered]


def text_footer(findings: list[Finding], run: RunInfo) -> list[str]:
    """Statistics (when asked) and the summary line, for the human formats."""
    lines: list[str] = []
    if run.statistics and findings:
        lines.extend(statistics_rows(findings))
        lines.append("")
    lines.append(summary_line(findings))
    return lines


_DIGITS = lazy(r"\d+")


def distinct_fingerprints(findings: list[Finding]) -> list[str]:
    """Each finding's fingerprint, identical findings of one file told apart by their order (first keeps the plain one)."""
    seen: dict[str, int] = {}
    result = []
    for finding in findings:
        base = finding.fingerprint()
        occurrence = seen.get(base, 0)
        seen[base] = occurrence + 1
        result.append(finding.fingerprint(occurrence) if occurrence else base)
    return result


def fold(findings: list[Finding]) -> list[tuple[Finding, list[Finding]]]:
    """Findings of one file with the same rule, severity and message shape (digits aside), in first-seen order, each
    with the others of its kind: one fault repeated in identical blocks prints once, "also at" the other places.
    Every file keeps a line of its own, so editors that jump to `path:line:col` still reach each file."""
    groups: dict[tuple[str, str, str, str], tuple[Finding, list[Finding]]] = {}
    for finding in findings:
        key = (finding.location.path, finding.code, finding.severity.value, _DIGITS.sub("#", finding.message))
        if key in groups:
            groups[key][1].append(finding)
        else:
            groups[key] = (finding, [])
    return list(groups.values())


def also_at(others: list[Finding], limit: int = 5) -> str:
    """`also at 12:5, 40:5 and 4 more` (lines and columns of the same file)."""
    shown = [f"{f.location.line}:{f.location.column}" if f.location.column else str(f.location.line) for f in others[:limit]]
    more = f" and {len(others) - limit} more" if len(others) > limit else ""
    return f"also at {', '.join(shown)}{more}"


def confidence_note(finding: Finding) -> str:
    """`, low confidence` after the severity when corslint had to assume something; nothing when it is sure."""
    return "" if finding.confidence is Confidence.HIGH else f", {finding.confidence.value} confidence"


def position(path: str, line: int, column: int = 0) -> str:
    """`path:line:col`, leaving out unknown (0) parts."""
    text = path
    if line > 0:
        text += f":{line}"
        if column > 0:
            text += f":{column}"
    return text


def one_line(text: str) -> str:
    """Folds line breaks so a message fits a one-line-per-finding format."""
    return " ".join(part.strip() for part in text.replace("\r\n", "\n").replace("\r", "\n").split("\n") if part.strip())


def is_stdin_path(path: str) -> bool:
    return path in STDIN_PATHS
