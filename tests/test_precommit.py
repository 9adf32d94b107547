"""The pre-commit hook works for real: the README's `pre-commit try-repo` command, run against this checkout,
fails on a bad config and passes on a good one."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO
from readme_blocks import commands, the

BAD = """server {
    location /api/ {
        add_header Access-Control-Allow-Origin $http_origin always;
        add_header Access-Control-Allow-Credentials true always;
    }
}
"""
GOOD = """server {
    location /api/ {
        add_header Access-Control-Allow-Origin "https://app.example.com" always;
        add_header Access-Control-Allow-Credentials true always;
    }
}
"""

pytestmark = pytest.mark.skipif(shutil.which("git") is None or not (REPO / ".git").exists(), reason="needs git and a checkout")


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def _try_repo(project: Path, home: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PRE_COMMIT_HOME=str(home), GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.invalid",
               GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.invalid")
    (command,) = commands(the("run", "pre-commit try-repo"))
    args = shlex.split(command.replace("<path to corslint>", shlex.quote(str(REPO))))
    assert args[0] == "pre-commit"
    return subprocess.run([sys.executable, "-m", "pre_commit", *args[1:]], cwd=project, env=env, capture_output=True, text=True, timeout=900)


def test_hook_fails_on_bad_config_and_passes_on_good(tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / "deploy").mkdir(parents=True)
    _git(project, "init", "-q")
    conf = project / "deploy" / "nginx.conf"
    home = tmp_path / "pre-commit-home"
    conf.write_text(BAD)
    _git(project, "add", ".")
    bad = _try_repo(project, home)
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "CORS102" in bad.stdout
    conf.write_text(GOOD)
    _git(project, "add", ".")
    good = _try_repo(project, home)
    assert good.returncode == 0, good.stdout + good.stderr
