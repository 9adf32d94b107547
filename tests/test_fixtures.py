"""Realistic fixture trees under fixtures/<source>/<case>/ give exactly the findings in their expected.txt.

Run `CORSLINT_UPDATE_SNAPSHOTS=1 pytest tests/test_fixtures.py` to rewrite the snapshots, then review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import REPO, lint_tree

FIXTURES = REPO / "fixtures"
CASES = sorted(
    [p for p in FIXTURES.glob("*/*") if p.is_dir() and p.parent.name not in ("hostile", "demo")] + [FIXTURES / "demo"],
    key=lambda p: p.as_posix(),
)


def render(root: Path) -> str:
    result = lint_tree(root, {"select": ["ALL"]})
    lines = [
        f"{f.location.path}:{f.location.line}:{f.location.column}: {f.code} [{f.severity.value}] {f.message}"
        for f in result.findings
    ]
    return "\n".join(lines) + ("\n" if lines else "")


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.relative_to(FIXTURES).as_posix())
def test_fixture(case: Path) -> None:
    expected_file = case / "expected.txt"
    got = render(case)
    if os.environ.get("CORSLINT_UPDATE_SNAPSHOTS") == "1":
        expected_file.write_text(got, encoding="utf-8")
    assert expected_file.exists(), f"{case}: no expected.txt (run with CORSLINT_UPDATE_SNAPSHOTS=1 and review)"
    assert got == expected_file.read_text(encoding="utf-8")


def test_false_positive_cases_are_silent() -> None:
    quiet = [case for case in CASES if case.name.endswith("_fp")]
    for case in quiet:
        assert render(case) == "", f"{case} is a false-positive case and must stay silent"
