"""The `full` terminal format: header, message, scope path, code frame with caret, notes, help and a pointer to `explain`."""

from __future__ import annotations

import unicodedata
from typing import Optional

from corslint.findings import Finding, Severity
from corslint.model import Location
from corslint.reporters.common import RunInfo, also_at, confidence_note, fold, position, text_footer


_RESET = "\x1b[0m"
_BOLD = "1"
_DIM = "2"
_CYAN = "36"
_SEVERITY_COLOR = {Severity.ERROR: "31", Severity.WARNING: "33", Severity.INFO: "34"}
_MARGIN = 1


def paint(text: str, *codes: str, on: bool) -> str:
    if not on or not text:
        return text
    return f"\x1b[{';'.join(codes)}m{text}{_RESET}"


def render(findings: list[Finding], run: RunInfo) -> str:
    blocks = [format_finding(first, run, others) for first, others in fold(findings)]
    footer = text_footer(findings, run)
    footer[-1] = paint(footer[-1], _BOLD, on=run.color)
    return "\n\n".join(blocks + ["\n".join(footer)])


def format_finding(finding: Finding, run: RunInfo, others: Optional[list[Finding]] = None) -> str:
    color = _SEVERITY_COLOR[finding.severity]
    loc = finding.location
    header = (
        f"{paint(position(loc.path, loc.line, loc.column), _BOLD, on=run.color)}: "
        f"{paint(finding.code, _BOLD, color, on=run.color)} {finding.name} "
        f"{paint('[' + finding.severity.value + confidence_note(finding) + ']', color, on=run.color)}"
    )
    lines = [header]
    lines.extend(f"  {text}" for text in finding.message.splitlines())
    if finding.context:
        lines.append(f"  in {finding.context}")
    lines.extend(code_frame(loc, run, color))
    for related in finding.related:
        where = position(related.location.path, related.location.line)
        lines.append(f"  {paint('note', _CYAN, on=run.color)}: {where}: {related.note}")
    if others:
        lines.append(f"  {paint('note', _CYAN, on=run.color)}: the same finding {also_at(others, limit=10)}")
    if finding.hint:
        lines.append(f"  {paint('help', _CYAN, on=run.color)}: {finding.hint}")
    lines.append(f"  {paint('see', _DIM, on=run.color)}: corslint explain {finding.code}")
    return "\n".join(lines)


def code_frame(loc: Location, run: RunInfo, color: str) -> list[str]:
    """The finding's line with one line either side, numbered, with a caret under the column when known."""
    if loc.line <= 0:
        return []
    source = run.read_lines(loc.path)
    if not source or loc.line > len(source):
        return []
    first = max(1, loc.line - _MARGIN)
    last = min(len(source), loc.line + _MARGIN)
    width = len(str(last))
    gutter = " " * width
    frame = [f"  {gutter} |"]
    for number in range(first, last + 1):
        text = source[number - 1].rstrip("\r\n")
        marker = ">" if number == loc.line else " "
        frame.append(f"{marker} {number:>{width}} | {text}".rstrip())
        if number == loc.line:
            caret = caret_line(text, loc)
            if caret is not None:
                frame.append(f"  {gutter} | {paint(caret, _BOLD, color, on=run.color)}".rstrip())
    frame.append(f"  {gutter} |")
    return frame


def caret_line(text: str, loc: Location) -> Optional[str]:
    """Spaces (tabs kept, wide characters doubled) up to the column, then `^` across the span on this line."""
    if loc.column <= 0 or loc.column > len(text) + 1:
        return None
    prefix = "".join(_blank(ch) for ch in text[: loc.column - 1])
    end = loc.end_column if loc.end_line in (0, loc.line) and loc.end_column > loc.column else loc.column + 1
    span = text[loc.column - 1 : min(end, len(text) + 1) - 1] or " "
    return prefix + "^" * sum(_display_width(ch) for ch in span)


def _blank(ch: str) -> str:
    return "\t" if ch == "\t" else " " * _display_width(ch)


def _display_width(ch: str) -> int:
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
