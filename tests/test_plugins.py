"""Plugins: a real package installed in the test run adds a rule and an output format; a duplicate code is a hard error."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO

PLUGIN = REPO / "tests" / "data" / "plugin"
NGINX = """
http {
    map $http_origin $cors {
        default "";
        "https://a.example.com" $http_origin;
        "https://b.example.com" $http_origin;
        "https://c.example.com" $http_origin;
    }
    server {
        location / {
            add_header Access-Control-Allow-Origin $cors always;
            add_header Vary Origin always;
        }
    }
}
"""


def corslint(args: list[str], cwd: Path, pythonpath: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(pythonpath))
    return subprocess.run([sys.executable, "-m", "corslint", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def installed_plugin(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("site")
    build = tmp_path_factory.mktemp("build") / "plugin"
    import shutil

    shutil.copytree(PLUGIN, build)
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation", "--target", str(target), str(build)],
        check=True,
        timeout=300,
    )
    return target


def test_plugin_rule_and_reporter_are_loaded(installed_plugin: Path, tmp_path: Path) -> None:
    (tmp_path / "nginx.conf").write_text(NGINX)
    listing = corslint(["rules"], tmp_path, installed_plugin)
    assert listing.returncode == 0, listing.stderr
    assert "ACME101  acme-too-many-origins" in listing.stdout
    run = corslint(["check", "--select", "ACME101", "--format", "concise", "."], tmp_path, installed_plugin)
    assert run.returncode == 1, run.stderr
    assert "nginx.conf:7:" in run.stdout and "ACME101 [warning] 3 exact origins are trusted" in run.stdout
    counted = corslint(["check", "--select", "ACME101", "--format", "acme-count", "."], tmp_path, installed_plugin)
    assert counted.stdout.strip() == "acme: 1 findings"


def test_duplicate_code_is_a_hard_error(tmp_path: Path) -> None:
    site = tmp_path / "site"
    dist = site / "acme_dup-0.1.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-dup\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text("[corslint.rules]\ndup = plugin_duplicate:Collides\n")
    (site / "plugin_duplicate.py").write_text((REPO / "tests" / "data" / "plugin_duplicate.py").read_text())
    run = corslint(["rules"], tmp_path, site)
    assert run.returncode == 2
    assert "duplicate rule 'CORS101'" in run.stderr
    assert "Traceback" not in run.stderr
