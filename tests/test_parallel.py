"""Parallel runs (`--jobs`): the same bytes out as one process, work shared by estimated cost, failed workers redone here."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import REPO
from corslint.cli import main
from corslint.discovery import Discovered
from corslint.engine import plan
from corslint.parallel import can_fork, run_forked

needs_fork = pytest.mark.skipif(not can_fork(), reason="parallel runs need os.fork")


def _run(folder: Path, *args: str) -> tuple[int, str]:
    old = os.getcwd()
    os.chdir(folder)
    try:
        result = CliRunner().invoke(main, ["check", "--isolated", "--select", "ALL", *args, "."], catch_exceptions=False)
    finally:
        os.chdir(old)
    return result.exit_code, result.output


@needs_fork
@pytest.mark.parametrize("fmt", ["concise", "json"])
def test_jobs_1_and_2_give_identical_output_on_the_fixtures(fmt: str) -> None:
    one = _run(REPO / "fixtures", "--format", fmt, "--jobs", "1")
    two = _run(REPO / "fixtures", "--format", fmt, "--jobs", "2")
    three = _run(REPO / "fixtures", "--format", fmt, "--jobs", "3")
    assert one[0] == 1
    for kind in (".conf", ".htaccess", ".py", ".js", ".ts", "requirements.txt"):  # every source, so the work is split
        assert kind in one[1]
    assert one == two == three


def test_jobs_must_be_positive() -> None:
    result = CliRunner().invoke(main, ["check", "--jobs", "0", "."])
    assert result.exit_code == 2
    assert "0 is not in the range x>=1" in result.output


def _discovered(**sizes: int) -> Discovered:
    discovered = Discovered(sizes=dict(sizes))
    discovered.by_source = {name: [object()] for name in sizes}  # type: ignore[misc]
    return discovered


@needs_fork
def test_plan_shares_sources_by_estimated_cost_keeping_nginx_here() -> None:
    mib = 2**20
    found = _discovered(nginx=2 * mib, python=11 * mib, javascript=9 * mib, apache=mib // 8)
    assert plan(found, 1) == [["apache", "javascript", "nginx", "python"]]
    assert plan(found, 2) == [["nginx"], ["apache", "javascript", "python"]]
    assert plan(found, 8) == [["nginx"], ["python"], ["javascript"], ["apache"]]


def test_automatic_plan_stays_in_one_process_for_small_trees() -> None:
    assert plan(_discovered(nginx=4000, python=90_000), None) == [["nginx", "python"]]
    assert plan(_discovered(), None) == []


@needs_fork
def test_workers_run_in_parallel_and_results_keep_their_order() -> None:
    here = os.getpid()
    results = run_forked([lambda: ("a", os.getpid()), lambda: ("b", os.getpid()), lambda: ("c", os.getpid())])
    assert [name for name, _ in results] == ["a", "b", "c"]
    assert results[0][1] == here
    assert results[1][1] != here and results[2][1] != here and results[1][1] != results[2][1]


@needs_fork
def test_a_failing_worker_is_redone_here() -> None:
    here = os.getpid()

    def fails_in_a_child() -> str:
        if os.getpid() != here:
            raise RuntimeError("worker bug")
        return "done here"

    def crashes_in_a_child() -> str:
        if os.getpid() != here:
            os._exit(3)
        return "also here"

    def unpicklable() -> object:
        return lambda: os.getpid()

    results = run_forked([lambda: "main", fails_in_a_child, crashes_in_a_child, unpicklable])
    assert results[:3] == ["main", "done here", "also here"]
    assert results[3]() == here


def test_the_output_on_the_fixtures_does_not_depend_on_the_hash_seed() -> None:
    """Nothing may follow the iteration order of a set of strings (which PYTHONHASHSEED changes between runs)."""
    import subprocess
    import sys

    outputs = set()
    for seed in ("0", "1", "2", "3"):
        done = subprocess.run(
            [sys.executable, "-m", "corslint", "check", "--isolated", "--select", "ALL", "--format", "json", "--jobs",
             "1", "."],
            cwd=REPO / "fixtures", capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": seed},
        )
        assert done.returncode == 1, done.stderr
        outputs.add(done.stdout)
    assert len(outputs) == 1
