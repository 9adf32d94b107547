"""bench/run.py keeps working: a tiny run produces every figure the README quotes (no timing is asserted here)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, SHARED

GENERATOR = SHARED / "bench" / "gen_corpus.py"


@pytest.mark.skipif(not GENERATOR.exists(), reason="needs ../shared/bench/gen_corpus.py")
def test_a_tiny_benchmark_run_reports_every_figure(tmp_path: Path) -> None:
    out = tmp_path / "figures.json"
    run = subprocess.run(
        [sys.executable, str(REPO / "bench" / "run.py"), "--files", "60", "--big-nginx", "3", "--repeat", "1", "--json", str(out)],
        capture_output=True, text=True, timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    figures = json.loads(out.read_text())
    small = [figures[key] for key in ("bare_python", "small_file", "small_apache", "small_javascript", "small_python")]
    for case in (*small, figures["tree"]["corslint"], figures["big_nginx"]["corslint"]):
        assert case["wall_s"] > 0 and case["peak_mib"] > 0
    assert set(figures["tree"]["floor"]) >= {"read", "nginx", "python"}
    assert "one small file: nginx" in run.stdout and "x bare Python (target <= 8x)" in run.stdout and "x crossplane's lexer" in run.stdout
