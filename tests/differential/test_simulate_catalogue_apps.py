"""`corslint simulate` against the real frameworks on every JavaScript and Python example of the rule catalogue (bad
and good): each example runs as written in its own process (tests/differential/node/example.js, serve_example.py),
given only what it leaves to its deployment: a route answering 200 at /api/items, 404 elsewhere, and the listener.
An example that needs a package the suite does not install, or that the framework refuses, is counted, not compared."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import lint_tree
from real_servers import MAX_WAIT_S, compare, free_port

from corslint.catalogue import load_page, page_codes

HERE = Path(__file__).resolve().parent
NODE_MISSING = None if (HERE / "node" / "node_modules" / "cors").is_dir() and shutil.which("node") else (
    "Node or the suite's npm packages are missing: run `npm ci` in tests/differential/node (.ci/run does)"
)
PYTHON_MISSING = None
for _module in ("flask", "flask_cors", "starlette", "fastapi", "uvicorn", "django", "corsheaders", "werkzeug"):
    try:
        __import__(_module)
    except ImportError:
        PYTHON_MISSING = f"{_module} is in the test extra: pip install '.[test]'"


def examples(langs: tuple[str, ...]) -> list[tuple[str, int, str, str]]:
    found = []
    for code in page_codes():
        page = load_page(code)
        for index, example in enumerate(page.examples if page else []):
            if example.lang in langs and not example.companions:
                found.append((code, index, example.filename, example.code))
    return found


def _command(lang: str, file: Path, port: int) -> list[str]:
    if lang == "python":
        return [sys.executable, str(HERE / "serve_example.py"), str(file), str(port)]
    return ["node", str(HERE / "node" / "example.js"), str(port), str(file)]


def _run_all(lang: str, found: list[tuple[str, int, str, str]], tmp_path: Path) -> tuple[list, list, list]:
    compared, refused, disagreements = [], [], []
    for code, index, filename, text in found:
        folder = tmp_path / f"{code}-{index}"
        tree = folder / "tree"
        (tree / filename).parent.mkdir(parents=True, exist_ok=True)
        (tree / filename).write_text(text, encoding="utf-8")
        result = lint_tree(tree)
        runnable = folder / ("example.py" if lang == "python" else "example.js")
        runnable.write_text(text, encoding="utf-8")
        port = free_port()
        # deployed as in production (NODE_ENV; Django's DEBUG is False in serve_example.py): simulate shows that case
        process = subprocess.Popen(_command(lang, runnable, port), cwd=folder, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True, env={**os.environ, "NODE_ENV": "production"})
        try:
            assert process.stdout is not None and process.stderr is not None
            line = process.stdout.readline().strip()
            if line != "ready":
                process.kill()
                refused.append((code, index, line or _error_line(process.stderr.read())))
                continue
            responses = compare(result.policies, result.layers, port, f"{code} example {index}")
            compared.append((code, index, responses))
        except AssertionError as failed:
            disagreements.append(f"{code} example {index}: {failed}")
        finally:
            process.kill()
            process.wait(timeout=MAX_WAIT_S)
    return compared, refused, disagreements


def _error_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if "Error" in line or "error" in line]
    return (lines or stderr.splitlines()[-1:] or ["no output"])[0].strip()


@pytest.mark.skipif(NODE_MISSING is not None, reason=NODE_MISSING or "")
def test_every_javascript_catalogue_example(tmp_path: Path) -> None:
    found = examples(("js",))
    compared, refused, disagreements = _run_all("js", found, tmp_path)
    assert disagreements == [], "\n".join(disagreements)
    assert len(compared) >= len(found) - 8, refused
    assert sum(responses for _, _, responses in compared) >= 4 * len(compared), compared


@pytest.mark.skipif(PYTHON_MISSING is not None, reason=PYTHON_MISSING or "")
def test_every_python_catalogue_example(tmp_path: Path) -> None:
    found = examples(("python",))
    compared, refused, disagreements = _run_all("python", found, tmp_path)
    assert disagreements == [], "\n".join(disagreements)
    assert len(compared) >= len(found) - 8, refused
    assert sum(responses for _, _, responses in compared) >= 4 * len(compared), compared
