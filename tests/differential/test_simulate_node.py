"""`corslint simulate` against real Node frameworks on 127.0.0.1 (tests/differential/node, installed by .ci/run with
`npm ci`): Express 5 + npm `cors` 2.8.6, Fastify 5 + @fastify/cors 11, Koa 3 + @koa/cors 5. Each predicted CORS
header must be what the application sends."""

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

# framework -> (server script, the source corslint reads for the same options, cases)
FRAMEWORKS = {
    "express": (
        "server.js",
        "const express = require('express');\nconst cors = require('cors');\nconst app = express();\napp.use(cors({options}));\n",
        {
            "allowlist-credentials": {"origin": ["https://app.example.com"], "credentials": True},
            "defaults": {},
            "one-origin-string": {"origin": "https://app.example.com"},
            "methods-and-headers": {"origin": ["https://app.example.com"], "methods": ["GET", "PUT"], "allowedHeaders": ["Authorization"]},
            "expose": {"origin": ["https://app.example.com"], "exposedHeaders": ["X-Total"]},
        },
    ),
    "fastify": (
        "fastify-server.js",
        "const fastify = require('fastify')();\nconst cors = require('@fastify/cors');\nfastify.register(cors, {options});\n",
        {
            "allowlist-credentials": {"origin": ["https://app.example.com"], "credentials": True},
            "defaults": {},
            "one-origin-string": {"origin": "https://app.example.com"},
            "expose": {"origin": ["https://app.example.com"], "exposedHeaders": ["X-Total"]},
        },
    ),
    "koa": (
        "koa-server.js",
        "const Koa = require('koa');\nconst cors = require('@koa/cors');\nconst app = new Koa();\napp.use(cors({options}));\n",
        {
            "one-origin-credentials": {"origin": "https://app.example.com", "credentials": True},
            "defaults": {},
            "private-network-expose": {"origin": "https://app.example.com", "privateNetworkAccess": True, "exposeHeaders": ["X-Total"]},
        },
    ),
}
CASES = [(framework, case) for framework, (_, _, cases) in sorted(FRAMEWORKS.items()) for case in sorted(cases)]


@pytest.mark.parametrize("framework,case", CASES)
def test_simulate_predicts_what_the_node_framework_sends(framework: str, case: str, tmp_path: Path) -> None:
    script, template, cases = FRAMEWORKS[framework]
    options = json.dumps(cases[case])
    (tmp_path / "server.js").write_text(template.replace("{options}", options), encoding="utf-8")
    result = lint_tree(tmp_path)
    port = free_port()
    process = subprocess.Popen(["node", str(NODE / script), str(port), options], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None and process.stdout.readline().strip() == "ready"
        assert compare(result.policies, result.layers, port, f"{framework} {case}") >= len(REQUESTS)
    finally:
        process.terminate()
        process.wait(timeout=MAX_WAIT_S)
