"""Development-only Python code: branches of `if settings.DEBUG:` or `x if DEBUG else y`, and modules that start the
server in debug mode (`app.run(debug=True)`)."""

from __future__ import annotations

import ast
from typing import Iterator

from corslint.sources.devguard import Guarded, runs_only_in_development
from corslint.sources.python.module import PyModule

_MAX_GUARD_TEXT = 200


def development_stretches(mod: PyModule) -> list[Guarded]:
    """Every `if`/`else` body and conditional-expression branch of `mod` that runs only in development."""
    return [
        Guarded(start, end, text)
        for text, holds, (start, end) in _branches(mod, (ast.If, ast.IfExp))
        if runs_only_in_development(text, holds)
    ]


def branches(mod: PyModule) -> list[Guarded]:
    """Every `if`/`else` body of `mod` with the condition under which it runs (`not (...)` for an `else`), except the
    `if __name__ == "__main__":` entry point, which runs whenever the module is the program."""
    return [
        Guarded(start, end, text if holds else f"not ({text})")
        for text, holds, (start, end) in _branches(mod, (ast.If,))
        if text.replace("'", '"') != '__name__ == "__main__"'
    ]


def _branches(mod: PyModule, kinds: tuple[type, ...]) -> Iterator[tuple[str, bool, tuple[tuple[int, int], tuple[int, int]]]]:
    """(condition text, whether the branch runs when it holds, span) of each branch of the given nodes."""
    for node in ast.walk(mod.tree):
        if not isinstance(node, kinds):
            continue
        text = _condition(node.test)
        if not text:
            continue
        for branch, holds in ((node.body, True), (node.orelse, False)):
            span = _span(mod, branch)
            if span is not None:
                yield text, holds, span


def debug_entry_point(mod: PyModule) -> bool:
    """True when the module starts a development server with debugging on: `app.run(debug=True)`."""
    for node in ast.walk(mod.tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "run":
            for keyword in node.keywords:
                if keyword.arg == "debug" and isinstance(keyword.value, ast.Constant) and keyword.value.value is True:
                    return True
    return False


def _condition(test: ast.expr) -> str:
    try:
        text = ast.unparse(test)
    except (RecursionError, ValueError):
        return ""
    return text if len(text) <= _MAX_GUARD_TEXT else ""


def _span(mod: PyModule, branch: object) -> tuple[tuple[int, int], tuple[int, int]] | None:
    nodes = branch if isinstance(branch, list) else [branch]
    if not nodes:
        return None
    first, last = mod.location(nodes[0]), mod.location(nodes[-1])
    return (first.line, first.column), (last.end_line, last.end_column or 10**9)
