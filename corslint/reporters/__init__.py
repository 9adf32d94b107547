"""Output reporters: one module per format, all sharing the `(findings, RunInfo) -> str` signature.

`REPORTERS` is a plain dict; the registry copies it and adds third-party reporters from the
`corslint.reporters` entry-point group. Reporters neither filter, re-sort nor exit.
"""

from __future__ import annotations

from importlib import import_module
from typing import Callable

from corslint.findings import Finding
from corslint.reporters.common import RunInfo

__all__ = ["REPORTERS", "Reporter", "RunInfo", "render"]

Reporter = Callable[[list[Finding], RunInfo], str]


def _deferred(module: str) -> Reporter:
    """The `render` of `corslint.reporters.<module>`, imported on first use: a run loads only the format it prints."""

    def render(findings: list[Finding], run: RunInfo) -> str:
        return import_module(f"corslint.reporters.{module}").render(findings, run)  # type: ignore[no-any-return]

    render.__qualname__ = render.__name__ = f"{module}.render"
    return render


REPORTERS: dict[str, Reporter] = {
    "full": _deferred("full"),
    "concise": _deferred("concise"),
    "json": _deferred("json_report"),
    "sarif": _deferred("sarif"),
    "github": _deferred("github"),
    "gitlab": _deferred("gitlab"),
}


def render(fmt: str, findings: list[Finding], run: RunInfo) -> str:
    """Renders `findings` in the built-in format `fmt`; raises ValueError for an unknown one."""
    try:
        reporter = REPORTERS[fmt]
    except KeyError:
        raise ValueError(f"unknown output format {fmt!r} (choose from {', '.join(sorted(REPORTERS))})") from None
    return reporter(findings, run)
