"""Work meters for tests that guard against blow-up: counts the machine's load cannot change (never the clock)."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

import pytest


@dataclass
class MatcherWork:
    """What the origin matcher did: automaton runs and the steps charged to their budgets, and every pattern compiled."""

    vm_runs: int = 0
    vm_steps: int = 0
    compiled: list[Any] = field(default_factory=list)

    def assert_bounded(self) -> None:
        """No compiled pattern was left to Python's backtracking engine beyond the path bound the design relies on."""
        from corslint.origins import BACKTRACK_LIMIT
        from corslint.origins.matcher import Compiled
        from corslint.origins.regex_tree import count_paths

        for compiled in self.compiled:
            if isinstance(compiled, Compiled) and compiled.regex is not None:
                assert count_paths(compiled.tree) <= BACKTRACK_LIMIT


@contextmanager
def matcher_work(monkeypatch: pytest.MonkeyPatch) -> Iterator[MatcherWork]:
    """Meter the origin matcher while the block runs, from empty result tables so that cached answers hide no work."""
    from corslint.origins import matcher, memo

    for table in (memo.REPORTS, memo.ACCEPTS, memo.OUTSIDE, memo.COMPILED):
        table.clear()

    work = MatcherWork()
    real_vm, real_compile = matcher.vm_accepts, matcher._compile_uncached

    def counted_vm(program: Any, text: str, mode: Any, budget: list[int]) -> bool:
        before = budget[0]
        work.vm_runs += 1
        try:
            return real_vm(program, text, mode, budget)
        finally:
            work.vm_steps += before - max(budget[0], 0)

    def recorded_compile(*args: Any) -> Any:
        compiled = real_compile(*args)
        work.compiled.append(compiled)
        return compiled

    monkeypatch.setattr(matcher, "vm_accepts", counted_vm)
    monkeypatch.setattr(matcher, "_compile_uncached", recorded_compile)
    yield work


def python_calls(function: Callable[[], Any]) -> int:
    """How many Python and C functions `function()` calls: a measure of work that a loaded machine does not change."""
    count = 0

    def profile(frame: Any, event: str, arg: Any) -> None:
        nonlocal count
        if event in ("call", "c_call"):
            count += 1

    previous = sys.getprofile()
    sys.setprofile(profile)
    try:
        function()
    finally:
        sys.setprofile(previous)
    return count


def assert_linear(work: Callable[[int], Any], small: int, *, slack: float = 1.25) -> tuple[int, int]:
    """`work(n)` does about twice the calls at twice the size: a quadratic step would make it four times."""
    once = python_calls(lambda: work(small))
    twice = python_calls(lambda: work(2 * small))
    assert twice <= 2 * slack * once, (small, once, twice)
    return once, twice
