"""Apache source, syntax layer: a small hand parser for httpd.conf / .htaccess text (directives, sections, comments).

Follows httpd's own reader: `\\` joins physical lines, `#` starts a comment only at the start of a line, words are
split like `ap_getword_conf` (quotes group, `\\"` and `\\\\` unescape), and section tags are matched case-insensitively.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Optional

from corslint.lazy_regex import lazy
from corslint.model import Comment, Location
from corslint.records import field, record

SOURCE = "apache"
_SPACE_RUN = lazy(r"\s+")


@record(frozen=True)
class Arg:
    """One word of a directive: unquoted text, and where it starts on its physical line (quote included)."""

    text: str
    line: int
    column: int
    quoted: bool = False


@record(eq=False)
class Node:
    """A directive, or a section (`children` is a list) with its closing line in `end_line`."""

    name: str
    args: list[Arg]
    path: str
    line: int
    column: int
    end_line: int
    raw: str
    children: Optional[list["Node"]] = None

    @property
    def key(self) -> str:
        return self.name.lower()

    @property
    def words(self) -> list[str]:
        return [arg.text for arg in self.args]

    def location(self, index: Optional[int] = None) -> Location:
        """The directive's place, or that of argument `index` (line of the directive, column on the value's own line)."""
        if index is None or index >= len(self.args):
            return Location(self.path, self.line, self.column)
        return Location(self.path, self.line, self.args[index].column)

    def label(self) -> str:
        return f"<{self.name} {' '.join(self.words)}>".replace(" >", ">") if self.children is not None else self.raw


@record(eq=False)
class ParsedFile:
    path: str
    abs_path: Optional[Path]
    nodes: list[Node] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    problems: list[tuple[int, int, str]] = field(default_factory=list)


@record
class _Logical:
    """A logical line: its text and, per physical piece, (offset in text, line number, column of that offset)."""

    text: str
    pieces: list[tuple[int, int, int]]

    def position(self, offset: int) -> tuple[int, int]:
        line, column, start = self.pieces[0][1], 1, 0
        for piece_start, piece_line, piece_column in self.pieces:
            if piece_start > offset:
                break
            start, line, column = piece_start, piece_line, piece_column
        return line, column + offset - start

    @property
    def last_line(self) -> int:
        return self.pieces[-1][1]


def _logical_lines(text: str) -> list[_Logical]:
    """Physical lines joined at a trailing backslash, as httpd's config reader does."""
    result: list[_Logical] = []
    current: Optional[_Logical] = None
    for number, physical in enumerate(text.split("\n"), start=1):
        physical = physical.rstrip("\r")
        body = physical.rstrip(" \t")
        joined = body.endswith("\\")
        piece = body[:-1] if joined else physical
        if current is None:
            current = _Logical(piece, [(0, number, 1)])
        else:
            current.pieces.append((len(current.text), number, 1))
            current.text += piece
        if not joined:
            result.append(current)
            current = None
    if current is not None:
        result.append(current)
    return result


def split_words(text: str, base: int = 0) -> list[tuple[str, int, bool]]:
    """`ap_getword_conf`: (word, offset of its first character, quoted) for each word of `text`."""
    words: list[tuple[str, int, bool]] = []
    index = 0
    length = len(text)
    while index < length:
        while index < length and text[index] in " \t\r\f\v":
            index += 1
        if index >= length:
            break
        start = index
        quote = text[index] if text[index] in "\"'" else ""
        if quote:
            index += 1
            chars: list[str] = []
            while index < length and text[index] != quote:
                if text[index] == "\\" and index + 1 < length and text[index + 1] in (quote, "\\"):
                    index += 1
                chars.append(text[index])
                index += 1
            index += 1
            words.append(("".join(chars), base + start, True))
        else:
            while index < length and text[index] not in " \t\r\f\v":
                index += 1
            words.append((text[start:index].replace("\\\\", "\\"), base + start, False))
    return words


