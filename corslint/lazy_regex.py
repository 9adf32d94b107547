"""Module-level regular expressions compiled on first use: a run that never asks one pays nothing for it.

Compiling is pure Python in CPython (a fifth of a millisecond to a millisecond a pattern), and a run on one small file
meets only a few of corslint's patterns. `lazy(pattern, flags)` stands in for `re.compile(pattern, flags)`; its first
attribute lookup compiles the pattern and keeps the compiled pattern's methods on the instance, so later calls cost
what a compiled pattern's do.
"""

from __future__ import annotations

import re
from typing import Any, AnyStr, Generic

_DELEGATED = ("search", "match", "fullmatch", "finditer", "findall", "sub", "subn", "split", "flags", "groups",
              "groupindex", "scanner")


class LazyPattern(Generic[AnyStr]):
    """A `re.Pattern` that compiles itself when first used."""

    def __init__(self, pattern: AnyStr, flags: int = 0) -> None:
        self.pattern = pattern
        self._flags = flags

    def compiled(self) -> re.Pattern[AnyStr]:
        regex = re.compile(self.pattern, self._flags)
        for name in _DELEGATED:
            setattr(self, name, getattr(regex, name))
        self.compiled = lambda: regex  # type: ignore[method-assign]
        return regex

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.compiled(), name)

    def __repr__(self) -> str:
        return f"lazy({self.pattern!r}, {self._flags})"


def lazy(pattern: AnyStr, flags: int = 0) -> Any:
    """`re.compile(pattern, flags)`, deferred until the pattern is first used."""
    return LazyPattern(pattern, flags)
