"""`corslint simulate` against real Flask 3.1 + flask-cors 6.0.5 on 127.0.0.1: each predicted CORS header must be
what the application sends (list headers compared as the sets browsers read them as)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from conftest import lint_tree
from real_servers import REQUESTS, compare


flask = pytest.importorskip("flask", reason="Flask is in the test extra: pip install '.[test]'")
flask_cors = pytest.importorskip("flask_cors", reason="flask-cors is in the test extra: pip install '.[test]'")

CASES = {
    "allowlist-credentials": 'CORS(app, origins=["https://app.example.com"], supports_credentials=True)',
    "everything-default": "CORS(app)",
    "api-resources-star": 'CORS(app, resources={r"/api/*": {"origins": "*"}})',
    "one-origin": 'CORS(app, origins="https://app.example.com")',
    "methods-and-headers": 'CORS(app, origins=["https://app.example.com"], methods=["GET", "PUT"], allow_headers=["Authorization"])',
    "private-network-expose": 'CORS(app, origins=["https://app.example.com"], allow_private_network=True, expose_headers=["X-Total"])',
}
def _app(call: str) -> Any:
    from flask import Flask, abort
    from flask_cors import CORS

    app = Flask("differential")

    @app.route("/api/items", methods=["GET", "PUT", "POST"])
    def items() -> str:
        return "ok"

    @app.route("/api/missing")
    def missing() -> str:
        abort(404)

    exec(call, {"CORS": CORS, "app": app})  # the test's own application line, the same text corslint reads below
    return app


@pytest.mark.parametrize("case", sorted(CASES))
def test_simulate_predicts_what_flask_cors_sends(case: str, tmp_path: Path) -> None:
    from werkzeug.serving import make_server

    source = f"from flask import Flask\nfrom flask_cors import CORS\n\napp = Flask(__name__)\n{CASES[case]}\n"
    (tmp_path / "app.py").write_text(source, encoding="utf-8")
    result = lint_tree(tmp_path)
    server = make_server("127.0.0.1", 0, _app(CASES[case]), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        assert compare(result.policies, result.layers, server.port, case) >= len(REQUESTS)
    finally:
        server.shutdown()
