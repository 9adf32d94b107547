"""Files of kinds no source reads (Kubernetes/Helm, vercel.json, `_headers`, Web.config) are reported as skipped,
with what they are, when they hold CORS settings, and passed over in silence when they do not."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import lint_tree
from corslint.cli import main
from corslint.unsupported import may_be_unsupported, unsupported_reason

INGRESS = """apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: api
  annotations:
    nginx.ingress.kubernetes.io/enable-cors: "true"
    nginx.ingress.kubernetes.io/cors-allow-origin: "*"
"""
VERCEL = '{"headers": [{"source": "/api/(.*)", "headers": [{"key": "Access-Control-Allow-Origin", "value": "*"}]}]}\n'
NETLIFY = "/api/*\n  Access-Control-Allow-Origin: *\n"
WEB_CONFIG = '<configuration><system.webServer><cors enabled="true"><add origin="*" /></cors></system.webServer></configuration>\n'

CASES = {
    "k8s/ingress.yaml": (INGRESS, "Kubernetes/Helm manifest"),
    "chart/templates/ingress.tpl": (INGRESS, "Kubernetes/Helm manifest"),
    "web/vercel.json": (VERCEL, "vercel.json"),
    "public/_headers": (NETLIFY, "`_headers` file"),
    "iis/Web.config": (WEB_CONFIG, "IIS Web.config"),
}


@pytest.mark.parametrize("path", sorted(CASES))
def test_each_unread_kind_with_cors_settings_is_named(path: str) -> None:
    text, kind = CASES[path]
    name = path.rsplit("/", 1)[-1]
    assert may_be_unsupported(name)
    reason = unsupported_reason(name, lambda size: text.encode()[:size])
    assert reason is not None and kind in reason and "no corslint source reads" in reason


@pytest.mark.parametrize("name", ["values.yaml", "vercel.json", "_headers", "Web.config"])
def test_files_of_those_kinds_without_cors_settings_are_not_mentioned(name: str) -> None:
    assert unsupported_reason(name, lambda size: b"key: value\nX-Frame-Options: DENY\n") is None


def test_other_names_are_not_even_read() -> None:
    assert not may_be_unsupported("README.md")
    assert unsupported_reason("README.md", lambda size: pytest.fail("read")) is None


def test_discovery_reports_them_as_skipped_and_lints_the_rest(tmp_path: Path) -> None:
    for path, (text, _) in CASES.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text)
    (tmp_path / "k8s" / "deployment.yaml").write_text("kind: Deployment\n")
    (tmp_path / "node_modules" / "x").mkdir(parents=True)
    (tmp_path / "node_modules" / "x" / "vercel.json").write_text(VERCEL)  # excluded by default
    (tmp_path / "nginx.conf").write_text("server { add_header Access-Control-Allow-Origin * always; }\n")
    result = lint_tree(tmp_path)
    assert sorted(result.skipped) == sorted(CASES)
    assert result.files_analysed == {"nginx.conf"}


def test_the_cli_prints_a_note_for_each_and_quiet_silences_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "vercel.json").write_text(VERCEL)
    monkeypatch.chdir(tmp_path)
    loud = CliRunner().invoke(main, ["check", "--isolated", "."])
    assert loud.exit_code == 0
    assert "corslint: note: skipped vercel.json: vercel.json with CORS headers; not checked" in loud.stderr
    quiet = CliRunner().invoke(main, ["check", "--isolated", "--quiet", "."])
    assert quiet.exit_code == 0 and quiet.stderr == ""


def test_an_explicit_file_argument_gets_the_same_note(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "_headers").write_text(NETLIFY)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["check", "--isolated", "_headers"])
    assert result.exit_code == 0
    assert "skipped _headers: Netlify/Cloudflare Pages `_headers` file with CORS headers" in result.stderr


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_a_symlinked_manifest_is_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside.yaml"
    outside.write_text(INGRESS)
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "ingress.yaml").symlink_to(outside)
    assert lint_tree(tree).skipped == {}


def test_standard_input_of_such_a_kind_is_a_usage_error_that_says_why() -> None:
    result = CliRunner().invoke(main, ["check", "--isolated", "--stdin-filename", "deploy/vercel.json", "-"], input=VERCEL)
    assert result.exit_code == 2
    assert "deploy/vercel.json: vercel.json with CORS headers; not checked (no corslint source reads" in result.output
