"""Sample strings a pattern accepts: what its author most plausibly wrote."""

from __future__ import annotations

from typing import Any

from corslint.origins.regex_tree import ATOMIC, OP, REPEATS, STRING_LENGTH, CharTest, char_test, is_single_char
from corslint.origins.report import GEN_CAP

_PREFERRED = "apxbcdefghijklmnoqrstuvwyz1234567890.-:/_ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_MAX_SAMPLE = 300


def pattern_samples(seq: Any, flags: int) -> list[str]:
    """Strings the sequence plausibly stands for, most plausible first (capped)."""
    results = [""]
    for op, av in seq:
        options = _item_samples(op, av, flags)
        results = list(
            dict.fromkeys(a + b for a in results for b in options if len(a) + len(b) <= _MAX_SAMPLE)
        )[:GEN_CAP]
        if not results:
            return []
    return results


def _item_samples(op: Any, av: Any, flags: int) -> list[str]:
    if op is OP.LITERAL:
        return [chr(av)]
    if op is OP.ANY:
        return ["."]
    if op in (OP.NOT_LITERAL, OP.IN):
        return _first_chars(char_test(op, av, flags), 1)
    if op is OP.SUBPATTERN:
        _, add, remove, body = av
        return pattern_samples(body, (flags | add) & ~remove)
    if op is OP.BRANCH:
        return list(dict.fromkeys(sample for alt in av[1] for sample in pattern_samples(alt, flags)))[: GEN_CAP * 2]
    if op in REPEATS:
        return _repeat_samples(*av, flags)
    if op is OP.GROUPREF_EXISTS:
        return [s for branch in av[1:] if branch is not None for s in pattern_samples(branch, flags)]
    if op is ATOMIC:
        return pattern_samples(av, flags)
    return [""]


def _first_chars(test: CharTest, count: int) -> list[str]:
    return [c for c in _PREFERRED if test(c)][:count]


def _repeat_samples(low: int, high: int, body: Any, flags: int) -> list[str]:
    if low > STRING_LENGTH:
        return []
    items = list(body)
    if is_single_char(items):
        op, av = items[0]
        if op is OP.ANY and high == 1:
            return ([""] if low == 0 else []) + ["."]
        return _word_samples(char_test(op, av, flags), low, high)
    inner = pattern_samples(body, flags)
    options = [""] if low == 0 else []
    return options + [s * max(low, 1) for s in inner if low or high >= 1]


def _word_samples(test: CharTest, low: int, high: int) -> list[str]:
    words = [""] if low == 0 else []
    if high == 1:
        return words + _first_chars(test, 1)
    plausible = [w for w in ("app", "3000") if low <= len(w) <= high and all(test(c) for c in w)][:1]
    if plausible != ["app"]:
        plausible += [c * max(low, 1) for c in _first_chars(test, 1)]
    return list(dict.fromkeys(words + plausible))
