"""The command line: exit codes, formats, standard input, configuration errors, show/rules/explain."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from corslint.cli import main
from conftest import REPO

REFLECT = """server {
    server_name api.example.com;
    location /api/ {
        add_header Access-Control-Allow-Origin $http_origin always;
        add_header Access-Control-Allow-Credentials true always;
        add_header Vary Origin always;
    }
}
"""
CLEAN = """server {
    location /api/ {
        add_header Access-Control-Allow-Origin "https://app.example.com" always;
        proxy_pass http://app;
    }
}
"""


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    (tmp_path / "nginx.conf").write_text(REFLECT)
    return tmp_path


def invoke(*args: str, input: str | bytes | None = None):
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


def test_findings_exit_1_with_concise_output(tree: Path) -> None:
    result = invoke(".")
    assert result.exit_code == 1
    assert "nginx.conf:4:" in result.output
    assert "CORS102 [error]" in result.output


def test_check_subcommand_is_the_default(tree: Path) -> None:
    assert invoke("check", ".").output == invoke(".").output


def test_clean_tree_exits_0(tree: Path) -> None:
    (tree / "nginx.conf").write_text(CLEAN)
    result = invoke(".")
    assert result.exit_code == 0, result.output


def test_exit_zero_and_fail_on(tree: Path) -> None:
    assert invoke(".", "--exit-zero").exit_code == 0
    (tree / "nginx.conf").write_text(CLEAN.replace('"https://app.example.com"', "*"))
    assert invoke(".", "--select", "CORS103").exit_code == 1
    assert invoke(".", "--select", "CORS103", "--fail-on", "error").exit_code == 0


def test_missing_path_is_a_usage_error(tree: Path) -> None:
    result = invoke("does-not-exist")
    assert result.exit_code == 2
    assert "does-not-exist: no such file or directory" in result.output


def test_unknown_rule_selector_is_a_usage_error(tree: Path) -> None:
    result = invoke(".", "--select", "CORS999")
    assert result.exit_code == 2
    assert "CORS999" in result.output


def test_bad_config_is_a_usage_error_naming_the_key(tree: Path) -> None:
    (tree / "corslint.toml").write_text('selekt = ["CORS1"]\n')
    result = invoke(".")
    assert result.exit_code == 2
    assert "selekt" in result.output


def test_isolated_ignores_config(tree: Path) -> None:
    (tree / "corslint.toml").write_text('ignore = ["CORS102"]\n')
    assert "CORS102" not in invoke(".").output
    assert "CORS102" in invoke(".", "--isolated").output


def test_stdin_with_filename(tree: Path) -> None:
    result = invoke("-", "--stdin-filename", "deploy/nginx.conf", input=REFLECT)
    assert result.exit_code == 1
    assert "deploy/nginx.conf:4:" in result.output


def test_stdin_of_unknown_kind_is_a_usage_error(tree: Path) -> None:
    result = invoke("-", "--stdin-filename", "notes.txt", input="hello")
    assert result.exit_code == 2


def test_json_format(tree: Path) -> None:
    result = invoke(".", "--format", "json")
    data = json.loads(result.output)
    finding = next(f for f in data["findings"] if f["rule"] == "CORS102")
    assert finding["path"] == "nginx.conf" and finding["line"] == 4 and finding["source"] == "nginx"
    assert finding["context"] == "server api.example.com > location /api/"
    assert finding["name"] == "reflected-origin" and finding["severity"] == "error"
    assert len(finding["fingerprint"]) >= 16


def test_fingerprint_is_stable_across_line_shifts(tree: Path) -> None:
    before = json.loads(invoke(".", "--format", "json").output)["findings"]
    (tree / "nginx.conf").write_text("\n\n# moved\n" + REFLECT)
    after = json.loads(invoke(".", "--format", "json").output)["findings"]
    assert [f["fingerprint"] for f in before] == [f["fingerprint"] for f in after]
    assert [f["line"] + 3 for f in before] == [f["line"] for f in after]


def test_github_format_is_default_under_actions(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    assert invoke(".").output.startswith("::")


def test_output_file(tree: Path) -> None:
    result = invoke(".", "--format", "sarif", "--output-file", "out.sarif")
    assert result.exit_code == 1
    assert json.loads((tree / "out.sarif").read_text())["version"] == "2.1.0"


def test_unknown_format_is_a_usage_error(tree: Path) -> None:
    assert invoke(".", "--format", "xml").exit_code == 2


def test_statistics(tree: Path) -> None:
    assert "reflected-origin" in invoke(".", "--statistics").output


def test_no_inline_suppressions(tree: Path) -> None:
    (tree / "nginx.conf").write_text(REFLECT.replace(
        "add_header Access-Control-Allow-Origin $http_origin always;",
        "add_header Access-Control-Allow-Origin $http_origin always;  # corslint: ignore[CORS102] -- partner API",
    ))
    assert "CORS102" not in invoke(".").output
    assert "CORS102" in invoke(".", "--no-inline-suppressions").output


def test_force_exclude(tree: Path) -> None:
    (tree / "corslint.toml").write_text('extend-exclude = ["nginx.conf"]\n')
    assert invoke("nginx.conf").exit_code == 1
    assert invoke("nginx.conf", "--force-exclude").exit_code == 0


def test_rules_lists_every_rule() -> None:
    result = invoke("rules")
    assert result.exit_code == 0
    assert "CORS101  credentialed-wildcard-origin" in result.output
    assert "CORS901  origin-not-allowlisted" in result.output and "off by default" in result.output


def test_explain_leaves_out_the_generated_sections_markers() -> None:
    assert "<!--" not in invoke("explain", "CORS101").output


def test_explain_by_code_and_name() -> None:
    by_code = invoke("explain", "CORS102")
    assert by_code.exit_code == 0 and by_code.output.startswith("# CORS102 · reflected-origin")
    assert invoke("explain", "reflected-origin").output == by_code.output


def test_explain_unknown_rule() -> None:
    result = invoke("explain", "reflected-orign")
    assert result.exit_code == 2 and "did you mean reflected-origin" in result.output


def test_show_table_and_json(tree: Path) -> None:
    table = invoke("show", ".")
    assert table.exit_code == 0
    assert "server api.example.com > location /api/" in table.output
    assert "reflect" in table.output
    data = json.loads(invoke("show", "--format", "json", ".").output)
    policy = data["policies"][0]
    assert policy["origins"][0]["kind"] == "reflect"
    assert policy["credentials"]["value"] is True


def test_demo_tree_has_findings() -> None:
    result = subprocess.run([sys.executable, "-m", "corslint", "--format", "concise", str(REPO / "fixtures" / "demo")],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "CORS102" in result.stdout and "CORS106" in result.stdout


def test_version() -> None:
    result = subprocess.run([sys.executable, "-m", "corslint", "--version"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and "corslint" in result.stdout


def test_suppression_of_a_per_file_ignored_code_is_not_unused(tree: Path) -> None:
    (tree / "nginx.conf").write_text(REFLECT.replace(
        "add_header Access-Control-Allow-Origin $http_origin always;",
        "add_header Access-Control-Allow-Origin $http_origin always;  # corslint: ignore[CORS102] -- partner API",
    ))
    (tree / "corslint.toml").write_text('[per-file-ignores]\n"nginx.conf" = ["CORS102"]\n')
    output = invoke(".", "--select", "CORS102,CORS002", "--fail-on", "info").output
    assert "CORS002" not in output and "CORS102" not in output


def test_min_confidence_filters_findings_and_the_exit_code(tmp_path: Path) -> None:
    (tmp_path / "nginx.conf").write_text(
        "server {\n    location /api/ {\n        add_header Access-Control-Allow-Origin * always;\n"
        "        proxy_pass http://app;\n    }\n}\n"
    )
    runner = CliRunner()
    shown = runner.invoke(main, ["check", "--isolated", "--format", "concise", str(tmp_path)])
    assert shown.exit_code == 1
    assert "CORS103 [warning, medium confidence]" in shown.output
    sure = runner.invoke(main, ["check", "--isolated", "--format", "concise", "--min-confidence", "high", str(tmp_path)])
    assert (sure.exit_code, "CORS103" in sure.output) == (0, False)
    (tmp_path / "corslint.toml").write_text('min-confidence = "high"\n')
    configured = runner.invoke(main, ["check", "--format", "concise", str(tmp_path)])
    assert (configured.exit_code, "CORS103" in configured.output) == (0, False)
    (tmp_path / "corslint.toml").write_text('min-confidence = "certain"\n')
    bad = runner.invoke(main, ["check", "--format", "concise", str(tmp_path)])
    assert bad.exit_code == 2 and "'min-confidence' must be one of low, medium, high" in bad.output
