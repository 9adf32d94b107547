"""`corslint simulate` against real Starlette 1.10 (`CORSMiddleware`, served by uvicorn on 127.0.0.1) and Django 5.2 +
django-cors-headers 4.9.0 (served by werkzeug on 127.0.0.1): each predicted CORS header must be what they send."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest

from conftest import lint_tree
from real_servers import CORS_NAMES, MAX_WAIT_S, POLL_S, REQUESTS, free_port
from test_simulate_flask import _normal, _request

from corslint.simulate.run import simulate

starlette = pytest.importorskip("starlette", reason="Starlette is in the test extra: pip install '.[test]'")
uvicorn = pytest.importorskip("uvicorn", reason="uvicorn is in the test extra: pip install '.[test]'")

CASES = {
    "allowlist-credentials": 'allow_origins=["https://app.example.com"], allow_credentials=True, allow_methods=["GET", "PUT"], allow_headers=["Authorization"]',
    "star-no-credentials": 'allow_origins=["*"], allow_methods=["*"], allow_headers=["*"]',
    "defaults": 'allow_origins=["https://app.example.com"]',
}


def _starlette(options: str) -> Any:
    from starlette.applications import Starlette
    from starlette.middleware.cors import CORSMiddleware
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route

    async def items(request: Any) -> PlainTextResponse:
        return PlainTextResponse("ok")

    app = Starlette(routes=[Route("/api/items", items, methods=["GET", "PUT", "POST"])])
    exec(f"app.add_middleware(CORSMiddleware, {options})", {"app": app, "CORSMiddleware": CORSMiddleware})  # the test's own line
    return app


def _serve(app: Any) -> tuple[Any, int]:
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + MAX_WAIT_S
    while not server.started and time.monotonic() < deadline:
        time.sleep(POLL_S)
    return server, port


@pytest.mark.parametrize("case", sorted(CASES))
def test_simulate_predicts_what_starlette_sends(case: str, tmp_path: Path) -> None:
    source = (
        "from starlette.applications import Starlette\nfrom starlette.middleware.cors import CORSMiddleware\n\n"
        f"app = Starlette()\napp.add_middleware(CORSMiddleware, {CASES[case]})\n"
    )
    (tmp_path / "app.py").write_text(source, encoding="utf-8")
    result = lint_tree(tmp_path)
    server, port = _serve(_starlette(CASES[case]))
    compared = 0
    try:
        for request in REQUESTS:
            (outcome,) = simulate(result.policies, result.layers, request)
            if outcome.preflight is not None and not outcome.preflight.unknown:
                headers = {"Origin": request.origin, "Access-Control-Request-Method": request.method}
                if request.headers:
                    headers["Access-Control-Request-Headers"] = ", ".join(n.lower() for n, _ in request.headers)
                status, got = _request(port, "OPTIONS", request.path, headers)
                predicted = [(h.name, h.value) for h in outcome.preflight.headers]
                assert (status, _normal(got)) == (outcome.preflight.status, _normal(predicted)), (case, "OPTIONS", request)
                compared += 1
            status, got = _request(port, request.method, request.path, {"Origin": request.origin})
            expected = outcome.error_response if status >= 400 else outcome.response
            assert _normal(got) == _normal([(h.name, h.value) for h in expected.headers]), (case, request, status)
            compared += 1
    finally:
        server.should_exit = True
    assert compared >= len(REQUESTS)
