"""`corslint simulate` against real Express 5 + npm `cors` 2.8.6 on 127.0.0.1 (tests/differential/node, installed by
.ci/run with `npm ci`): each predicted CORS header must be what the application sends."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import lint_tree
from real_servers import MAX_WAIT_S, REQUESTS, compare, free_port


NODE = Path(__file__).resolve().parent / "node"
_MISSING = None if (NODE / "node_modules" / "cors").is_dir() and shutil.which("node") else (
    "Node or the suite's npm packages are missing: run `npm ci` in tests/differential/node (.ci/run does)"
)
pytestmark = pytest.mark.skipif(_MISSING is not None, reason=_MISSING or "")

CASES = {
    "allowlist-credentials": {"origin": ["https://app.example.com"], "credentials": True},
    "defaults": {},
    "one-origin-string": {"origin": "https://app.example.com"},
    "methods-and-headers": {"origin": ["https://app.example.com"], "methods": ["GET", "PUT"], "allowedHeaders": ["Authorization"]},
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_simulate_predicts_what_npm_cors_sends(case: str, tmp_path: Path) -> None:
    options = json.dumps(CASES[case])
    source = f"const express = require('express');\nconst cors = require('cors');\nconst app = express();\napp.use(cors({options}));\n"
    (tmp_path / "server.js").write_text(source, encoding="utf-8")
    result = lint_tree(tmp_path)
    port = free_port()
    process = subprocess.Popen(["node", str(NODE / "server.js"), str(port), options], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None and process.stdout.readline().strip() == "ready"
        assert compare(result.policies, result.layers, port, case) >= len(REQUESTS)
    finally:
        process.terminate()
        process.wait(timeout=MAX_WAIT_S)
