"""The bounded matcher: `re` where backtracking is safe, else a Thompson/Pike automaton with a step budget."""

from __future__ import annotations

import re
import warnings
from typing import Any, NamedTuple, Optional, Union

try:
    from re import _parser as sre_parse
except ImportError:  # Python 3.10
    import sre_parse

from corslint.model import MatchMode
from corslint.origins.dialects import glob_to_regex, group_depth, translate
from corslint.origins.memo import COMPILED, COMPILED_WEIGHT, INSTRUCTION_WEIGHT, MISSING, SMALL_WEIGHT
from corslint.origins.regex_tree import IC, OP, REPEATS, UNBOUNDED, WORD_CHARS, char_test, count_paths, uses_unsupported
from corslint.origins.report import (
    BACKTRACK_LIMIT,
    BUDGET_ERROR,
    DIALECTS,
    MAX_GROUP_DEPTH,
    MAX_PATTERN_CHARS,
    MAX_PROGRAM,
    Exhausted,
    Refused,
)

_CHAR, _SPLIT, _JUMP, _ASSERT, _MATCH = range(5)


class Program:
    """A flat NFA: parallel lists of opcodes and arguments."""

    def __init__(self) -> None:
        self.ops: list[int] = []
        self.arg1: list[object] = []
        self.arg2: list[object] = []

    def emit(self, op: int, a: object = None, b: object = None) -> int:
        if len(self.ops) >= MAX_PROGRAM:
            raise Refused(BUDGET_ERROR, exhausted=True)
        self.ops.append(op)
        self.arg1.append(a)
        self.arg2.append(b)
        return len(self.ops) - 1

    def patch(self, index: int, a: object = None, b: object = None) -> None:
        self.arg1[index], self.arg2[index] = a, b

    def compile_seq(self, seq: Any, flags: int) -> None:
        for op, av in seq:
            self.compile_item(op, av, flags)

    def compile_item(self, op: Any, av: Any, flags: int) -> None:
        if op in (OP.LITERAL, OP.NOT_LITERAL, OP.ANY, OP.IN):
            self.emit(_CHAR, char_test(op, av, flags))
        elif op is OP.SUBPATTERN:
            _, add, remove, body = av
            self.compile_seq(body, (flags | add) & ~remove)
        elif op is OP.BRANCH:
            self._branch(av[1], flags)
        elif op in REPEATS:
            self._repeat(*av, flags)
        elif op is OP.AT:
            self.emit(_ASSERT, av, flags)
        else:
            raise Refused(f"{BUDGET_ERROR} (uses {op} together with nested repetition)", exhausted=True)

    def _branch(self, alternatives: list[Any], flags: int) -> None:
        exits = []
        for alt in alternatives[:-1]:
            split = self.emit(_SPLIT)
            self.compile_seq(alt, flags)
            exits.append(self.emit(_JUMP))
            self.patch(split, split + 1, len(self.ops))
        self.compile_seq(alternatives[-1], flags)
        for index in exits:
            self.patch(index, len(self.ops))

    def _repeat(self, low: int, high: int, body: Any, flags: int) -> None:
        for _ in range(low):
            self.compile_seq(body, flags)
        if high == UNBOUNDED:
            split = self.emit(_SPLIT)
            self.compile_seq(body, flags)
            self.emit(_JUMP, split)
            self.patch(split, split + 1, len(self.ops))
            return
        splits = []
        for _ in range(high - low):
            splits.append(self.emit(_SPLIT))
            self.compile_seq(body, flags)
        for split in splits:
            self.patch(split, split + 1, len(self.ops))


def _assert_holds(code: Any, flags: int, text: str, pos: int) -> bool:
    size = len(text)
    multiline = bool(flags & re.MULTILINE)
    if code is OP.AT_BEGINNING:
        return pos == 0 or (multiline and text[pos - 1] == "\n")
    if code is OP.AT_BEGINNING_STRING:
        return pos == 0
    if code is OP.AT_END:
        return pos == size or (pos == size - 1 and text[pos] == "\n") or (multiline and text[pos] == "\n")
    if code is OP.AT_END_STRING:
        return pos == size
    before = pos > 0 and text[pos - 1] in WORD_CHARS
    after = pos < size and text[pos] in WORD_CHARS
    return (before != after) if code is OP.AT_BOUNDARY else (before == after)


