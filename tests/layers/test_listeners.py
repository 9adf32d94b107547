"""The listen ports applications state: literal numbers are facts, environment fallbacks are assumptions."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import lint_tree, write_tree


def _listeners(tmp_path: Path, name: str, text: str) -> list[tuple[int, str, str]]:
    from corslint.sources.javascript import JavaScriptSource
    from corslint.sources.python import PythonSource
    from corslint.workspace import SourceFile, Workspace

    write_tree(tmp_path, {name: text})
    source = JavaScriptSource() if name.endswith(".js") else PythonSource()
    workspace = Workspace([tmp_path], display_base=tmp_path)
    source_file = SourceFile(name, tmp_path / name)
    workspace.register(source_file)
    extraction = source.extract([source_file], workspace)
    return [(listener.port, listener.framework, listener.assumed) for listener in extraction.listeners]


@pytest.mark.parametrize(
    "text,found",
    [
        ("app.listen(3000);", [(3000, "node", "")]),
        ("const PORT = process.env.PORT || 8080;\napp.listen(PORT, () => {});", [(8080, "node", "8080 while $PORT is unset")]),
        ("const port = Number(process.env.PORT ?? '4000');\nserver.listen(port);", [(4000, "node", "4000 while $PORT is unset")]),
        ("await fastify.listen({ port: 3001, host: '0.0.0.0' });", [(3001, "node", "")]),
        ("app.listen(process.env.PORT);", []),
        ("listen(3000);", []),
        ("app.listen(70000);", []),
        ("app.listen(" + "1" * 100_000 + ");", []),  # no int() of a 100,000-digit number (found by the fuzzer)
    ],
)
def test_node(tmp_path: Path, text: str, found: list) -> None:
    assert _listeners(tmp_path, "server.js", text) == found


@pytest.mark.parametrize(
    "text,found",
    [
        ("import uvicorn\nuvicorn.run(app, host='0.0.0.0', port=8001)\n", [(8001, "uvicorn", "")]),
        ("import uvicorn\nuvicorn.run('main:app')\n", [(8000, "uvicorn", "uvicorn's default port 8000")]),
        ("from flask import Flask\napp = Flask(__name__)\napp.run()\n", [(5000, "flask", "flask's default port 5000")]),
        ("from flask import Flask\nimport os\napp = Flask(__name__)\napp.run(port=int(os.environ.get('PORT', 5050)))\n",
         [(5050, "flask", "5050 while $PORT is unset")]),
        ("from flask import Flask\napp = Flask(__name__)\napp.run(**options)\n", []),
        ("import subprocess\nsubprocess.run(['ls'])\n", []),
        ("from aiohttp import web\nweb.run_app(app, port=8081)\n", [(8081, "aiohttp", "")]),
    ],
)
def test_python(tmp_path: Path, text: str, found: list) -> None:
    assert _listeners(tmp_path, "main.py", text) == found


def test_a_file_read_only_for_its_port_reports_nothing_else(tmp_path: Path) -> None:
    write_tree(tmp_path, {"server.js": "const app = require('./app');\napp.listen(3000\n", "run.py": "import uvicorn\nuvicorn.run(app, port=\n"})
    result = lint_tree(tmp_path, {"select": ["ALL"]})
    assert result.findings == [] and result.files_analysed == set()
