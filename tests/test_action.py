"""The composite GitHub Action: `action.yml` has the shape GitHub requires, passes inputs to scripts only through
the environment (no `${{ }}` inside a script), and its scripts do what the README says when run here with the
installed corslint: annotations and exit 1 for `github`, a SARIF file and a deferred failure for `sarif`, exit 2
for a bad format."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import REPO

ACTION = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
STEPS = ACTION["runs"]["steps"]
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def step(name: str) -> dict:
    (found,) = [s for s in STEPS if s.get("name") == name]
    return found


def test_the_metadata_github_requires() -> None:
    assert isinstance(ACTION["name"], str) and isinstance(ACTION["description"], str)
    assert ACTION["runs"]["using"] == "composite"
    for item in STEPS:
        assert ("uses" in item) != ("run" in item), item
        if "run" in item:
            assert item.get("shell") == "bash", item  # composite run steps must name their shell
    for name, spec in ACTION["inputs"].items():
        assert re.fullmatch(r"[a-z][a-z0-9-]*", name) and spec["description"] and "default" in spec
    ids = {s["id"] for s in STEPS if "id" in s}
    for output in ACTION["outputs"].values():
        referenced = re.findall(r"steps\.([\w-]+)\.outputs", output["value"])
        assert referenced and set(referenced) <= ids


def test_inputs_reach_scripts_only_through_the_environment() -> None:
    declared = set(ACTION["inputs"])
    text = (REPO / "action.yml").read_text(encoding="utf-8")
    for expression in EXPRESSION.findall(text):
        for name in re.findall(r"inputs\.([\w-]+)", expression):
            assert name in declared, name
    for item in STEPS:
        assert not EXPRESSION.search(item.get("run", "")), f"{item['name']}: expressions in a script are an injection risk"


def _run_step(name: str, env: dict[str, str], tmp_path: Path) -> tuple[subprocess.CompletedProcess, str]:
    output = tmp_path / "github_output"
    output.write_text("", encoding="utf-8")
    corslint = shutil.which("corslint")
    assert corslint is not None
    full = {**{k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"}, **env, "GITHUB_OUTPUT": str(output)}
    full["PATH"] = f"{Path(corslint).parent}{os.pathsep}{full.get('PATH', '')}"
    result = subprocess.run(["bash", "-e", "-c", step(name)["run"]], cwd=REPO, env=full, capture_output=True, text=True, timeout=300)
    return result, output.read_text(encoding="utf-8")


def _inputs(**overrides: str) -> dict[str, str]:
    values = {name: str(spec["default"]) for name, spec in ACTION["inputs"].items()}
    values.update(overrides)
    return {f"CORSLINT_{name.upper().replace('-', '_')}": value for name, value in values.items()}


def test_github_format_annotates_and_fails(tmp_path: Path) -> None:
    result, output = _run_step("Run corslint", _inputs(paths="fixtures/demo"), tmp_path)
    assert result.returncode == 1, result.stderr
    assert re.search(r"^::(error|warning) file=fixtures/demo/", result.stdout, re.MULTILINE)
    assert "exit-code=1" in output


def test_sarif_format_writes_the_report_and_fails_afterwards(tmp_path: Path) -> None:
    sarif = tmp_path / "report.sarif"
    result, output = _run_step("Run corslint", _inputs(paths="fixtures/demo", format="sarif", **{"sarif-file": str(sarif)}), tmp_path)
    assert result.returncode == 0, result.stderr  # the upload step still runs
    assert "exit-code=1" in output
    report = json.loads(sarif.read_text(encoding="utf-8"))
    assert report["runs"][0]["results"]
    failed, _ = _run_step("Fail on findings", {"CORSLINT_STATUS": "1"}, tmp_path)
    assert failed.returncode == 1
    clean, _ = _run_step("Fail on findings", {"CORSLINT_STATUS": "0"}, tmp_path)
    assert clean.returncode == 0


def test_threshold_and_extra_arguments(tmp_path: Path) -> None:
    result, output = _run_step("Run corslint", _inputs(paths="fixtures/demo", **{"fail-on": "error", "args": "--select CORS203"}), tmp_path)
    assert result.returncode == 0 and "exit-code=0" in output  # CORS203 is info, below the threshold
    assert "CORS203" in result.stdout


@pytest.mark.parametrize("value", ["json", "github; rm -rf /"])
def test_a_bad_format_is_a_usage_error(tmp_path: Path, value: str) -> None:
    result, output = _run_step("Run corslint", _inputs(paths="fixtures/demo", format=value), tmp_path)
    assert result.returncode == 2
    assert "format must be github or sarif" in result.stdout
