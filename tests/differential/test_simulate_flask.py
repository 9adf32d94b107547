"""`corslint simulate` against real Flask 3.1 + flask-cors 6.0.5 on 127.0.0.1: each predicted CORS header must be
what the application sends (list headers compared as the sets browsers read them as)."""

from __future__ import annotations

import http.client
import threading
from pathlib import Path
from typing import Any

import pytest

from conftest import lint_tree
from real_servers import CORS_NAMES, MAX_WAIT_S, REQUESTS

from corslint.simulate.run import simulate

flask = pytest.importorskip("flask", reason="Flask is in the test extra: pip install '.[test]'")
flask_cors = pytest.importorskip("flask_cors", reason="flask-cors is in the test extra: pip install '.[test]'")

CASES = {
    "allowlist-credentials": 'CORS(app, origins=["https://app.example.com"], supports_credentials=True)',
    "everything-default": "CORS(app)",
    "api-resources-star": 'CORS(app, resources={r"/api/*": {"origins": "*"}})',
    "one-origin": 'CORS(app, origins="https://app.example.com")',
    "methods-and-headers": 'CORS(app, origins=["https://app.example.com"], methods=["GET", "PUT"], allow_headers=["Authorization"])',
}
_LISTS = ("access-control-allow-methods", "access-control-allow-headers", "access-control-expose-headers")


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


def _normal(headers: list[tuple[str, str]]) -> list[tuple[str, Any]]:
    found = []
    for name, value in headers:
        low = name.lower()
        if low in CORS_NAMES:
            found.append((low, frozenset(v.strip().lower() for v in value.split(",")) if low in _LISTS else value))
    return sorted(found, key=repr)


def _request(port: int, method: str, path: str, headers: dict[str, str]) -> tuple[int, list[tuple[str, str]]]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=MAX_WAIT_S)
    try:
        connection.request(method, path, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status, response.getheaders()
    finally:
        connection.close()


@pytest.mark.parametrize("case", sorted(CASES))
def test_simulate_predicts_what_flask_cors_sends(case: str, tmp_path: Path) -> None:
    from werkzeug.serving import make_server

    source = f"from flask import Flask\nfrom flask_cors import CORS\n\napp = Flask(__name__)\n{CASES[case]}\n"
    (tmp_path / "app.py").write_text(source, encoding="utf-8")
    result = lint_tree(tmp_path)
    server = make_server("127.0.0.1", 0, _app(CASES[case]), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    compared = 0
    try:
        for request in REQUESTS:
            (outcome,) = simulate(result.policies, result.layers, request)
            if outcome.preflight is not None and not outcome.preflight.unknown:
                headers = {"Origin": request.origin, "Access-Control-Request-Method": request.method}
                if request.headers:
                    headers["Access-Control-Request-Headers"] = ", ".join(n.lower() for n, _ in request.headers)
                status, got = _request(server.port, "OPTIONS", request.path, headers)
                predicted = [(h.name, h.value) for h in outcome.preflight.headers]
                assert _normal(got) == _normal(predicted), (case, "OPTIONS", request)
                compared += 1
            status, got = _request(server.port, request.method, request.path, {"Origin": request.origin})
            expected = outcome.error_response if status >= 400 else outcome.response
            assert _normal(got) == _normal([(h.name, h.value) for h in expected.headers]), (case, request, status)
            compared += 1
    finally:
        server.shutdown()
    assert compared >= len(REQUESTS)
