"""Per-process result tables bounded by entry count and by approximate memory."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any, Hashable, TypeVar

_T = TypeVar("_T")
MISSING = object()


class Memo:
    """A least-recently-used table bounded by entry count and by total weight (roughly, bytes kept alive).

    Each origin rule of each policy asks for its pattern's analysis, so a run asks for the same pattern once per
    policy and rule; the tables must hold every pattern of a run or a cyclic walk over more patterns than they
    hold evicts everything before it is asked for again. Results that are small (reports, booleans, example
    origins) therefore get a bound far above any realistic count of distinct patterns in one run, while the weight
    bound keeps a tree of millions of distinct (or very long) patterns from growing memory without limit.
    Thread-safe, like the `functools.lru_cache` it replaces.
    """

    def __init__(self, max_entries: int, max_weight: int) -> None:
        self.max_entries = max_entries
        self.max_weight = max_weight
        self._data: "OrderedDict[Hashable, tuple[Any, int]]" = OrderedDict()
        self._weight = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._data)

    def lookup(self, key: Hashable) -> Any:
        """The value remembered for `key`, or MISSING. Lock-free: this is the hot path."""
        hit = self._data.get(key, MISSING)
        if hit is MISSING:
            return MISSING
        try:
            self._data.move_to_end(key)
        except KeyError:  # another thread evicted it meanwhile
            pass
        return hit[0]

    def store(self, key: Hashable, value: _T, weight: int) -> _T:
        """Remember `value` for `key` (unless it alone weighs more than a sixteenth of the table); returns it."""
        if weight > self.max_weight // 16:
            return value
        with self._lock:
            if key not in self._data:
                self._data[key] = (value, weight)
                self._weight += weight
                while len(self._data) > self.max_entries or self._weight > self.max_weight:
                    self._weight -= self._data.popitem(last=False)[1][1]
        return value

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
            self._weight = 0


RESULT_ENTRIES = 65_536
RESULT_WEIGHT = 64 * 1024 * 1024
REPORT_WEIGHT = 1024  # a PatternReport, its key and a bypass or two
SMALL_WEIGHT = 256  # a boolean or a short string, and its key
COMPILED_WEIGHT = 4096  # a parse tree and a compiled `re` pattern
INSTRUCTION_WEIGHT = 256  # one automaton instruction and its character test
REPORTS = Memo(RESULT_ENTRIES, RESULT_WEIGHT)  # analyze_pattern
ACCEPTS = Memo(4 * RESULT_ENTRIES, RESULT_WEIGHT)  # pattern_accepts: a rule may probe a few origins per pattern
OUTSIDE = Memo(RESULT_ENTRIES, RESULT_WEIGHT // 4)  # pattern_outside_allowlist
# Compiled patterns are heavy (a parse tree, and maybe an automaton of thousands of instructions) and are needed
# only to compute the results above, which outlive them: a smaller table keyed like the others, weighed by size.
COMPILED = Memo(4096, RESULT_WEIGHT)
