"""Origin tests that gate access rather than set a CORS header — nginx `if ($http_origin !~ …) { return 403; }`,
Python `if not origin.startswith(…): abort(403)`, Express `if (!allowed.includes(origin)) return res.sendStatus(403)` —
are stated as gates and judged by the origin rules with their own wording; request data the calling page chooses
copied into Access-Control-Allow-Origin is reflection; NestJS `@Header` decorators and Apollo's `cors` option."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from conftest import lint_tree
from corslint.findings import Severity
from corslint.model import OriginKind


def lint(root: Path, name: str, text: str):  # type: ignore[no-untyped-def]
    (root / name).parent.mkdir(parents=True, exist_ok=True)
    (root / name).write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return lint_tree(root)


def codes(result) -> list[tuple[str, int]]:  # type: ignore[no-untyped-def]
    return sorted((f.code, f.location.line) for f in result.findings)


NGINX_GATE = """
    server {
        server_name api.example.com;
        location /api/ {
            if ($http_origin !~ "^https://([^/]+)?example\\.com$") {
                return 403;
            }
            proxy_pass http://127.0.0.1:8000;
        }
    }
"""


def test_nginx_gate_is_judged_as_a_gate(tmp_path: Path) -> None:
    result = lint(tmp_path, "nginx.conf", NGINX_GATE)
    (policy,) = result.policies
    assert [(r.kind, r.value) for r in policy.gates] == [(OriginKind.PATTERN, "^https://([^/]+)?example\\.com$")]
    assert policy.origins == [] and not policy.has_cors
    (finding,) = result.findings
    assert (finding.code, finding.severity, finding.location.line) == ("CORS106", Severity.WARNING, 4)
    assert "passes `https://attackerexample.com`" in finding.message
    assert "decides access rather than a CORS header" in finding.message


def test_an_origin_test_that_decides_the_cors_header_is_not_a_gate(tmp_path: Path) -> None:
    result = lint(tmp_path, "nginx.conf", """
        server {
            location /api/ {
                if ($http_origin ~ "^https://([^/]+)?example\\.com$") {
                    add_header Access-Control-Allow-Origin $http_origin always;
                }
                proxy_pass http://127.0.0.1:8000;
            }
        }
    """)
    assert all(not p.gates for p in result.policies)
    assert [f.code for f in result.findings if f.code == "CORS106"] == ["CORS106"]
    assert "decides access" not in next(f for f in result.findings if f.code == "CORS106").message


@pytest.mark.parametrize(
    "test, code",
    [
        ('"^https://app\\.example\\.com$"', None),
        ('"^https?://app\\.example\\.com$"', "CORS105"),
        ("'^https://app.example.com/'", "CORS108"),
        ("'example.com'", "CORS105 CORS106"),
    ],
)
def test_nginx_gate_pitfalls(tmp_path: Path, test: str, code: str) -> None:
    result = lint(tmp_path, "nginx.conf", f"server {{\n  if ($http_origin !~ {test}) {{\n    return 403;\n  }}\n}}\n")
    assert {f.code for f in result.findings} == (set(code.split()) if code else set())


def test_python_gates(tmp_path: Path) -> None:
    result = lint(tmp_path, "app.py", """
        from flask import Flask, abort, request

        app = Flask(__name__)


        @app.before_request
        def only_our_sites():
            origin = request.headers.get("Origin")
            if origin and not origin.startswith("https://app.example.com"):
                abort(403)
            if origin and origin not in ("https://app.example.com", "https://admin.example.com"):
                abort(403)
            if request.headers.get("Origin") == "admin.example.com":
                abort(403)
    """)
    assert codes(result) == [("CORS106", 9), ("CORS108", 13)]
    assert "passes origins starting with `https://app.example.com`" in result.findings[0].message
    assert "https://app.example.com.attacker.test" in result.findings[0].message


def test_javascript_gates(tmp_path: Path) -> None:
    result = lint(tmp_path, "server.js", """
        const express = require('express');
        const app = express();
        const allowed = ['https://app.example.com', 'https://admin.example.com'];

        app.use((req, res, next) => {
          const origin = req.headers.origin;
          if (origin && !allowed.includes(origin)) {
            return res.status(403).send('Forbidden');
          }
          next();
        });

        app.use((req, res, next) => {
          if (req.headers.origin && !req.headers.origin.endsWith('example.com')) {
            return res.sendStatus(403);
          }
          next();
        });
    """)
    assert sorted(c for c, _ in codes(result)) == ["CORS105", "CORS106"]
    assert all(f.location.line == 14 for f in result.findings)


def test_a_cors_origin_callback_is_not_a_gate(tmp_path: Path) -> None:
    result = lint(tmp_path, "server.js", """
        const cors = require('cors');
        const app = require('express')();
        app.use(cors({
          origin: (origin, callback) => {
            if (!origin || origin.endsWith('.example.com')) {
              return callback(null, true);
            }
            callback(new Error('Not allowed by CORS'));
          },
        }));
    """)
    assert all(not p.gates for p in result.policies)


@pytest.mark.parametrize(
    "code",
    [
        "res.setHeader('Access-Control-Allow-Origin', req.query.origin);",
        "res.set({ 'access-control-allow-origin': req.body.origin });",
        "res.writeHead(200, { 'Access-Control-Allow-Origin': new URL(req.url, 'http://x').searchParams.get('origin') });",
        "res.setHeader('Access-Control-Allow-Origin', url.parse(req.url, true).query.origin);",
    ],
)
def test_request_data_the_page_chooses_is_reflection(tmp_path: Path, code: str) -> None:
    result = lint(tmp_path, "app.js", f"""
        const url = require('url');
        const app = require('express')();
        app.get('/data', (req, res) => {{
          {code}
          res.setHeader('Access-Control-Allow-Credentials', 'true');
          res.send('ok');
        }});
    """)
    (finding,) = [f for f in result.findings if f.code == "CORS102"]
    assert finding.severity is Severity.ERROR and "request data the calling page chooses" in finding.message
    assert not [f for f in result.findings if f.code == "CORS401"]  # the query is part of the URL caches key on


def test_request_data_checked_against_an_allowlist_is_not_reflection(tmp_path: Path) -> None:
    result = lint(tmp_path, "app.js", """
        const ALLOWED = ['https://app.example.com'];
        require('http').createServer((req, res) => {
          const origin = require('url').parse(req.url, true).query.origin;
          if (ALLOWED.indexOf(origin) !== -1) {
            res.setHeader('Access-Control-Allow-Origin', origin);
            res.setHeader('Access-Control-Allow-Credentials', 'true');
          }
          res.end();
        });
    """)
    assert [f.code for f in result.findings if f.code == "CORS102"] == []
    (policy,) = result.policies
    assert all(r.kind is not OriginKind.REFLECT for r in policy.origins)


def test_flask_and_library_options_from_request_data(tmp_path: Path) -> None:
    result = lint(tmp_path, "app.py", """
        from flask import Flask, request

        app = Flask(__name__)


        @app.route("/api")
        def api():
            resp = app.make_response("ok")
            resp.headers["Access-Control-Allow-Origin"] = request.args["origin"]
            return resp
    """)
    assert codes(result) == [("CORS102", 9)]
    result = lint(tmp_path / "js", "server.js", """
        const cors = require('cors');
        const app = require('express')();
        app.use((req, res, next) => cors({ origin: req.query.origin, credentials: true })(req, res, next));
    """)
    assert [(f.code, f.severity) for f in result.findings if f.code == "CORS102"] == [("CORS102", Severity.ERROR)]


def test_null_written_by_node_is_the_text_null(tmp_path: Path) -> None:
    """Checked on Node 20: `res.setHeader(name, null)` sends `null`."""
    result = lint(tmp_path, "app.js", """
        require('http').createServer((req, res) => {
          res.setHeader('Access-Control-Allow-Origin', null);
          res.end();
        });
    """)
    (finding,) = result.findings
    assert (finding.code, finding.severity) == ("CORS104", Severity.WARNING)  # without credentials: what `*` allows


def test_nestjs_header_decorator(tmp_path: Path) -> None:
    result = lint(tmp_path, "app.controller.ts", """
        import { Controller, Get, Header as SetHeader } from '@nestjs/common';

        @Controller('cats')
        export class CatsController {
          @Get()
          @SetHeader('Access-Control-Allow-Origin', '*')
          findAll(): string {
            return 'cats';
          }

          @Get('one')
          @SetHeader('Access-Control-Allow-Origin', 'https://app.example.com')
          findOne(): string {
            return 'cat';
          }
        }
    """)
    assert sorted((p.source, p.scope) for p in result.policies) == [
        ("nestjs-handler", "function findAll"), ("nestjs-handler", "function findOne")
    ]
    assert codes(result) == [("CORS103", 6)]


def test_apollo_server_cors_option(tmp_path: Path) -> None:
    result = lint(tmp_path, "server.js", """
        import { ApolloServer } from 'apollo-server';

        const open = new ApolloServer({ cors: { origin: true, credentials: true } });
        const closed = new ApolloServer({ cors: { origin: null } });
        const off = new ApolloServer({ cors: false });
    """)
    assert codes(result) == [("CORS102", 3)]  # npm cors fails closed on a falsy origin (run on Node 20)
