"""Includes not in the tree (CORS004) and templates that stand for them."""

from __future__ import annotations

from pathlib import Path

from conftest import lint_tree

CORS = 'add_header Access-Control-Allow-Origin "https://app.example.com" always;'


def findings(root: Path) -> list[tuple[str, str, int, str]]:
    return [(f.code, f.severity.value, f.location.line, f.location.path)
            for f in lint_tree(root, {"select": ["ALL"]}).findings]


def test_a_missing_include_is_info_once_per_target_and_only_where_cors_is_set(tmp_path: Path) -> None:
    (tmp_path / "api.conf").write_text(
        "server {\n"
        f"    location /a/ {{ {CORS} include cors.conf; }}\n"
        f"    location /b/ {{ {CORS} include cors.conf; include proxy.conf; }}\n"
        "}\n"
    )
    (tmp_path / "www.conf").write_text("server {\n    include mime.types;\n    add_header X-Frame-Options DENY;\n}\n")
    result = lint_tree(tmp_path, {"select": ["ALL"]})
    unresolved = [f for f in result.findings if f.code == "CORS004"]
    assert [(f.location.path, f.location.line, f.message.split(":")[0]) for f in unresolved] == [
        ("api.conf", 2, "include cors.conf"), ("api.conf", 3, "include proxy.conf")]
    assert {f.severity.value for f in unresolved} == {"info"}
    assert [(r.location.line, r.note) for r in unresolved[0].related] == [(3, "the same include")]
    assert not any(f.code == "CORS001" for f in result.findings)


def test_an_include_resolves_to_the_template_it_is_rendered_from(tmp_path: Path) -> None:
    (tmp_path / "nginx.conf").write_text(
        "http {\n    server {\n        location /api/ {\n"
        "            include snippets/cors.conf;\n            proxy_pass http://app;\n        }\n    }\n}\n"
    )
    (tmp_path / "snippets").mkdir()
    (tmp_path / "snippets" / "cors.conf.template").write_text(
        "add_header Access-Control-Allow-Origin $http_origin always;\n"
        "add_header Access-Control-Allow-Credentials true always;\n"
        "add_header X-Upstream ${UPSTREAM_NAME} always;\n"
    )
    found = findings(tmp_path)
    assert ("CORS102", "error", 1, "snippets/cors.conf.template") in found
    assert not any(code in ("CORS001", "CORS004") for code, *_ in found)


def test_apache_include_not_in_the_tree_is_cors004(tmp_path: Path) -> None:
    (tmp_path / "httpd.conf").write_text(
        'Include conf/missing.conf\nIncludeOptional conf/optional.conf\nHeader set Access-Control-Allow-Origin "https://a.example.com"\n'
    )
    assert [(code, severity, line) for code, severity, line, _ in findings(tmp_path)
            if code.startswith("CORS00")] == [("CORS004", "info", 1)]
