"""nginx source, parsing layer: a positioned lexer token-for-token equal to crossplane's, an iteratively built block
tree and comments. Nothing here knows about CORS; `parse_text` turns one decoded file into a `ParsedFile`.

crossplane stays the reference: `crossplane_tokens` wraps its lexer, files using its Lua extension go through it,
and tests check `lex` against it on every fixture and corpus file.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from pathlib import Path
from typing import Generator, Iterator, Optional

from corslint.lazy_regex import lazy
from corslint.model import Comment, Location, ParseProblem
from corslint.sources.templates import has_templates, neutralise_templates

SOURCE = "nginx"

_WS = lazy(r"\s*")
_QUOTED = {'"': re.compile(r'"(?:\\.|[^"\\])*"', re.S), "'": re.compile(r"'(?:\\.|[^'\\])*'", re.S)}
_SPACE_RUN = lazy(r"\s+")
_NEWLINE = lazy("\n")
_INDEXED = {"include": "includes", "map": "maps", "set": "sets"}
# (fewest, most) arguments of the directives corslint models, as nginx checks them (None: no upper bound)
_ARITY: dict[str, tuple[int, Optional[int]]] = {
    "add_header": (2, 3),
    "add_trailer": (2, 3),
    "add_header_inherit": (1, 1),
    "proxy_pass": (1, 1),
    "fastcgi_pass": (1, 1),
    "uwsgi_pass": (1, 1),
    "grpc_pass": (1, 1),
    "proxy_hide_header": (1, 1),
    "proxy_pass_header": (1, 1),
    "fastcgi_hide_header": (1, 1),
    "fastcgi_pass_header": (1, 1),
    "uwsgi_hide_header": (1, 1),
    "uwsgi_pass_header": (1, 1),
    "set": (2, 2),
    "include": (1, 1),
    "return": (1, 2),
    "more_set_headers": (1, None),
    "more_clear_headers": (1, None),
}

# directives nginx takes in an `if` only when the `if` is in a location (ngx_http_headers_module, headers-more)
_LOCATION_IF_ONLY = frozenset({"add_header", "add_trailer", "more_set_headers", "more_clear_headers"})
# (token, line, quoted, start offset, end offset); offsets are -1 when crossplane's token cannot be located
Token = tuple[str, int, bool, int, int]
# whitespace, then a comment, a structural character, a quoted string, a plain word, or anything else (handled exactly)
_FAST = lazy(
    r"""(\s*)(?:(\#[^\n\\]*(?:\\[^\n][^\n\\]*)*(?=\n))|([{};])|("[^"\\]*(?:\\.[^"\\]*)*"|'[^'\\]*(?:\\.[^'\\]*)*')"""
    r"""|((?:[^\s"'{};\\#]|\\[^\n])[^\s"'{};\\]*(?:\\[^\n][^\s"'{};\\]*)*)|(\S))""",
    re.S,
)
_PAIR = lazy(r"\\.", re.S)
_WORD_ENDS = frozenset("\"'\\")
# crossplane hands these directives to its Lua extension's own lexer
_EXTERNAL_LEXER_MARK = "_by_lua_block"


class Node:
    """One directive. `pos[i]` is the (line, column) of token i (0 = the name); `children` is None for simple directives."""

    __slots__ = ("name", "args", "pos", "children", "end_line", "start", "end", "file", "_raw")

    def __init__(self, name: str, pos: tuple[int, int], start: int, end: int, file: "ParsedFile") -> None:
        self.name = name
        self.args: list[str] = []
        self.pos: list[tuple[int, int]] = [pos]
        self.children: Optional[list[Node]] = None
        self.end_line = pos[0]
        self.start = start
        self.end = end
        self.file = file
        self._raw: Optional[str] = None

    @property
    def line(self) -> int:
        return self.pos[0][0]

    def location(self, index: int = 0) -> Location:
        line, column = self.pos[index] if index < len(self.pos) else self.pos[0]
        return Location(self.file.path, line, column)

    def raw(self) -> str:
        """The directive as written, without its `;`/block, whitespace runs collapsed."""
        if self._raw is None:
            if self.start < 0 or self.end < self.start:
                self._raw = " ".join([self.name, *self.args])
            else:
                self._raw = _SPACE_RUN.sub(" ", self.file.text[self.start : self.end]).strip()
        return self._raw

    def source_char(self, index: int) -> str:
        """The first source character of token `index` (a quote when the token was quoted)."""
        line, column = self.pos[index]
        if column <= 0:
            return ""
        offset = self.file.line_starts[line - 1] + column - 1
        return self.file.text[offset : offset + 1]

    def __repr__(self) -> str:
        return f"Node({self.name!r}, {self.args!r}, line={self.line})"


# blocks whose entries are `key value;` pairs that never open a block of their own
_TABLE_BLOCKS = frozenset({"map", "geo", "types", "split_clients", "charset_map", "match"})


class ParsedFile:
    """One parsed file: its top-level nodes, comments, problems and the directives other passes index."""

    def __init__(self, path: str, abs_path: Optional[Path], text: str) -> None:
        self.path = path
        self.abs_path = abs_path
        self.text = text
        self.line_starts = [0] + [m.end() for m in _NEWLINE.finditer(text)]
        self.nodes: list[Node] = []
        self.comments: list[Comment] = []
        self.problems: list[ParseProblem] = []
        self.includes: list[Node] = []
        self.maps: list[Node] = []
        self.sets: list[Node] = []
        self.broken: set[int] = set()  # ids of blocks nginx refuses to read (a `{` inside a map entry)

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]

    def line_of(self, offset: int) -> int:
        return bisect_right(self.line_starts, offset)

    def problem(self, line: int, column: int, message: str) -> None:
        self.problems.append(ParseProblem(Location(self.path, line, column), message, SOURCE))


