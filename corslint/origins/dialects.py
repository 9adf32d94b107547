"""Origin-pattern dialects (PCRE, Python, JavaScript, Go, POSIX ERE, globs) translated to Python `re` syntax."""

from __future__ import annotations

import re

from corslint.lazy_regex import lazy

_JS_LITERAL = lazy(r"/(.*)/([dgimsuyv]*)", re.S)
_NAMED_GROUP = lazy(r"\(\?(?:P?<([A-Za-z_]\w*)>|'([A-Za-z_]\w*)')")
_INLINE_FLAGS = lazy(r"\(\?([imsxnUJu]*)(?:-([imsxnUJu]*))?([:)])")
_NAMED_REF = lazy(r"\\k(?:<([A-Za-z_]\w*)>|\{([A-Za-z_]\w*)\}|'([A-Za-z_]\w*)')")
_HEX_BRACED = lazy(r"\\[xu]\{([0-9A-Fa-f]{1,6})\}")
_POSIX_CLASS = lazy(r"\[:(\^?)([a-z]+):\]")
_POSIX = {
    "alpha": "a-zA-Z", "digit": "0-9", "alnum": "a-zA-Z0-9", "upper": "A-Z", "lower": "a-z", "word": r"\w",
    "space": r" \t\r\n\v\f", "blank": r" \t", "xdigit": "0-9A-Fa-f", "cntrl": r"\x00-\x1f\x7f",
    "print": r"\x20-\x7e", "graph": r"\x21-\x7e", "punct": r"!-/:-@\[-`{-~",
}


class _Translator:
    """Rewrites one pattern from a dialect into Python syntax; collects flags it had to lift out."""

    def __init__(self, pattern: str, dialect: str) -> None:
        self.src = pattern
        self.dialect = dialect
        self.out: list[str] = []
        self.flags = ""
        self.i = 0

    def run(self) -> tuple[str, str]:
        in_class = False
        while self.i < len(self.src):
            ch = self.src[self.i]
            if ch == "\\":
                self._escape(in_class)
            elif in_class:
                in_class = self._class_char(ch)
            elif ch == "[":
                in_class = self._open_class()
            elif ch == "(" and self.src.startswith("(?", self.i):
                self._group()
            else:
                self.out.append(ch)
                self.i += 1
        lifted = "".join(sorted(set(self.flags) & set("imsx")))
        return ("(?" + lifted + ")" if lifted else "") + "".join(self.out), self.flags

    def _escape(self, in_class: bool) -> None:
        src, i = self.src, self.i
        nxt = src[i + 1 : i + 2]
        if nxt == "Q" and self.dialect != "js":
            end = src.find("\\E", i + 2)
            end = len(src) if end < 0 else end
            self.out.append(re.escape(src[i + 2 : end]))
            self.i = end + 2
            return
        braced = _HEX_BRACED.match(src, i)
        named = _NAMED_REF.match(src, i)
        if braced:
            self.out.append(re.escape(chr(min(int(braced.group(1), 16), 0x10FFFF))))
            self.i = braced.end()
        elif named and not in_class:
            self.out.append(f"(?P={next(g for g in named.groups() if g)})")
            self.i = named.end()
        else:
            self.out.append(_escape_for(self.dialect, nxt))
            self.i += 2

    def _open_class(self) -> bool:
        src = self.src
        self.i += 1
        negated = src.startswith("^", self.i)
        self.i += negated
        if src.startswith("]", self.i) and self.dialect == "js":
            self.out.append(r"[\s\S]" if negated else "(?!)")
            self.i += 1
            return False
        self.out.append("[^" if negated else "[")
        if src.startswith("]", self.i):
            self.out.append(r"\]")
            self.i += 1
        return True

    def _class_char(self, ch: str) -> bool:
        posix = _POSIX_CLASS.match(self.src, self.i) if self.dialect != "js" else None
        if posix and posix.group(2) in _POSIX and not posix.group(1):
            self.out.append(_POSIX[posix.group(2)])
            self.i = posix.end()
            return True
        self.i += 1
        if ch == "]":
            self.out.append("]")
            return False
        self.out.append("\\" + ch if ch in "[&~|" else ch)
        return True

    def _group(self) -> None:
        named = _NAMED_GROUP.match(self.src, self.i)
        flags = _INLINE_FLAGS.match(self.src, self.i)
        if named:
            self.out.append(f"(?P<{named.group(1) or named.group(2)}>")
            self.i = named.end()
        elif flags and (flags.group(1) or flags.group(2) is not None):
            on, off, end = flags.group(1), flags.group(2) or "", flags.group(3)
            on_kept, off_kept = _py_flags(on), _py_flags(off)
            if end == ")":
                self.flags += on_kept
            else:
                self.out.append("(?" + on_kept + ("-" + off_kept if off_kept else "") + ":")
            self.i = flags.end()
        else:
            self.out.append("(")
            self.i += 1


def _py_flags(letters: str) -> str:
    return "".join(ch for ch in letters if ch in "imsx")


_ESCAPES = {"z": r"\Z", "Z": r"\Z", "/": "/"}
_PCRE_ESCAPES = {"h": r"[ \t]", "e": r"\x1b"}
_JS_ESCAPE_LETTERS = frozenset("dDwWsSbBnrtvf0xuck")


def _escape_for(dialect: str, char: str) -> str:
    if dialect == "js" and char.isascii() and char.isalpha() and char not in _JS_ESCAPE_LETTERS:
        return char
    if dialect != "js" and char in _PCRE_ESCAPES:
        return _PCRE_ESCAPES[char]
    return _ESCAPES.get(char, "\\" + char)


def translate(pattern: str, dialect: str) -> tuple[str, bool]:
    """Python-syntax pattern and whether an inline or literal flag asks for case-insensitivity."""
    ignore_case = False
    if dialect == "js":
        literal = _JS_LITERAL.fullmatch(pattern)
        if literal:
            pattern = literal.group(1)
            ignore_case = "i" in literal.group(2)
    if dialect == "python":
        return pattern, ignore_case
    text, flags = _Translator(pattern, dialect).run()
    return text, ignore_case or "i" in flags


def glob_to_regex(pattern: str) -> str:
    if pattern.strip() == "*":
        return ".*"
    return "[A-Za-z0-9-]+".join(re.escape(part) for part in pattern.strip().split("*"))


def group_depth(pattern: str) -> int:
    depth = deepest = 0
    escaped = in_class = False
    for ch in pattern:
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        elif ch == "(":
            depth += 1
            deepest = max(deepest, depth)
        elif ch == ")":
            depth = max(depth - 1, 0)
    return deepest
