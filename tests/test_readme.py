"""The README cannot drift: every fenced block carries a `<!-- readme: … -->` marker, and the blocks marked `run`
or `checked` are executed here — the Quickstart install in a fresh virtualenv made from a copy of the checkout,
every Usage command with that install, the local pre-commit hook, and the configuration example through the
configuration loader (`pre-commit try-repo` runs in tests/test_precommit.py). The version has one source."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO
from readme_blocks import KINDS, blocks, commands, the

import corslint

pytestmark = pytest.mark.slow


def test_every_block_is_marked() -> None:
    unmarked = [b.line for b in blocks() if b.kind not in KINDS]
    assert unmarked == [], f"README blocks at lines {unmarked} need a `<!-- readme: run|checked|ci|illustration|needs … -->` marker"
    for block in blocks():
        if block.kind == "needs":
            assert "replace" in block.note or "minutes" in block.note, f"line {block.line}: say what to substitute"


def test_the_ci_block_is_what_ci_runs() -> None:
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert the("ci", "pytest").text.strip() in ci


def _copy_of_checkout(target: Path) -> Path:
    """The tracked files of the checkout (or the tree without build and cache folders), as a user clones it."""
    if (REPO / ".git").exists() and shutil.which("git"):
        listed = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True).stdout.decode()
        for name in filter(None, listed.split("\0")):
            source = REPO / name
            if source.is_file():
                (target / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target / name)
    else:
        shutil.copytree(REPO, target, dirs_exist_ok=True, ignore=shutil.ignore_patterns(".venv", ".git", "__pycache__", "*.egg-info", ".hypothesis"))
    return target


@pytest.fixture(scope="module")
def quickstart(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, subprocess.CompletedProcess]:
    """The Quickstart's first block, run as written in a copy of the checkout: (checkout, venv bin, result)."""
    checkout = _copy_of_checkout(tmp_path_factory.mktemp("checkout"))
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    result = subprocess.run(["bash", "-c", the("run", "pip install . && corslint fixtures/demo").text],
                            cwd=checkout, env=env, capture_output=True, text=True, timeout=1200)
    return checkout, checkout / ".venv" / "bin", result


def _shell(command: str, checkout: Path, bin_dir: Path, **kwargs) -> subprocess.CompletedProcess:  # type: ignore[no-untyped-def]
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "GITHUB_ACTIONS")}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    env["VIRTUAL_ENV"] = str(bin_dir.parent)
    return subprocess.run(["bash", "-c", command], cwd=kwargs.pop("cwd", checkout), env=env, capture_output=True,
                          text=True, timeout=300, **kwargs)


def test_quickstart_installs_and_lints_the_demo(quickstart) -> None:  # type: ignore[no-untyped-def]
    checkout, bin_dir, result = quickstart
    assert result.returncode == 1, result.stdout[-2000:] + result.stderr[-2000:]  # the demo has planted findings
    expected = (checkout / "fixtures" / "demo" / "expected.txt").read_text(encoding="utf-8").splitlines()
    findings = [line for line in expected if re.match(r"\S+:\d+:\d+: CORS\d{3} ", line)]
    assert findings and all(f"fixtures/demo/{line}" in result.stdout for line in findings)
    assert "Traceback" not in result.stderr


def test_every_usage_command_works(quickstart) -> None:  # type: ignore[no-untyped-def]
    checkout, bin_dir, _ = quickstart
    usage = the("run", "corslint explain CORS106")
    for command in commands(usage):
        result = _shell(command, checkout, bin_dir)
        assert result.returncode in (0, 1), f"{command}: exit {result.returncode}\n{result.stderr}"
        assert result.stdout.strip(), command
        assert "Traceback" not in result.stderr, command
    shown = _shell("corslint --help", checkout, bin_dir).stdout
    assert "Options of `corslint check`" in shown and "--min-confidence" in shown and "--fail-on" in shown


def test_one_version_everywhere(quickstart) -> None:  # type: ignore[no-untyped-def]
    checkout, bin_dir, _ = quickstart
    assert _shell("corslint --version", checkout, bin_dir).stdout.strip() == f"corslint, version {corslint.__version__}"
    wheel = _shell("python -c 'import importlib.metadata as m; print(m.version(\"corslint\"))'", checkout, bin_dir)
    assert wheel.stdout.strip() == corslint.__version__
    sarif = _shell("corslint --format sarif --exit-zero fixtures/demo", checkout, bin_dir).stdout
    assert f'"version": "{corslint.__version__}"' in sarif
    changelog = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    newest = re.search(r"^## (\d+\.\d+\.\d+)\b", changelog, re.MULTILINE)
    assert newest is not None and newest.group(1) == corslint.__version__
    assert 'dynamic = ["version"]' in (REPO / "pyproject.toml").read_text(encoding="utf-8")


BAD = """server {
    location /api/ {
        add_header Access-Control-Allow-Origin $http_origin always;
        add_header Access-Control-Allow-Credentials true always;
    }
}
"""


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_the_local_pre_commit_hook(quickstart, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    checkout, bin_dir, _ = quickstart
    project = tmp_path / "project"
    (project / "deploy").mkdir(parents=True)
    (project / "deploy" / "nginx.conf").write_text(BAD, encoding="utf-8")
    (project / "README.md").write_text("no CORS here\n", encoding="utf-8")
    (project / ".pre-commit-config.yaml").write_text(the("run", "repo: local").text, encoding="utf-8")
    home = tmp_path / "pre-commit-home"
    git = "git -c user.name=t -c user.email=t@example.invalid"
    setup = f"{git} init -q && {git} add -A"
    assert _shell(setup, checkout, bin_dir, cwd=project).returncode == 0
    run = _shell(f"PRE_COMMIT_HOME={home} {sys.executable} -m pre_commit run --all-files", checkout, bin_dir, cwd=project)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "CORS102" in run.stdout and "deploy/nginx.conf" in run.stdout


def test_the_configuration_example_loads(tmp_path: Path) -> None:
    from corslint.config import load_config

    block = the("checked", "[tool.corslint]")
    (tmp_path / "pyproject.toml").write_text(block.text, encoding="utf-8")
    config = load_config(tmp_path / "pyproject.toml")
    assert config.fail_on.value == "warning"
    assert "CORS107" in config.ignore