def lex(source: str) -> Iterator[Token]:
    """crossplane's tokens for `source` (same text, line and quoted flag, Lua extension included) with their offsets.

    Plain words (escapes included), quoted strings, comments and `{`/`}`/`;` are read a whole token per regex
    match; anything unusual (`${…}`, a quote inside a word, a backslash before a newline, an unclosed string)
    is lexed character by character with crossplane's own rules up to the next `{`, `}` or `;`, then the
    fast path resumes.
    """
    if _EXTERNAL_LEXER_MARK in source:
        return crossplane_tokens(source)
    return _lex_fast(source)


def _lex_fast(source: str) -> Iterator[Token]:
    pos, line, size = 0, 1, len(source)
    words: dict[str, str] = {}  # one string per distinct word: directive names and values repeat thousands of times
    while pos < size:
        for match in _FAST.finditer(source, pos):
            kind = match.lastindex
            space = match.group(1)
            if space and "\n" in space:
                line += space.count("\n")
            start = match.end(1)
            if kind == 5:
                word = match.group(5)
                end = match.end()
                # a quote, a lone backslash or `${` right after the word, or the end of the file, changes it
                after = source[end] if end < size else "\\"
                if after in _WORD_ENDS or (after == "{" and word[-1] == "$"):
                    break
                yield words.setdefault(word, word), line, False, start, end
            elif kind == 4:
                quoted = match.group(4)
                text = quoted[1:-1]
                if "\\" in text:
                    mark = quoted[0]
                    text = _PAIR.sub(lambda m: mark if m.group() == "\\" + mark else m.group(), text)
                yield text, line, True, start, match.end()
                if "\n" in quoted:
                    line += quoted.count("\n")
            elif kind != 6:
                yield match.group(kind), line, False, start, match.end()
            else:
                break
        else:
            return
        pos, line = yield from _lex_exact(source, start, line)


