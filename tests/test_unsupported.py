"""Files of kinds no source reads (YAML that is no Kubernetes manifest, vercel.json, `_headers`, Web.config) are
reported as skipped, with what they are, when they hold CORS settings, and passed over in silence when they do not."""

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
API_GATEWAY = """openapi: 3.0.1
paths:
  /items:
    options:
      x-amazon-apigateway-integration:
        responses:
          default:
            responseParameters:
              method.response.header.Access-Control-Allow-Origin: "'*'"
"""
VERCEL = '{"headers": [{"source": "/api/(.*)", "headers": [{"key": "Access-Control-Allow-Origin", "value": "*"}]}]}\n'
NETLIFY = "/api/*\n  Access-Control-Allow-Origin: *\n"
WEB_CONFIG = '<configuration><system.webServer><cors enabled="true"><add origin="*" /></cors></system.webServer></configuration>\n'

CASES = {
    "api/openapi.yml": (API_GATEWAY, "YAML file with CORS settings"),
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
    (tmp_path / "k8s").mkdir()
    (tmp_path / "k8s" / "deployment.yaml").write_text("kind: Deployment\n")
    (tmp_path / "node_modules" / "x").mkdir(parents=True)
    (tmp_path / "node_modules" / "x" / "vercel.json").write_text(VERCEL)  # excluded by default
    (tmp_path / "nginx.conf").write_text("server { add_header Access-Control-Allow-Origin * always; }\n")
    (tmp_path / "k8s" / "ingress.yaml").write_text(INGRESS)
    (tmp_path / "chart" / "templates").mkdir(parents=True)
    (tmp_path / "chart" / "templates" / "ingress.tpl").write_text(INGRESS)
    result = lint_tree(tmp_path)
    assert sorted(result.skipped) == sorted(CASES)
    assert result.files_analysed == {"nginx.conf", "k8s/ingress.yaml", "chart/templates/ingress.tpl"}


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
    result = lint_tree(tree)
    assert result.skipped == {"ingress.yaml": "symlink to a file outside the scanned tree; not followed"}
    assert result.policies == []


def test_standard_input_of_such_a_kind_is_a_usage_error_that_says_why() -> None:
    result = CliRunner().invoke(main, ["check", "--isolated", "--stdin-filename", "deploy/vercel.json", "-"], input=VERCEL)
    assert result.exit_code == 2
    assert "deploy/vercel.json: vercel.json with CORS headers; not checked (no corslint source reads" in result.output


# --- source languages no corslint source reads yet ----------------------------------------------------------

LANGUAGE_CASES = {
    "public/api.php": ('<?php\nheader("Access-Control-Allow-Origin: " . $_SERVER["HTTP_ORIGIN"]);\n', "PHP source with Access-Control-* headers; not checked: no corslint source reads PHP yet"),
    "Api/Startup.cs": ("services.AddCors(o => o.AddDefaultPolicy(p => p.AllowAnyOrigin()));\n", "C# source with CORS settings (`allowanyorigin`); not checked: no corslint source reads C# yet"),
    "cmd/server/main.go": ('w.Header().Set("Access-Control-Allow-Origin", "*")\n', "Go source with Access-Control-* headers; not checked: no corslint source reads Go yet"),
    "src/main/java/WebConfig.java": ('@CrossOrigin(origins = "*")\npublic class Api {}\n', "Java/Kotlin source with CORS settings (`@crossorigin`); not checked"),
    "config/initializers/cors.rb": ("Rails.application.config.middleware.insert_before 0, Rack::Cors do\nend\n", "Ruby source with CORS settings (`rack::cors`)"),
}


@pytest.mark.parametrize("path", sorted(LANGUAGE_CASES))
def test_language_sources_with_cors_are_reported_as_not_checked(tmp_path: Path, path: str) -> None:
    text, reason = LANGUAGE_CASES[path]
    (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / path).write_text(text)
    (tmp_path / "cmd" / "util.go").parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / "cmd" / "util.go").write_text("package main\nfunc add(a, b int) int { return a + b }\n")
    skipped = lint_tree(tmp_path).skipped
    assert list(skipped) == [path]
    assert reason in skipped[path]


