"""One fault, one finding: a consequence at the same places as its cause is folded into the cause."""

from __future__ import annotations

from pathlib import Path

from conftest import lint_tree

CONF = """server {
    server_name api.example.com;
    location /api/ {
        add_header Access-Control-Allow-Origin "https://app.example.com" always;
        add_header Access-Control-Allow-Credentials true always;
        if ($request_method = OPTIONS) {
            add_header Access-Control-Allow-Methods "GET, POST, PUT";
            return 204;
        }
        proxy_pass http://127.0.0.1:3000;
    }
}
"""


def test_dropped_inherited_headers_and_the_preflight_that_lacks_them_are_one_finding(tmp_path: Path) -> None:
    (tmp_path / "nginx.conf").write_text(CONF)
    findings = lint_tree(tmp_path, {"select": ["ALL"]}).findings
    assert [(f.code, f.location.line) for f in findings] == [("CORS403", 7)]
    assert [(r.location.line, "CORS202" in r.note) for r in findings[0].related][-1] == (6, True)


def test_the_consequence_stays_when_its_cause_is_not_selected(tmp_path: Path) -> None:
    (tmp_path / "nginx.conf").write_text(CONF)
    findings = lint_tree(tmp_path, {"select": ["ALL"], "ignore": ["CORS403"]}).findings
    assert [f.code for f in findings] == ["CORS202"]