class _Builder:
    def __init__(self, parsed: ParsedFile, text: str) -> None:
        self.parsed = parsed
        self.text = text
        self.stack: list[Node] = []
        self.pending: list[list] = []  # own-line comments waiting for the node they annotate

    def run(self) -> None:
        for logical in _logical_lines(self.text):
            stripped = logical.text.lstrip(" \t\f\v")
            if not stripped.strip():
                continue
            offset = len(logical.text) - len(stripped)
            if stripped.startswith("#"):
                line, column = logical.position(offset)
                self.pending.append([line, column, stripped[1:].rstrip(), logical.last_line])
            elif stripped.startswith("</"):
                self._close(logical, offset, stripped)
            elif stripped.startswith("<"):
                self._open(logical, offset, stripped)
            else:
                self._directive(logical, offset, stripped)
        self._finish()

    def _args(self, logical: _Logical, text: str, base: int) -> list[Arg]:
        args = []
        for word, start, quoted in split_words(text, base):
            line, column = logical.position(start)
            args.append(Arg(word, line, column, quoted))
        return args

    def _add(self, node: Node) -> None:
        (self.stack[-1].children if self.stack else self.parsed.nodes).append(node)  # type: ignore[union-attr]
        for entry in self.pending:
            entry.append(node)
        self._flush_comments()

    def _directive(self, logical: _Logical, offset: int, stripped: str) -> None:
        match = re.match(r"\S+", stripped)
        assert match is not None
        name = match.group(0)
        line, column = logical.position(offset)
        args = self._args(logical, stripped[match.end():], offset + match.end())
        raw = _SPACE_RUN.sub(" ", stripped).strip()
        self._add(Node(name, args, self.parsed.path, line, column, logical.last_line, raw))

    def _open(self, logical: _Logical, offset: int, stripped: str) -> None:
        line, column = logical.position(offset)
        body = stripped.rstrip()
        if not body.endswith(">"):
            self.parsed.problems.append((line, column, f"section `{body}` lacks its closing `>`"))
            body += ">"
        match = re.match(r"<([^\s>]+)", body)
        name = match.group(1) if match else ""
        inner = body[1 + len(name) : -1]
        args = self._args(logical, inner, offset + 1 + len(name))
        raw = _SPACE_RUN.sub(" ", body).strip()
        node = Node(name, args, self.parsed.path, line, column, logical.last_line, raw, [])
        self._add(node)
        self.stack.append(node)

    def _close(self, logical: _Logical, offset: int, stripped: str) -> None:
        line, column = logical.position(offset)
        name = stripped[2:].rstrip().rstrip(">").strip()
        if not self.stack:
            self.parsed.problems.append((line, column, f"`</{name}>` closes a section that was never opened"))
            return
        top = self.stack[-1]
        if top.key != name.lower():
            self.parsed.problems.append(
                (line, column, f"`</{name}>` does not match `<{top.name}>` opened at line {top.line}")
            )
            if not any(node.key == name.lower() for node in self.stack):
                return
        while self.stack:
            node = self.stack.pop()
            node.end_line = logical.last_line
            if node.key == name.lower():
                break
        self._flush_comments()

    def _flush_comments(self) -> None:
        for entry in self.pending:
            line, column, text, last = entry[:4]
            node = entry[4] if len(entry) > 4 else None
            self.parsed.comments.append((line, column, text, last, node))  # type: ignore[arg-type]
        self.pending.clear()

    def _finish(self) -> None:
        self._flush_comments()
        last_line = max(1, self.text.count("\n") + (0 if self.text.endswith("\n") else 1))
        for node in reversed(self.stack):
            self.parsed.problems.append((last_line, 0, f"unexpected end of file: `<{node.name}>` opened at line {node.line} is never closed"))
            node.end_line = last_line
        self.parsed.comments = [self._comment(entry) for entry in self.parsed.comments]  # type: ignore[arg-type]

    def _comment(self, entry: tuple) -> Comment:
        line, column, text, last, node = entry
        covers = (node.line, max(node.line, node.end_line)) if node is not None else (line, last)
        return Comment(self.parsed.path, line, column, text, True, covers, SOURCE)


def parse_text(path: str, text: str, abs_path: Optional[Path] = None) -> ParsedFile:
    parsed = ParsedFile(path, abs_path)
    _Builder(parsed, text).run()
    return parsed
