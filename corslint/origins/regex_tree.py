"""Python `re` parse trees: walking them, counting their paths, and testing characters against their items."""

from __future__ import annotations

import math
import re
from typing import Any, Callable, Iterable

try:
    from re import _constants as sre_constants
except ImportError:  # Python 3.10
    import sre_constants


OP = sre_constants
REPEATS = {OP.MAX_REPEAT, OP.MIN_REPEAT} | ({OP.POSSESSIVE_REPEAT} if hasattr(OP, "POSSESSIVE_REPEAT") else set())
ATOMIC = getattr(OP, "ATOMIC_GROUP", None)
UNBOUNDED = OP.MAXREPEAT
IC = re.IGNORECASE
_UNSUPPORTED_IN_VM = {OP.GROUPREF, OP.GROUPREF_EXISTS, OP.ASSERT, OP.ASSERT_NOT, ATOMIC}
if hasattr(OP, "POSSESSIVE_REPEAT"):
    _UNSUPPORTED_IN_VM.add(OP.POSSESSIVE_REPEAT)
STRING_LENGTH = 64


def _children(op: Any, av: Any) -> Iterable[Any]:
    if op is OP.SUBPATTERN:
        return [av[3]]
    if op is OP.BRANCH:
        return av[1]
    if op in REPEATS:
        return [av[2]]
    if op in (OP.ASSERT, OP.ASSERT_NOT):
        return [av[1]]
    if op is OP.GROUPREF_EXISTS:
        return [b for b in av[1:] if b is not None]
    if op is ATOMIC:
        return [av]
    return []


def uses_unsupported(seq: Any) -> bool:
    return any(
        op in _UNSUPPORTED_IN_VM or any(uses_unsupported(child) for child in _children(op, av)) for op, av in seq
    )


def count_paths(seq: Any) -> float:
    """Upper bound on the ways a backtracking engine can split a short string over `seq`."""
    total = 1.0
    for op, av in seq:
        total = min(total * _item_paths(op, av), float("inf"))
    return total


def _item_paths(op: Any, av: Any) -> float:
    if op is OP.BRANCH:
        return sum(count_paths(alt) for alt in av[1])
    if op in REPEATS:
        low, high, body = av
        inner = count_paths(body)
        if high == UNBOUNDED:
            return STRING_LENGTH if inner == 1 else float("inf")
        count = max(1, min(high, STRING_LENGTH) - min(low, STRING_LENGTH) + 1)
        return count * (_power(inner, min(high, STRING_LENGTH)) if inner > 1 else 1)
    result = 1.0
    for child in _children(op, av):
        result *= count_paths(child)
    return result


def _power(base: float, exponent: int) -> float:
    return float("inf") if exponent * math.log10(base) > 30 else base**exponent


def is_single_char(seq: Any) -> bool:
    items = list(seq)
    return len(items) == 1 and items[0][0] in (OP.LITERAL, OP.NOT_LITERAL, OP.ANY, OP.IN)


WORD_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
_CATEGORY_TESTS: dict[object, Callable[[str], bool]] = {
    OP.CATEGORY_DIGIT: lambda c: "0" <= c <= "9",
    OP.CATEGORY_NOT_DIGIT: lambda c: not "0" <= c <= "9",
    OP.CATEGORY_WORD: lambda c: c in WORD_CHARS,
    OP.CATEGORY_NOT_WORD: lambda c: c not in WORD_CHARS,
    OP.CATEGORY_SPACE: lambda c: c in " \t\n\r\f\v",
    OP.CATEGORY_NOT_SPACE: lambda c: c not in " \t\n\r\f\v",
}


class CharTest:
    """Membership test for one regex atom (literal, class, any), memoised per character."""

    __slots__ = ("_test", "_ic", "_memo")

    def __init__(self, test: Callable[[str], bool], ignore_case: bool) -> None:
        self._test = test
        self._ic = ignore_case
        self._memo: dict[str, bool] = {}

    def __call__(self, c: str) -> bool:
        hit = self._memo.get(c)
        if hit is None:
            hit = self._test(c) or (self._ic and (self._test(c.lower()) or self._test(c.upper())))
            self._memo[c] = hit
        return hit


def char_test(op: Any, av: Any, flags: int) -> CharTest:
    ignore_case = bool(flags & IC)
    if op is OP.LITERAL:
        return CharTest(lambda c, v=chr(av): c == v, ignore_case)
    if op is OP.NOT_LITERAL:
        literal = CharTest(lambda c, v=chr(av): c == v, ignore_case)
        return CharTest(lambda c: not literal(c), False)
    if op is OP.ANY:
        dotall = bool(flags & re.DOTALL)
        return CharTest(lambda c: dotall or c != "\n", False)
    return _class_test(av, ignore_case)


def _class_test(items: list[tuple[object, object]], ignore_case: bool) -> CharTest:
    negated = any(op is OP.NEGATE for op, _ in items)
    tests: list[Callable[[str], bool]] = []
    for op, av in items:
        if op is OP.LITERAL:
            tests.append(lambda c, v=chr(av): c == v)
        elif op is OP.RANGE:
            tests.append(lambda c, lo=av[0], hi=av[1]: lo <= ord(c) <= hi)
        elif op is OP.CATEGORY:
            tests.append(_CATEGORY_TESTS.get(av, lambda c: False))
    positive = CharTest(lambda c: any(t(c) for t in tests), ignore_case)
    return CharTest((lambda c: not positive(c)) if negated else positive, False)
