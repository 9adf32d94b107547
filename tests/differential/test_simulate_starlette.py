"""`corslint simulate` against real Starlette 1.10 (`CORSMiddleware`, served by uvicorn on 127.0.0.1) and Django 5.2 +
django-cors-headers 4.9.0 (served by werkzeug on 127.0.0.1): each predicted CORS header must be what they send."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest

from conftest import lint_tree
from real_servers import MAX_POLLS, POLL_S, REQUESTS, compare, free_port


starlette = pytest.importorskip("starlette", reason="Starlette is in the test extra: pip install '.[test]'")
uvicorn = pytest.importorskip("uvicorn", reason="uvicorn is in the test extra: pip install '.[test]'")

CASES = {
    "allowlist-credentials": 'allow_origins=["https://app.example.com"], allow_credentials=True, allow_methods=["GET", "PUT"], allow_headers=["Authorization"]',
    "star-no-credentials": 'allow_origins=["*"], allow_methods=["*"], allow_headers=["*"]',
    "defaults": 'allow_origins=["https://app.example.com"]',
    "private-network-expose": 'allow_origins=["https://app.example.com"], allow_methods=["*"], allow_headers=["*"], allow_private_network=True, expose_headers=["X-Total"]',
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
    for _ in range(MAX_POLLS):
        if server.started:
            break
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
    try:
        assert compare(result.policies, result.layers, port, case) >= len(REQUESTS)
    finally:
        server.should_exit = True