def test_a_file_an_nginx_folder_holds_but_nginx_does_not_claim_is_named(tmp_path: Path) -> None:
    (tmp_path / "nginx").mkdir()
    (tmp_path / "nginx" / "cors.rules").write_text("Access-Control-Allow-Origin = https://app.example.com\n")
    (tmp_path / "nginx" / "notes.md").write_text("We send Access-Control-Allow-Origin from the app.\n")
    (tmp_path / "nginx" / "ports").write_text("80\n443\n")
    skipped = lint_tree(tmp_path).skipped
    assert list(skipped) == ["nginx/cors.rules"]
    assert "Access-Control-* text whose kind corslint cannot tell" in skipped["nginx/cors.rules"]
    assert "`file-kinds`" in skipped["nginx/cors.rules"]


# --- nginx read by content ------------------------------------------------------------------------------------

VHOST = """server {
    listen 443 ssl;
    server_name api.example.com;
    location / {
        add_header Access-Control-Allow-Origin $http_origin always;
        add_header Access-Control-Allow-Credentials true always;
        proxy_pass http://app;
    }
}
"""


@pytest.mark.parametrize(
    "path", ["sites-available/api", "vhosts/api.example.com", "deploy/api.app", "conf/api.vhost", "templates/api.tpl",
             "templates/api.template"],
)
def test_nginx_vhosts_are_recognised_by_content(tmp_path: Path, path: str) -> None:
    (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / path).write_text(VHOST)
    result = lint_tree(tmp_path)
    assert result.files_claimed == {path: "nginx"}
    assert "CORS102" in {f.code for f in result.findings}


@pytest.mark.parametrize(
    "path,text",
    [
        ("bin/deploy", "#!/bin/sh\nif [ -n \"$X\" ]; then\n  echo '{'\nfi\n"),
        ("templates/page.tpl", "<div>{{ title }}</div>\n{% if x %}{ }{% endif %}\n"),
        ("example.com", "just a note about example.com;\n"),
    ],
)
def test_files_with_those_names_that_are_not_nginx_are_left_alone(tmp_path: Path, path: str, text: str) -> None:
    (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / path).write_text(text)
    result = lint_tree(tmp_path)
    assert result.files_claimed == {} and result.skipped == {}


def test_a_file_named_on_the_command_line_is_read_by_content(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy" / "api.production").write_text(VHOST)
    monkeypatch.chdir(tmp_path)
    named = CliRunner().invoke(main, ["check", "--isolated", "--format", "concise", "deploy/api.production"])
    piped = CliRunner().invoke(main, ["check", "--isolated", "--format", "concise", "--stdin-filename", "deploy/api.production.conf", "-"], input=VHOST)
    assert named.exit_code == 1
    assert "deploy/api.production:5:" in named.stdout and "CORS102" in named.stdout
    assert {line.split(" ", 1)[1] for line in named.stdout.splitlines() if "CORS" in line} == {
        line.split(" ", 1)[1] for line in piped.stdout.splitlines() if "CORS" in line
    }


def test_a_named_file_of_no_known_kind_is_said_not_checked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "settings.ini").write_text("[cors]\norigins = *\n")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["check", "--isolated", "settings.ini"])
    assert result.exit_code == 0
    assert "skipped settings.ini: corslint cannot tell what kind of configuration this is; not checked" in result.stderr


# --- file-kinds -------------------------------------------------------------------------------------------------

def test_file_kinds_says_what_a_file_is(tmp_path: Path) -> None:
    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy" / "api.rules").write_text(VHOST)
    (tmp_path / "deploy" / "htaccess.rules").write_text("Header always set Access-Control-Allow-Origin \"*\"\n")
    assert lint_tree(tmp_path).files_claimed == {}
    result = lint_tree(tmp_path, {"file-kinds": {"deploy/api.rules": "nginx", "*.rules": "apache"}})
    assert result.files_claimed == {"deploy/api.rules": "nginx", "deploy/htaccess.rules": "apache"}
    assert {f.code for f in result.findings} >= {"CORS102", "CORS103"}


def test_file_kinds_with_an_unknown_kind_is_a_configuration_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "corslint.toml").write_text('[file-kinds]\n"deploy/*.app" = "ngnix"\n')
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["check", "."])
    assert result.exit_code == 2
    assert "unknown file kind 'ngnix'" in result.output and "did you mean 'nginx'" in result.output.lower()
