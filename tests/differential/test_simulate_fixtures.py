"""`corslint simulate` against the real servers and frameworks on the fixtures of these kinds (fixtures/nginx,
apache, express, koa, fastify, flask, fastapi, django), adapted only in deployment details: the listen address, the
upstream address, TLS lines, the document root. A fixture the server refuses as adapted, or one spread over several
application files, is counted, not compared."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import lint_tree
from real_servers import (
    NODE_MISSING, PYTHON_MISSING, REQUESTS, Nginx, Refused, adapt_nginx, apache_available, assert_agreed, at_path,
    bypass_requests, compare, http_request, nginx_available, request_path, served_config, serve_apache, serve_app,
    serve_upstream, servers_in,
)

from corslint.records import replace

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
_CODE = (".js", ".mjs", ".py")
_APP_KINDS = {"express": "js", "koa": "js", "fastify": "js", "flask": "python", "fastapi": "python", "django": "python"}


def _files(case: Path, suffixes: tuple[str, ...]) -> dict[str, str]:
    return {str(p.relative_to(case)): p.read_text(encoding="utf-8") for p in sorted(case.rglob("*"))
            if p.is_file() and p.name.lower().endswith(suffixes)}


@pytest.fixture(scope="module")
def upstream():  # type: ignore[no-untyped-def]
    yield from serve_upstream()


@pytest.mark.skipif(nginx_available() is not None, reason=nginx_available() or "")
def test_nginx_fixtures(tmp_path: Path, upstream: int) -> None:
    cases = sorted(p for p in (FIXTURES / "nginx").iterdir() if p.is_dir())
    compared, refused, disagreements = [], [], []
    for case in cases:
        files = _files(case, (".conf",))
        if len(files) != 1 or servers_in(next(iter(files.values()))) != 1:
            refused.append((case.name, "several files or servers"))
            continue
        (name, text), = files.items()
        folder = tmp_path / case.name
        folder.mkdir()
        server = Nginx(folder, adapt_nginx(text), upstream)
        if not server.loads():
            refused.append((case.name, "nginx -t refuses it as adapted"))
            continue
        result = lint_tree(served_config(server))
        path = request_path(text)
        server.add_file(path)
        server.start()
        try:
            responses = compare(result.policies, result.layers, server.port, case.name, at_path(path) + bypass_requests(result.findings, path))
            compared.append((case.name, responses))
        except AssertionError as failed:
            disagreements.append(f"{case.name}: {failed}")
        finally:
            server.stop()
    # the fixture nginx refuses on purpose (a missing semicolon) and the multi-file include tree are not compared
    assert_agreed(disagreements, compared, refused, len(cases), 3)


@pytest.mark.skipif(apache_available() is not None, reason=apache_available() or "")
def test_apache_fixtures(tmp_path: Path, upstream: int) -> None:
    cases = sorted(p for p in (FIXTURES / "apache").iterdir() if p.is_dir())
    compared, refused, disagreements = [], [], []
    for case in cases:
        files = _files(case, ("htaccess", ".conf"))
        if any("Include" in text for text in files.values()):
            refused.append((case.name, "includes other files"))
            continue
        folder = tmp_path / case.name
        folder.mkdir()
        server = serve_apache(folder, files, upstream)
        tree = folder / "tree"
        for name, text in files.items():
            (tree / name).parent.mkdir(parents=True, exist_ok=True)
            (tree / name).write_text(text, encoding="utf-8")
        result = lint_tree(tree)
        if any(p.content == "upstream" for p in result.policies) and not any("ProxyPass" in t for t in files.values()):
            refused.append((case.name, "hands requests to a script (PHP) this harness does not run"))
            continue
        try:
            server.start()
        except RuntimeError as refusal:
            refused.append((case.name, str(refusal)[:200]))
            continue
        try:
            if http_request(server.port, "GET", "/api/items", {})[0] == 500:
                refused.append((case.name, "Apache answers 500: a directive this build lacks"))
                continue
            requests = at_path("/api/items") + [replace(REQUESTS[0], path="/fonts/icons.woff2")]
            compared.append((case.name, compare(result.policies, result.layers, server.port, case.name,
                                                requests + bypass_requests(result.findings, "/api/items"))))
        except AssertionError as failed:
            disagreements.append(f"{case.name}: {failed}")
        finally:
            server.stop()
    assert_agreed(disagreements, compared, refused, len(cases), 3)


@pytest.mark.skipif(NODE_MISSING is not None or PYTHON_MISSING is not None, reason=NODE_MISSING or PYTHON_MISSING or "")
def test_application_fixtures(tmp_path: Path) -> None:
    cases = sorted(p for kind in _APP_KINDS for p in (FIXTURES / kind).iterdir() if p.is_dir())
    compared, refused, disagreements = [], [], []
    for case in cases:
        files = _files(case, _CODE)
        if len(files) != 1:
            refused.append((case.name, "spread over several application files"))
            continue
        (name, text), = files.items()
        folder = tmp_path / f"{case.parent.name}-{case.name}"
        tree = folder / "tree"
        (tree / name).parent.mkdir(parents=True, exist_ok=True)
        (tree / name).write_text(text, encoding="utf-8")
        result = lint_tree(tree)
        lang = _APP_KINDS[case.parent.name]
        runnable = folder / ("example.py" if lang == "python" else "example.js")
        runnable.write_text(text, encoding="utf-8")
        try:
            with serve_app(lang, runnable) as port:
                requests = REQUESTS + bypass_requests(result.findings, "/api/items")
                compared.append((case.name, compare(result.policies, result.layers, port, case.name, requests)))
        except Refused as refusal:
            refused.append((case.name, str(refusal)))
        except AssertionError as failed:
            disagreements.append(f"{case.parent.name}/{case.name}: {failed}")
    assert disagreements == [], "\n".join(disagreements)
    assert len(compared) >= len(cases) - 6, "\n".join(map(str, refused))
