"""The JavaScript/TypeScript source: every origin form, callbacks, libraries and their defaults, manual headers,
preflight, wiring facts, comments and syntax errors, asserted on the exact CorsPolicy facts."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from corslint.model import DEPRECATED_OPTION, MIDDLEWARE_ORDER, UNKNOWN_OPTION, VULNERABLE_VERSION
from corslint.model import CorsPolicy, DeliveryKind, Extraction, ListKind, MatchMode, OriginKind, PreflightKind, State
from corslint.workspace import SourceFile, Workspace
from corslint.sources.javascript.source import JavaScriptSource

EXPRESS = "const express = require('express');\nconst cors = require('cors');\nconst app = express();\n"


def run(tmp_path: Path, code: str, name: str = "app.js") -> Extraction:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(code).lstrip("\n"), encoding="utf-8")
    workspace = Workspace([tmp_path], display_base=tmp_path)
    source_file = SourceFile(name, path.resolve())
    workspace.register(source_file)
    return JavaScriptSource().extract([source_file], workspace)


def one(tmp_path: Path, code: str, name: str = "app.js") -> CorsPolicy:
    extraction = run(tmp_path, code, name)
    assert extraction.problems == []
    assert len(extraction.policies) == 1, [p.scope for p in extraction.policies]
    return extraction.policies[0]


def origins(policy: CorsPolicy) -> list[tuple]:
    return [(r.kind, r.value, r.prov.location.line, r.prov.location.column) for r in policy.origins]


# --- claiming -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path, claimed",
    [
        ("src/app.js", True), ("a.mjs", True), ("a.cjs", True), ("a.jsx", True), ("a.ts", True), ("a.mts", True),
        ("a.cts", True), ("a.tsx", True), ("node_modules/cors/lib/index.js", False), ("dist/app.js", False),
        ("web/build/main.js", False), (".next/server.js", False), ("coverage/x.js", False), ("vendor.min.js", False),
        ("types.d.ts", False), ("nginx.conf", False), ("app.py", False),
    ],
)
def test_linted_by_default(path: str, claimed: bool) -> None:
    """Dependencies, bundles and build output are skipped by the (configurable) default excludes."""
    from corslint.config import Config, is_excluded

    source = JavaScriptSource()
    assert (source.claims(path, b"") and not is_excluded(path, Config())) is claimed


def test_files_without_probe_words_are_not_parsed(tmp_path: Path) -> None:
    extraction = run(tmp_path, "const x = 1;\nfunction f( {\n")
    assert extraction.files == set() and extraction.problems == [] and extraction.policies == []


def test_nginx_run_does_not_import_tree_sitter() -> None:
    code = (
        "import sys\nfrom corslint.registry import load\nload(plugins=False)\n"
        "import corslint.sources.javascript.source\nassert 'tree_sitter' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# --- origin forms ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "option, expected",
    [
        ("origin: '*'", [(OriginKind.ANY, "*", 4, 16)]),
        ("origin: 'https://a.example.com'", [(OriginKind.EXACT, "https://a.example.com", 4, 16)]),
        ("origin: true", [(OriginKind.REFLECT, "", 4, 16)]),
        ("origin: /\\.example\\.com$/i", [(OriginKind.PATTERN, "\\.example\\.com$", 4, 16)]),
        ("origin: new RegExp('^https://a\\\\.b$')", [(OriginKind.PATTERN, "^https://a\\.b$", 4, 16)]),
        (
            "origin: ['https://a.com', /b\\.com$/]",
            [(OriginKind.EXACT, "https://a.com", 4, 25), (OriginKind.PATTERN, "b\\.com$", 4, 42)],
        ),
        ("origin: getOrigins()", [(OriginKind.UNKNOWN, "", 4, 16)]),
    ],
)
def test_origin_forms(tmp_path: Path, option: str, expected: list) -> None:
    policy = one(tmp_path, EXPRESS + f"app.use(cors({{ {option} }}));\n")
    assert origins(policy) == expected
    assert policy.source == "express"


def test_regex_flags_and_dialect(tmp_path: Path) -> None:
    policy = one(tmp_path, EXPRESS + "app.use(cors({ origin: /^https:\\/\\/a\\.com$/i }));\n")
    rule = policy.origins[0]
    assert (rule.mode, rule.dialect, rule.ignore_case, rule.prov.raw) == (MatchMode.SEARCH, "js", True, "origin: /^https:\\/\\/a\\.com$/i")


def test_origin_false_disables_cors(tmp_path: Path) -> None:
    assert run(tmp_path, EXPRESS + "app.use(cors({ origin: false }));\n").policies == []


def test_default_origin_and_library_defaults(tmp_path: Path) -> None:
    policy = one(tmp_path, EXPRESS + "app.use(cors());\n")
    assert origins(policy) == [(OriginKind.ANY, "*", 4, 9)]
    assert policy.origins[0].prov.raw == "cors()"
    assert (policy.credentials.value, policy.credentials.default) == (False, True)
    assert (policy.methods.kind, policy.methods.items) == (ListKind.DEFAULT, ("GET", "HEAD", "PUT", "PATCH", "POST", "DELETE"))
    assert policy.allow_headers.kind is ListKind.REFLECT
    assert policy.expose_headers.kind is ListKind.ABSENT
    assert policy.vary_origin.value is False  # npm cors sends no Vary for `*`
    assert policy.preflight.kind is PreflightKind.LIBRARY


def test_options_defined_apart_with_spread_and_types(tmp_path: Path) -> None:
    code = """
    import cors, { CorsOptions } from 'cors';
    const base: CorsOptions = { methods: ['GET', 'PUT'], maxAge: 60 * 60 };
    const allowed = ['https://a.com'];
    const options = { ...base, origin: allowed, credentials: true } as CorsOptions;
    app.use(cors(options));
    """
    policy = one(tmp_path, code, "server.ts")
    assert origins(policy) == [(OriginKind.EXACT, "https://a.com", 3, 18)]
    assert policy.origins[0].prov.related[0].location.line == 4
    assert (policy.methods.kind, policy.methods.items) == (ListKind.EXPLICIT, ("GET", "PUT"))
    assert policy.max_age.value == 3600
    assert policy.credentials.is_true() and policy.vary_origin.value is True


@pytest.mark.parametrize(
    "imports",
    [
        "import cors from 'cors';",
        "import * as corsLib from 'cors';\nconst cors = corsLib;",
        "import cors = require('cors');",
        "const { default: cors } = require('cors');",
        "",
    ],
)
def test_import_forms_and_snippets(tmp_path: Path, imports: str) -> None:
    policy = one(tmp_path, f"{imports}\napp.use(cors({{ origin: true }}));\n", "a.ts")
    assert [r.kind for r in policy.origins] == [OriginKind.REFLECT]


def test_renamed_import(tmp_path: Path) -> None:
    policy = one(tmp_path, "import corsMiddleware from 'cors';\napp.use(corsMiddleware({ origin: 'https://a.com' }));\n")
    assert origins(policy) == [(OriginKind.EXACT, "https://a.com", 2, 26)]


def test_environment_fallbacks(tmp_path: Path) -> None:
    policy = one(tmp_path, EXPRESS + "app.use(cors({ origin: process.env.CORS_ORIGIN || '*' }));\n")
    assert [(r.kind, r.env_fallback) for r in policy.origins] == [(OriginKind.UNKNOWN, ""), (OriginKind.ANY, "CORS_ORIGIN")]
    assert policy.origins[1].prov.raw == "origin: process.env.CORS_ORIGIN || '*'"


def test_environment_split_has_no_fallback(tmp_path: Path) -> None:
    policy = one(tmp_path, EXPRESS + "app.use(cors({ origin: process.env.ORIGINS?.split(',') }));\n")
    assert [(r.kind, r.note) for r in policy.origins] == [(OriginKind.UNKNOWN, "read from the environment variable `ORIGINS`")]


def test_environment_ternary_fallback(tmp_path: Path) -> None:
    code = EXPRESS + "app.use(cors({ origin: process.env.ORIGIN ? process.env.ORIGIN.split(',') : true }));\n"
    policy = one(tmp_path, code)
    assert [(r.kind, r.env_fallback) for r in policy.origins] == [(OriginKind.UNKNOWN, ""), (OriginKind.REFLECT, "ORIGIN")]


# --- callbacks ------------------------------------------------------------------------------------

CALLBACKS = {
    "always": ("(origin, cb) => cb(null, true)", [(OriginKind.REFLECT, "")]),
    "echo": ("function (origin, callback) { callback(null, origin); }", [(OriginKind.REFLECT, "")]),
    "includes": ("(o, cb) => cb(null, LIST.includes(o))", [(OriginKind.EXACT, "https://a.com"), (OriginKind.EXACT, "https://b.com")]),
    "indexOf": (
        "function (origin, cb) { if (!origin || LIST.indexOf(origin) !== -1) { cb(null, true) } else { cb(new Error('no')) } }",
        [(OriginKind.EXACT, "https://a.com"), (OriginKind.EXACT, "https://b.com")],
    ),
    "early-return": (
        "(origin, cb) => { if (LIST.indexOf(origin) === -1) return cb(new Error('x')); cb(null, true); }",
        [(OriginKind.EXACT, "https://a.com"), (OriginKind.EXACT, "https://b.com")],
    ),
    "set": ("(origin, cb) => cb(null, new Set(LIST).has(origin))", [(OriginKind.EXACT, "https://a.com"), (OriginKind.EXACT, "https://b.com")]),
    "equals": ("(origin, cb) => cb(null, origin === 'https://c.com')", [(OriginKind.EXACT, "https://c.com")]),
    "test": ("(origin, cb) => cb(null, /^https:\\/\\/c\\.com$/.test(origin))", [(OriginKind.PATTERN, "^https:\\/\\/c\\.com$")]),
    "endsWith": ("(origin, cb) => cb(null, origin.endsWith('example.com'))", [(OriginKind.PATTERN, "example\\.com$")]),
    "startsWith": ("(origin, cb) => cb(null, origin.startsWith('https://a.'))", [(OriginKind.PATTERN, "^https:\\/\\/a\\.")]),
    "async": ("async (origin) => LIST.includes(origin)", [(OriginKind.EXACT, "https://a.com"), (OriginKind.EXACT, "https://b.com")]),
    "denylist": ("(origin, cb) => cb(null, !LIST.includes(origin))", [(OriginKind.REFLECT, "")]),
    "unknown": ("(origin, cb) => cb(null, isTrusted(origin))", [(OriginKind.UNKNOWN, "")]),
    "never": ("(origin, cb) => cb(new Error('no'))", [(OriginKind.UNKNOWN, "")]),
}


@pytest.mark.parametrize("case", sorted(CALLBACKS))
def test_origin_callbacks(tmp_path: Path, case: str) -> None:
    function, expected = CALLBACKS[case]
    code = EXPRESS + "const LIST = ['https://a.com', 'https://b.com'];\n" + f"app.use(cors({{ origin: {function} }}));\n"
    policy = one(tmp_path, code)
    assert [(r.kind, r.value) for r in policy.origins] == expected


def test_ends_with_note_and_location(tmp_path: Path) -> None:
    code = EXPRESS + "app.use(cors({\n  origin: (origin, cb) => cb(null, origin.endsWith('example.com')),\n}));\n"
    rule = one(tmp_path, code).origins[0]
    assert (rule.prov.location.line, rule.prov.location.column, rule.dialect, rule.mode) == (5, 36, "js", MatchMode.SEARCH)
    assert "endsWith('example.com')" in rule.note


# --- libraries ------------------------------------------------------------------------------------


def test_fastify_defaults_and_unknown_option(tmp_path: Path) -> None:
    code = """
    const fastify = require('fastify')();
    fastify.register(require('@fastify/cors'), { origin: 'https://a.com', credential: true });
    """
    policy = one(tmp_path, code)
    assert policy.source == "fastify"
    assert policy.methods.items == ("GET", "HEAD", "POST")
    assert policy.vary_origin.value is False  # @fastify/cors: no Vary for a string origin
    assert [(f.kind, f.subject, f.replacement, f.prov.location.line) for f in policy.wiring] == [
        (UNKNOWN_OPTION, "credential", "credentials", 2)
    ]


def test_fastify_array_star_is_any_and_preflight_off(tmp_path: Path) -> None:
    code = "import cors from '@fastify/cors';\nawait app.register(cors, { origin: ['*'], preflight: false });\n"
    policy = one(tmp_path, code, "a.mjs")
    assert [r.kind for r in policy.origins] == [OriginKind.ANY]
    assert policy.preflight.kind is PreflightKind.NOT_HANDLED


def test_npm_cors_array_star_is_literal(tmp_path: Path) -> None:
    policy = one(tmp_path, EXPRESS + "app.use(cors({ origin: ['*'] }));\n")
    assert [r.kind for r in policy.origins] == [OriginKind.EXACT]


def test_koa_credentials_with_default_origin_reflects(tmp_path: Path) -> None:
    code = "const cors = require('@koa/cors');\napp.use(cors({ credentials: true, privateNetworkAccess: true }));\n"
    policy = one(tmp_path, code)
    assert policy.source == "koa"
    assert origins(policy) == [(OriginKind.REFLECT, "", 2, 16)]
    assert policy.methods.items == ("GET", "HEAD", "PUT", "POST", "DELETE", "PATCH")
    assert policy.private_network.is_true() and policy.vary_origin.is_true()


def test_koa_origin_function_reads_ctx(tmp_path: Path) -> None:
    code = """
    const cors = require('@koa/cors');
    const allowed = ['https://a.com'];
    app.use(cors({ origin: (ctx) => { const o = ctx.get('Origin'); return allowed.includes(o) ? o : ''; } }));
    """
    assert [(r.kind, r.value) for r in one(tmp_path, code).origins] == [(OriginKind.EXACT, "https://a.com")]


def test_kcors_is_deprecated_vulnerable_and_reflects(tmp_path: Path) -> None:
    policy = one(tmp_path, "const cors = require('kcors');\napp.use(cors());\n")
    assert [r.kind for r in policy.origins] == [OriginKind.REFLECT]
    assert [(f.kind, f.subject, f.prov.location.line) for f in policy.wiring] == [
        (DEPRECATED_OPTION, "kcors", 1), (VULNERABLE_VERSION, "kcors", 1)
    ]


def test_nestjs_forms(tmp_path: Path) -> None:
    code = """
    import { NestFactory } from '@nestjs/core';
    const app = await NestFactory.create(AppModule, { cors: true });
    app.enableCors({ origin: ['https://a.com'], credentials: true });
    """
    extraction = run(tmp_path, code, "main.ts")
    assert [(p.source, p.origins[0].kind, p.origins[0].prov.location.line) for p in extraction.policies] == [
        ("nestjs", OriginKind.ANY, 2), ("nestjs", OriginKind.EXACT, 3)
    ]
    assert all(p.preflight.kind is PreflightKind.LIBRARY for p in extraction.policies)


def test_socketio_cors_option(tmp_path: Path) -> None:
    code = "const { Server } = require('socket.io');\nconst io = new Server(server, { cors: { origin: true, credentials: true } });\n"
    policy = one(tmp_path, code)
    assert (policy.source, [r.kind for r in policy.origins], policy.credentials.is_true()) == ("socketio", [OriginKind.REFLECT], True)


# --- registration: preflight and order ------------------------------------------------------------


def test_per_route_cors_leaves_preflight_unanswered(tmp_path: Path) -> None:
    policy = one(tmp_path, EXPRESS + "app.delete('/items/:id', cors(), remove);\n")
    assert (policy.preflight.kind, policy.preflight.prov.location.line) == (PreflightKind.NOT_HANDLED, 4)
    assert policy.paths == ("/items/:id",)


def test_per_route_cors_with_options_route_is_answered(tmp_path: Path) -> None:
    code = EXPRESS + "const c = cors();\napp.options('/items/:id', c);\napp.delete('/items/:id', c, remove);\n"
    assert one(tmp_path, code).preflight.kind is PreflightKind.LIBRARY


def test_middleware_after_routes(tmp_path: Path) -> None:
    code = EXPRESS + "app.get('/a', h);\nrouter.get('/b', h);\napp.post('/c', h);\napp.use(cors());\n"
    facts = [f for f in one(tmp_path, code).wiring if f.kind == MIDDLEWARE_ORDER]
    assert len(facts) == 1 and facts[0].prov.location.line == 7
    assert "`GET /a` (line 4), `POST /c` (line 6)" in facts[0].detail


def test_middleware_before_routes_has_no_order_fact(tmp_path: Path) -> None:
    assert one(tmp_path, EXPRESS + "app.use(cors());\napp.get('/a', h);\n").wiring == []


# --- manual headers -------------------------------------------------------------------------------


def test_manual_reflection_and_credentials(tmp_path: Path) -> None:
    code = """
    http.createServer((req, res) => {
      res.setHeader('Access-Control-Allow-Origin', req.headers.origin);
      res.setHeader('Access-Control-Allow-Credentials', 'true');
      res.writeHead(200, { 'Access-Control-Allow-Methods': 'GET, PUT', Vary: 'Origin' });
    });
    """
    policy = one(tmp_path, code)
    assert policy.source == "node"
    assert origins(policy) == [(OriginKind.REFLECT, "", 2, 3)]
    assert policy.credentials.is_true() and policy.vary_origin.is_true()
    assert policy.methods.items == ("GET", "PUT")
    assert [e.name for e in policy.emissions] == [
        "Access-Control-Allow-Origin", "Access-Control-Allow-Credentials", "Access-Control-Allow-Methods", "Vary"
    ]


@pytest.mark.parametrize(
    "read",
    ["req.get('origin')", "req.header('Origin')", "req.headers['origin']", "request.headers.origin", "ctx.get('Origin')"],
)
def test_origin_reads(tmp_path: Path, read: str) -> None:
    policy = one(tmp_path, f"function h(req, res) {{\n  res.set('Access-Control-Allow-Origin', {read});\n}}\n")
    assert [r.kind for r in policy.origins] == [OriginKind.REFLECT]


def test_manual_guard_gives_exact_origins(tmp_path: Path) -> None:
    code = """
    const allowed = ['https://a.com'];
    app.use((req, res, next) => {
      const origin = req.headers.origin;
      if (req.method !== 'HEAD' && allowed.includes(origin)) {
        ctx.set({ 'Access-Control-Allow-Origin': origin });
      }
      next();
    });
    """
    policy = one(tmp_path, code)
    assert origins(policy) == [(OriginKind.EXACT, "https://a.com", 1, 18)]
    assert policy.emissions[0].conditional is True
    assert policy.preflight.kind is PreflightKind.ANSWERED  # middleware runs for OPTIONS too


def test_manual_options_branch_and_route_handler(tmp_path: Path) -> None:
    code = """
    app.use((req, res, next) => {
      res.setHeader('Access-Control-Allow-Origin', 'https://a.com');
      if (req.method === 'OPTIONS') {
        res.setHeader('Access-Control-Allow-Methods', 'PUT');
        return res.sendStatus(204);
      }
      next();
    });
    app.put('/x', (req, res) => {
      res.setHeader('Access-Control-Allow-Origin', 'https://a.com');
    });
    """
    first, second = run(tmp_path, code).policies
    assert first.preflight.kind is PreflightKind.ANSWERED
    assert [h.name for h in first.preflight.headers] == ["Access-Control-Allow-Origin", "Access-Control-Allow-Methods"]
    assert (second.preflight.kind, second.scope) == (PreflightKind.NOT_HANDLED, "app.put('/x') handler")


def test_append_twice_is_duplicate(tmp_path: Path) -> None:
    code = "app.use((req, res, next) => {\n  res.append('Access-Control-Allow-Origin', 'https://a.com');\n  res.append('Access-Control-Allow-Origin', 'https://b.com');\n});\n"
    policy = one(tmp_path, code)
    assert [(d.kind, d.prov.location.line, d.prov.related[0].location.line) for d in policy.delivery] == [(DeliveryKind.DUPLICATE, 3, 2)]
    assert [r.value for r in policy.origins] == ["https://a.com"]


def test_manual_env_fallback(tmp_path: Path) -> None:
    policy = one(tmp_path, "function h(req, res) {\n  res.setHeader('Access-Control-Allow-Origin', process.env.ORIGIN ?? '*');\n}\n")
    assert [(r.kind, r.env_fallback) for r in policy.origins] == [(OriginKind.UNKNOWN, ""), (OriginKind.ANY, "ORIGIN")]


# --- comments and syntax errors -------------------------------------------------------------------


def test_comment_covers_multi_line_statement(tmp_path: Path) -> None:
    code = EXPRESS + "// corslint: ignore[CORS102]\napp.use(cors({\n  origin: true,\n}));\napp.use(cors()); /* corslint: ignore[CORS103] */\n"
    comments = run(tmp_path, code).comments
    assert [(c.line, c.column, c.own_line, c.covers) for c in comments] == [(4, 1, True, (5, 7)), (8, 18, False, (8, 8))]


def test_syntax_error_in_cors_code_is_reported_and_rest_analysed(tmp_path: Path) -> None:
    extraction = run(tmp_path, EXPRESS + "app.use(cors({ origin: true }));\napp.use('/x', cors({ origin: [ }));\n")
    assert [(p.location.line, p.source) for p in extraction.problems] == [(5, "javascript")]
    assert "JavaScript syntax error at line 5" in extraction.problems[0].message
    assert [r.kind for r in extraction.policies[0].origins] == [OriginKind.REFLECT]


def test_a_syntax_error_away_from_the_cors_code_is_not_a_problem(tmp_path: Path) -> None:
    extraction = run(tmp_path, EXPRESS + "app.use(cors({ origin: true }));\nfunction broken( {\n")
    assert extraction.problems == []
    assert [r.kind for r in extraction.policies[0].origins] == [OriginKind.REFLECT]


def test_flow_annotated_javascript_is_read_with_the_typed_grammar(tmp_path: Path) -> None:
    code = (
        "// @flow\nimport express from 'express';\nimport cors from 'cors';\n"
        "type Options = { origin: Array<string> };\n"
        "const options: Options = { origin: ['https://app.example.com'] };\n"
        "function start(port: number): void {\n  const app = express();\n  app.use(cors(options));\n  app.listen(port);\n}\n"
    )
    extraction = run(tmp_path, code, "server.js")
    assert extraction.problems == []
    assert [r.value for r in extraction.policies[0].origins] == ["https://app.example.com"]


def test_typescript_syntax_is_not_an_error(tmp_path: Path) -> None:
    code = "import cors from 'cors';\nconst o: cors.CorsOptions = { origin: <string>'https://a.com' };\napp.use(cors(o!));\n"
    extraction = run(tmp_path, code, "a.ts")
    assert extraction.problems == []
    assert [r.value for r in extraction.policies[0].origins] == ["https://a.com"]


def test_unknown_credentials_state(tmp_path: Path) -> None:
    policy = one(tmp_path, EXPRESS + "app.use(cors({ origin: 'https://a.com', credentials: isProd }));\n")
    assert policy.credentials.state is State.UNKNOWN


def test_circular_aliases_terminate(tmp_path: Path) -> None:
    code = "const a = b;\nconst b = a;\napp.use(a({ origin: true }));\nres.setHeader('Access-Control-Allow-Origin', x);\nconst x = y;\nconst y = x;\n"
    extraction = run(tmp_path, code)
    assert [r.kind for p in extraction.policies for r in p.origins] == [OriginKind.UNKNOWN]