def _lex_exact(source: str, pos: int, line: int) -> Generator[Token, None, tuple[int, int]]:
    """crossplane's lexer loop, transcribed over (char, line, start, end) units, from a point where no token is open.

    Stops after the next `{`, `}` or `;` (no token is open there either) and returns where it stopped.
    """
    units = _units(source, pos, line)
    token, token_line, token_start, token_end = "", 0, -1, -1
    done = (len(source), line)
    for char, line, start, end in units:
        if char.isspace():
            if token:
                yield token, token_line, False, token_start, token_end
                token = ""
            while char.isspace():
                unit = next(units, None)
                if unit is None:
                    return done
                char, line, start, end = unit
        if not token and char == "#":
            comment_line, comment_start = line, start
            while not char.endswith("\n"):
                token, token_end = token + char, end
                unit = next(units, None)
                if unit is None:
                    return done
                char, _, _, end = unit
            yield token, comment_line, False, comment_start, token_end
            token = ""
            continue
        if not token:
            token_line, token_start = line, start
        if token and token[-1] == "$" and char == "{":
            while token[-1] != "}" and not char.isspace():
                token, token_end = token + char, end
                unit = next(units, None)
                if unit is None:
                    return done
                char, line, start, end = unit
        if char in ('"', "'"):
            if token:
                token, token_end = token + char, end
                continue
            quote, quote_line, quote_start = char, line, start
            unit = next(units, None)
            if unit is None:
                return done
            char, line, start, end = unit
            while char != quote:
                token += quote if char == "\\" + quote else char
                unit = next(units, None)
                if unit is None:
                    return done
                char, line, start, end = unit
            yield token, quote_line, True, quote_start, end
            token = ""
            continue
        if char in ("{", "}", ";"):
            if token:
                yield token, token_line, False, token_start, token_end
            yield char, line, False, start, end
            return end, line
        token, token_end = token + char, end
    return done


def _units(source: str, pos: int, line: int) -> Iterator[tuple[str, int, int, int]]:
    """crossplane's characters: a backslash and the next character are one; the line counts the newlines read so far."""
    end = len(source)
    while pos < end:
        step = 2 if source[pos] == "\\" else 1
        if pos + step > end:
            return
        char = source[pos : pos + step]
        if char[-1] == "\n":
            line += 1
        yield char, line, pos, pos + step
        pos += step


def crossplane_tokens(source: str) -> Iterator[Token]:
    """crossplane's own lexer (the reference), each token located in `source` by scanning forward."""
    from crossplane.lexer import _lex_file_object

    whitespace = _WS.match
    cursor = 0
    for token, line, quoted in _lex_file_object([source]):
        start = whitespace(source, cursor).end()
        end = -1
        if quoted:
            pattern = _QUOTED.get(source[start : start + 1])
            match = pattern.match(source, start) if pattern else None
            if match is not None:
                end = match.end()
            elif source.startswith("{", start) and source.startswith(token, start + 1):
                end = start + len(token) + 2
        elif source.startswith(token, start):
            end = start + len(token)
        elif token == ";":
            start = end = cursor
        if end < 0:
            found = source.find(token, cursor)
            start, end = (found, found + len(token)) if found >= 0 else (-1, -1)
        if end >= 0:
            cursor = end
        yield token, line, quoted, start, end


def parse_text(path: str, text: str, abs_path: Optional[Path] = None) -> ParsedFile:
    """Lex `text` with crossplane and build the tree without recursion; never raises on bad input."""
    parsed = ParsedFile(path, abs_path, text)
    _TreeBuilder(parsed).run(neutralise_templates(text) if has_templates(text) else text)
    return parsed