def vm_accepts(program: Program, text: str, mode: MatchMode, budget: list[int]) -> bool:
    ops, arg1, arg2 = program.ops, program.arg1, program.arg2
    final = len(ops) - 1

    def closure(starts: list[int], pos: int, seen: set[int]) -> None:
        stack = starts
        while stack:
            pc = stack.pop()
            if pc in seen:
                continue
            seen.add(pc)
            budget[0] -= 1
            if budget[0] < 0:
                raise Exhausted()
            op = ops[pc]
            if op == _JUMP:
                stack.append(arg1[pc])
            elif op == _SPLIT:
                stack.extend((arg2[pc], arg1[pc]))
            elif op == _ASSERT and _assert_holds(arg1[pc], arg2[pc], text, pos):
                stack.append(pc + 1)

    current: set[int] = set()
    closure([0], 0, current)
    for pos in range(len(text) + 1):
        if pos and mode is MatchMode.SEARCH:
            closure([0], pos, current)
        if final in current and (mode is not MatchMode.FULLMATCH or pos == len(text)):
            return True
        if pos == len(text) or (not current and mode is not MatchMode.SEARCH):
            return False
        char = text[pos]
        advanced = [pc + 1 for pc in current if ops[pc] == _CHAR and arg1[pc](char)]
        current = set()
        closure(advanced, pos + 1, current)
    return False


class Compiled(NamedTuple):
    """A pattern ready to test origins: by Python `re` when safe, else by the bounded automaton."""

    tree: Any
    flags: int
    mode: MatchMode
    regex: Optional["re.Pattern[str]"]
    program: Optional[Program]
    spells_null: bool

    def accepts(self, text: str, budget: list[int]) -> bool:
        if self.regex is not None:
            method = {MatchMode.SEARCH: self.regex.search, MatchMode.MATCH: self.regex.match}.get(
                self.mode, self.regex.fullmatch
            )
            return method(text) is not None
        return vm_accepts(self.program, text, self.mode, budget)


def as_mode(mode: Union[MatchMode, str]) -> MatchMode:
    return mode if isinstance(mode, MatchMode) else MatchMode(str(mode))


def compile_pattern(pattern: str, dialect: str, mode: MatchMode, ignore_case: bool) -> Union[Compiled, Refused]:
    """The compiled pattern, cached by the same key as its report; weighed by its size, automaton included."""
    key = (pattern, dialect, mode, ignore_case)
    compiled = COMPILED.lookup(key)
    if compiled is MISSING:
        compiled = _compile_uncached(pattern, dialect, mode, ignore_case)
        COMPILED.store(key, compiled, _compiled_weight(pattern, compiled))
    return compiled


def _compiled_weight(pattern: str, compiled: Union[Compiled, Refused]) -> int:
    if isinstance(compiled, Refused):
        return SMALL_WEIGHT + len(pattern)
    program = len(compiled.program.ops) if compiled.program is not None else 0
    return COMPILED_WEIGHT + program * INSTRUCTION_WEIGHT + len(pattern)


def _compile_uncached(pattern: str, dialect: str, mode: MatchMode, ignore_case: bool) -> Union[Compiled, Refused]:
    try:
        return _compile_checked(pattern, dialect, mode, ignore_case)
    except Refused as refused:
        return Refused(str(refused), exhausted=refused.exhausted)
    except RecursionError:
        return Refused(f"{BUDGET_ERROR} (nested too deeply)", exhausted=True)
    except (re.error, ValueError, TypeError, OverflowError, IndexError, KeyError) as error:
        return Refused(f"cannot be compiled: {error}", exhausted=False)


def _compile_checked(pattern: str, dialect: str, mode: MatchMode, ignore_case: bool) -> Compiled:
    if len(pattern) > MAX_PATTERN_CHARS:
        raise Refused(f"{BUDGET_ERROR} (longer than {MAX_PATTERN_CHARS} characters)", exhausted=True)
    if mode is not MatchMode.GLOB and dialect not in DIALECTS:
        raise Refused(f"unknown regex dialect {dialect!r}", exhausted=False)
    if group_depth(pattern) > MAX_GROUP_DEPTH:
        raise Refused(f"{BUDGET_ERROR} (groups nested more than {MAX_GROUP_DEPTH} deep)", exhausted=True)
    if mode is MatchMode.GLOB:
        text, mode, lifted_ic = glob_to_regex(pattern), MatchMode.FULLMATCH, False
    else:
        text, lifted_ic = translate(pattern, dialect)
    flags = re.ASCII | (IC if ignore_case or lifted_ic else 0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tree = sre_parse.parse(text, flags)
        flags = tree.state.flags
        spells_null = "null" in pattern.lower()
        if count_paths(tree) <= BACKTRACK_LIMIT:
            return Compiled(tree, flags, mode, re.compile(text, flags), None, spells_null)
    if uses_unsupported(tree):
        raise Refused(
            f"{BUDGET_ERROR} (nested repetition combined with look-around, backreferences or atomic groups)",
            exhausted=True,
        )
    program = Program()
    program.compile_seq(tree, flags)
    program.emit(_MATCH)
    return Compiled(tree, flags, mode, None, program, spells_null)
