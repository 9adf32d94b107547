"""Output reporters: one module per format, all sharing the `(findings, RunInfo) -> str` signature.

`REPORTERS` is a plain dict; the registry copies it and adds third-party reporters from the
`corslint.reporters` entry-point group. Reporters neither filter, re-sort nor exit.
"""

from __future__ import annotations

from typing import Callable

from corslint.findings import Finding
from corslint.reporters import concise, full, github, gitlab, json_report, sarif
from corslint.reporters.common import RunInfo

__all__ = ["REPORTERS", "Reporter", "RunInfo", "render"]

Reporter = Callable[[list[Finding], RunInfo], str]

REPORTERS: dict[str, Reporter] = {
    "full": full.render,
    "concise": concise.render,
    "json": json_report.render,
    "sarif": sarif.render,
    "github": github.render,
    "gitlab": gitlab.render,
}


def render(fmt: str, findings: list[Finding], run: RunInfo) -> str:
    """Renders `findings` in the built-in format `fmt`; raises ValueError for an unknown one."""
    try:
        reporter = REPORTERS[fmt]
    except KeyError:
        raise ValueError(f"unknown output format {fmt!r} (choose from {', '.join(sorted(REPORTERS))})") from None
    return reporter(findings, run)