class _TreeBuilder:
    """Consumes positioned tokens; keeps the open-block stack, the directive being read and pending comments."""

    def __init__(self, parsed: ParsedFile) -> None:
        self.parsed = parsed
        self.stack: list[tuple[list[Node], Optional[Node]]] = [(parsed.nodes, None)]
        self.current: Optional[Node] = None
        self.last: Optional[Node] = None
        self.pending: list[list] = []
        self.comments: list[list] = []
        self.cursor = 0
        self.last_line = 1
        self.refused_ifs: set[int] = set()  # server-level `if` blocks already reported for an add_header in them
        self.muted = 0  # the depth of a block opened by mistake: nginx stopped before it, so its errors are not its

    def run(self, text: str) -> None:
        source = text if text.endswith("\n") else text + "\n"
        try:
            self._consume(source)
        except Exception as exc:  # crossplane's Lua lexer raises its own syntax errors
            line = getattr(exc, "lineno", None) or self.last_line
            self.parsed.problem(line, 0, f"cannot parse: {getattr(exc, 'strerror', None) or exc}")
        self._finish(source)

    def _consume(self, source: str) -> None:
        """The hot loop: attach each positioned token to the tree."""
        starts = self.parsed.line_starts
        lines = len(starts)
        structural = {";": self._semicolon, "{": self._open, "}": self._close}
        quoted_end = -2
        for token, line, quoted, start, end in lex(source):
            self.last_line = line
            if end >= 0:
                self.cursor = end
            glued = start == quoted_end and token[0] != ")"  # nginx allows `)` right after a quote (`if ($a = 'b')`)
            quoted_end = end if quoted else -2
            if not quoted:
                handler = structural.get(token)
                if handler is not None:
                    handler(line, start)
                    continue
                if token[0] == "#":
                    self._comment(token, line, start)
                    continue
            column = start - starts[line - 1] + 1 if start >= 0 and line <= lines else 0
            if glued:
                shown = source[start] if start >= 0 else token[:1]
                self.parsed.problem(line, column if column > 0 else 0, f'unexpected "{shown}" (a quoted argument must be followed by a space, ";" or "{{")')
            node = self.current
            if node is not None and not quoted and token in _ARITY and node.name in _ARITY and line > node.pos[-1][0]:
                self._missing_semicolon(node)
                node = None
            if node is None:
                self._begin(token, line, column if column > 0 else 0, start, end)
            else:
                node.args.append(token)
                node.pos.append((line, column if column > 0 else 0))
                if end >= 0:
                    node.end = end

    def _column(self, line: int, start: int) -> int:
        starts = self.parsed.line_starts
        if start < 0 or line > len(starts):
            return 0
        column = start - starts[line - 1] + 1
        return column if column > 0 else 0

    def _begin(self, token: str, line: int, column: int, start: int, end: int) -> None:
        node = Node(token, (line, column), start, end, self.parsed)
        self.stack[-1][0].append(node)
        self.current = self.last = node
        if token in _INDEXED:
            getattr(self.parsed, _INDEXED[token]).append(node)
        if self.pending:
            for entry in self.pending:
                entry[4] = node
            self.pending.clear()

    def _semicolon(self, line: int, start: int) -> None:
        node = self.current
        if node is None:
            self.parsed.problem(line, self._column(line, start), 'unexpected ";"')
            return
        node.end_line = line
        self.current = None
        self.last = node
        self._check_arity(node, line)
        self._check_context(node, line)

    def _check_context(self, node: Node, line: int) -> None:
        """`add_header` and `more_set_headers` in an `if` directly in a `server` (allowed only in an `if` in a location):
        `nginx -t` refuses the configuration (nginx 1.22: `"add_header" directive is not allowed here`)."""
        if node.name not in _LOCATION_IF_ONLY or len(self.stack) < 3:
            return
        enclosing, outer = self.stack[-1][1], self.stack[-2][1]
        if enclosing is not None and outer is not None and enclosing.name == "if" and outer.name == "server":
            if id(enclosing) not in self.refused_ifs:  # nginx stops at the first one
                self.refused_ifs.add(id(enclosing))
                self.parsed.problem(line, node.pos[0][1], f'"{node.name}" directive is not allowed here')

    def _check_arity(self, node: Node, line: int) -> None:
        bounds = _ARITY.get(node.name)
        if bounds is None:
            return
        fewest, most = bounds
        if len(node.args) < fewest or (most is not None and len(node.args) > most):
            self.parsed.problem(line, node.pos[0][1], f'invalid number of arguments in "{node.name}" directive')

    def _missing_semicolon(self, node: Node) -> None:
        """A directive name on a new line while the previous directive is still open: its `;` is missing. nginx
        reads the next line as more arguments and refuses the file; corslint reads the two directives apart."""
        line, column = node.pos[-1]
        self.parsed.problem(
            line, column,
            f'invalid number of arguments in "{node.name}" directive: the ";" at the end of line {line} is missing, '
            "so nginx reads the next directive as more arguments",
        )
        node.end_line = line
        self.current = None
        self.last = node

    def _open(self, line: int, start: int) -> None:
        node = self.current
        enclosing = self.stack[-1][1]
        if node is not None and enclosing is not None and enclosing.name in _TABLE_BLOCKS:
            # an entry of a map-like block takes no block: nginx stops at this `{` (an unquoted `{1,5}` in a regex)
            self.parsed.problem(line, self._column(line, start), 'unexpected "{"')
            self.parsed.broken.add(id(enclosing))
            self.muted = self.muted or len(self.stack) + 1
        if node is None:
            self.parsed.problem(line, self._column(line, start), 'unexpected "{"')
            node = Node("", (line, self._column(line, start)), start, start, self.parsed)
            self.stack[-1][0].append(node)
        node.children = []
        self.stack.append((node.children, node))
        self.current = None
        self.last = node
        self._flush_pending()

    def _close(self, line: int, start: int) -> None:
        muted = bool(self.muted) and len(self.stack) >= self.muted
        if self.muted and len(self.stack) == self.muted:
            self.muted = 0
        if self.current is not None:
            if not muted:
                self.parsed.problem(line, self._column(line, start), 'unexpected "}"')
            self.current.end_line = line
            self.current = None
        self._flush_pending()
        if len(self.stack) == 1:
            self.parsed.problem(line, self._column(line, start), 'unexpected "}"')
            return
        _, block = self.stack.pop()
        assert block is not None
        block.end_line = line
        self.last = block

    def _comment(self, token: str, line: int, start: int) -> None:
        column = self._column(line, start)
        starts = self.parsed.line_starts
        own_line = start >= 0 and line <= len(starts) and not self.parsed.text[starts[line - 1] : start].strip()
        entry = [line, column, token[1:].rstrip("\r"), own_line, None]
        if own_line and self.current is None:
            self.pending.append(entry)
        else:
            entry[4] = self.current or self.last
        self.comments.append(entry)

    def _flush_pending(self) -> None:
        self.pending.clear()

    def _finish(self, source: str) -> None:
        parsed = self.parsed
        rest = source[self.cursor :]
        if rest.strip():
            offset = self.cursor + len(rest) - len(rest.lstrip())
            line = parsed.line_of(offset)
            if source[offset] in "\"'":
                parsed.problem(line, self._column(line, offset), "unexpected end of file: this quoted string is never closed")
            else:
                parsed.problem(line, self._column(line, offset), "cannot parse the rest of the file from here")
        last_line = max(1, len(parsed.line_starts) - (1 if parsed.text.endswith("\n") else 0))
        if self.current is not None:
            parsed.problem(last_line, 0, 'unexpected end of file, expecting ";" or "}"')
            self.current.end_line = last_line
        for _, block in reversed(self.stack[1:]):
            assert block is not None
            parsed.problem(
                last_line, 0, f'unexpected end of file, expecting "}}" (the block `{block.raw()}` at line {block.line} is not closed)'
            )
            block.end_line = last_line
        parsed.comments = [self._make_comment(entry) for entry in self.comments]

    def _make_comment(self, entry: list) -> Comment:
        line, column, text, own_line, node = entry
        covers = (node.line, max(node.line, node.end_line)) if node is not None else (line, line)
        return Comment(self.parsed.path, line, column, text, own_line, covers, SOURCE)
