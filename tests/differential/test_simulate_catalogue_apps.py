"""`corslint simulate` against the real frameworks on every JavaScript and Python example of the rule catalogue (bad
and good): each example runs as written in its own process (tests/differential/node/example.js, serve_example.py),
given only what it leaves to its deployment: a route answering 200 at /api/items, 404 elsewhere, and the listener.
An example that needs a package the suite does not install, or that the framework refuses, is counted, not compared."""

from __future__ import annotations

from pathlib import Path

import pytest

import observed
from conftest import lint_tree
from real_servers import (
    NODE_MISSING, PYTHON_MISSING, REQUESTS, Refused, assert_agreed, bypass_requests, catalogue_examples, compare, serve_app,
)

from corslint.catalogue import page_codes

def _server(lang: str, text: str) -> str:
    """The framework an example runs on, with the versions the suite pins (package.json, the test extra)."""
    if lang == "js":
        if "fastify" in text:
            return "Fastify 5.6 + @fastify/cors 11.1"
        if "koa" in text.lower():
            return "Koa 3.0 + @koa/cors 5.0"
        return "Express 5.1 + cors 2.8.6"
    if "fastapi" in text:
        return "FastAPI 0.165 (Starlette 1.10)"
    if "starlette" in text:
        return "Starlette 1.10"
    if "flask" in text.lower() or "@app." in text:
        return "Flask 3.1 + flask-cors 6.0"
    return "Django 5.2 + django-cors-headers 4.9"


def _run_all(lang: str, found: list[tuple[str, int, str, str]], tmp_path: Path) -> tuple[list, list, list]:
    compared, refused, disagreements = [], [], []
    rows: dict[str, list[str]] = {}
    for code, index, filename, text in found:
        folder = tmp_path / f"{code}-{index}"
        tree = folder / "tree"
        (tree / filename).parent.mkdir(parents=True, exist_ok=True)
        (tree / filename).write_text(text, encoding="utf-8")
        result = lint_tree(tree)
        runnable = folder / ("example.py" if lang == "python" else "example.js")
        runnable.write_text(text, encoding="utf-8")
        try:
            with serve_app(lang, runnable) as port:
                requests = REQUESTS + bypass_requests(result.findings, "/api/items")
                compared.append((code, index, compare(result.policies, result.layers, port, f"{code} example {index}", requests)))
                if observed.bad_label(code, index):
                    rows.setdefault(code, []).extend(observed.observe(port, "/api/items", observed.bad_label(code, index), _server(lang, text)))
        except Refused as refusal:
            refused.append((code, index, str(refusal)))
        except AssertionError as failed:
            disagreements.append(f"{code} example {index}: {failed}")
    if observed.pages_available() and not disagreements:
        stale = observed.settle(lang, rows, page_codes())
        assert stale == [], f"{observed.STALE}: {stale}"
    return compared, refused, disagreements


@pytest.mark.parametrize("lang", ["js", "python"])
def test_every_catalogue_example(lang: str, tmp_path: Path) -> None:
    missing = NODE_MISSING if lang == "js" else PYTHON_MISSING
    if missing:
        pytest.skip(missing)
    found = catalogue_examples((lang,))
    compared, refused, disagreements = _run_all(lang, found, tmp_path)
    assert_agreed(disagreements, compared, refused, len(found), 8)
