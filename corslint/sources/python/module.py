"""Python source, parsing: one module's text, AST and comments, and provenance for its nodes.

The linted code is only parsed with `ast` and tokenized; it is never imported, compiled to bytecode or run.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from pathlib import Path
from typing import Optional, Union

from corslint.lazy_regex import lazy
from corslint.model import Comment, Location, ParseProblem, Provenance
from corslint.records import field, record
from corslint.sources.base import decode

SOURCE = "python"
RAW_LIMIT = 100
_DIRECTIVE = lazy(r"corslint:", re.IGNORECASE)
_AST_LINE = lazy(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


@record
class PyModule:
    """A parsed Python file. `path` is the display path; `abs_path` is None for standard input."""

    path: str
    text: str
    tree: ast.Module
    abs_path: Optional[Path] = None
    lines: list[str] = field(default_factory=list)
    # the lines as `ast` counts them (\n, \r\n or \r), ends kept; split once, not per `raw` call
    _ast_lines: Optional[list[str]] = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.lines = self.text.splitlines()

    def column(self, line: int, byte_offset: int) -> int:
        """1-based character column of a UTF-8 byte offset (what `ast` reports) on `line`."""
        if not 1 <= line <= len(self.lines):
            return byte_offset + 1
        return len(self.lines[line - 1].encode("utf-8")[:byte_offset].decode("utf-8", "ignore")) + 1

    def location(self, node: ast.AST) -> Location:
        line = getattr(node, "lineno", 1)
        end_line = getattr(node, "end_lineno", None) or line
        end_offset = getattr(node, "end_col_offset", None)
        return Location(
            self.path,
            line,
            self.column(line, getattr(node, "col_offset", 0)),
            end_line,
            self.column(end_line, end_offset) if end_offset is not None else 0,
        )

    def raw(self, node: ast.AST) -> str:
        segment = self._segment(node)
        text = " ".join(segment.split())
        return text if len(text) <= RAW_LIMIT else text[: RAW_LIMIT - 3].rstrip() + "..."

    def _segment(self, node: ast.AST) -> str:
        """`ast.get_source_segment`, without splitting the whole text again on every call."""
        try:
            first, last = node.lineno - 1, node.end_lineno - 1  # type: ignore[attr-defined,operator]
            start, end = node.col_offset, node.end_col_offset  # type: ignore[attr-defined]
        except AttributeError:
            return ""
        if last is None or end is None:
            return ""
        if self._ast_lines is None:
            self._ast_lines = _AST_LINE.findall(self.text)
        lines = self._ast_lines
        if not 0 <= first <= last < len(lines):
            return ""
        if first == last:
            return lines[first].encode()[start:end].decode()
        head = lines[first].encode()[start:].decode()
        tail = lines[last].encode()[:end].decode()
        return head + "".join(lines[first + 1 : last]) + tail

    def prov(self, node: ast.AST, context: str = "") -> Provenance:
        return Provenance(self.location(node), self.raw(node), context)


def _declared_encoding(data: bytes, error: str) -> tuple[str, Optional[str], int]:
    """Python reads a file in the encoding its `# -*- coding: ... -*-` line declares (PEP 263), so corslint does too.

    Returns (text, None, 1) when that works, else ("", error, the line the UTF-8 error is on).
    """
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError:
        encoding = "utf-8"
    if encoding not in ("utf-8", "utf-8-sig") and b"\x00" not in data:
        try:
            return data.decode(encoding), None, 1
        except (UnicodeDecodeError, LookupError):
            pass
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return "", error, data[: exc.start].count(b"\n") + 1
    return "", error, 1


def parse_module(path: str, data: bytes, abs_path: Optional[Path] = None) -> Union[PyModule, ParseProblem]:
    """The parsed module, or the problem (CORS001) that stops it from being parsed."""
    text, error = decode(data)
    if error is not None:
        text, error, line = _declared_encoding(data, error)
    if error is not None:
        return ParseProblem(Location(path, line, 1), f"cannot decode Python file: {error}", SOURCE)
    try:
        tree = ast.parse(text, filename=path)
    except SyntaxError as exc:
        line = exc.lineno or 1
        return ParseProblem(Location(path, line, exc.offset or 0), f"Python syntax error: {exc.msg}", SOURCE)
    except (ValueError, RecursionError, MemoryError) as exc:
        return ParseProblem(Location(path, 1, 1), f"cannot parse Python file: {exc}", SOURCE)
    return PyModule(path, text, tree, abs_path)


def _statement_spans(tree: ast.Module) -> list[tuple[int, int]]:
    """(first, last) line of each statement; a compound statement spans its decorators and header only."""
    spans = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.stmt):
            continue
        decorators = getattr(node, "decorator_list", [])
        start = min([node.lineno] + [d.lineno for d in decorators])
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.stmt):
            end = max(node.lineno, body[0].lineno - 1)
        else:
            end = node.end_lineno or node.lineno
        spans.append((start, end))
    return spans


def _covers(line: int, own_line: bool, spans: list[tuple[int, int]]) -> tuple[int, int]:
    if own_line:
        following = [span for span in spans if span[0] > line]
        if not following:
            return (line, line)
        first = min(start for start, _ in following)
        return max((span for span in following if span[0] == first), key=lambda s: s[1])
    around = [span for span in spans if span[0] <= line <= span[1]]
    if not around:
        return (line, line)
    return min(around, key=lambda s: s[1] - s[0])


def module_comments(module: PyModule) -> list[Comment]:
    """Every `#` comment, with the statement it annotates (the next one, or the one it trails).

    Comments only matter to suppressions, so a module that never says `corslint:` is not tokenized.
    """
    if _DIRECTIVE.search(module.text) is None:
        return []
    spans = _statement_spans(module.tree)
    comments = []
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(module.text).readline))
    except (tokenize.TokenError, SyntaxError):
        return []
    for token in tokens:
        if token.type != tokenize.COMMENT:
            continue
        line, col = token.start
        own_line = not token.line[:col].strip()
        text = token.string[1:].strip()
        comments.append(Comment(module.path, line, col + 1, text, own_line, _covers(line, own_line, spans), SOURCE))
    return comments
