"""JavaScript/TypeScript local imports: options, allowlists and middleware written in other modules of the tree are
followed (CommonJS and ES modules, index files, paths without extension, re-exports), bounded and cycle-safe, and
findings point at the file where the value is written with the imports that lead to it as related places."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from corslint.model import OriginKind
from corslint.sources.javascript import modules
from conftest import lint_tree, write_tree as write



def policies(root: Path):  # type: ignore[no-untyped-def]
    return lint_tree(root).policies


def library_policy(root: Path):  # type: ignore[no-untyped-def]
    found = [p for p in policies(root) if p.source in ("express", "nestjs", "fastify", "koa")]
    assert len(found) == 1, [p.scope for p in found]
    return found[0]


# The layout of a widely copied Express tutorial: the allowlist, the options and the `cors()` call in three files.
TUTORIAL = {
    "config/allowedOrigins.js": """
        const allowedOrigins = [
            'https://www.yoursite.com',
            'http://127.0.0.1:5500',
            'http://localhost:3500'
        ];

        module.exports = allowedOrigins;
    """,
    "config/corsOptions.js": """
        const allowedOrigins = require('./allowedOrigins');

        const corsOptions = {
            origin: (origin, callback) => {
                if (allowedOrigins.indexOf(origin) !== -1 || !origin) {
                    callback(null, true)
                } else {
                    callback(new Error('Not allowed by CORS'));
                }
            },
            credentials: true,
            optionsSuccessStatus: 200
        }

        module.exports = corsOptions;
    """,
    "server.js": """
        const express = require('express');
        const cors = require('cors');
        const corsOptions = require('./config/corsOptions');

        const app = express();
        app.use(cors(corsOptions));
        app.get('/', (req, res) => res.send('ok'));
    """,
}


def test_options_and_allowlist_from_other_files(tmp_path: Path) -> None:
    write(tmp_path, TUTORIAL)
    policy = library_policy(tmp_path)
    assert [(r.kind, r.value, r.prov.location.path, r.prov.location.line) for r in policy.origins] == [
        (OriginKind.EXACT, "https://www.yoursite.com", "config/allowedOrigins.js", 2),
        (OriginKind.EXACT, "http://127.0.0.1:5500", "config/allowedOrigins.js", 3),
        (OriginKind.EXACT, "http://localhost:3500", "config/allowedOrigins.js", 4),
    ]
    assert policy.credentials.value is True
    assert policy.credentials.prov.location.path == "config/corsOptions.js"


def test_findings_point_where_the_value_is_written_with_the_imports_as_related(tmp_path: Path) -> None:
    write(tmp_path, TUTORIAL)
    findings = [f for f in lint_tree(tmp_path).findings if f.code == "CORS107"]
    assert [(f.location.path, f.location.line) for f in findings] == [("config/allowedOrigins.js", 3), ("config/allowedOrigins.js", 4)]
    related = [(r.location.path, r.location.line, r.note) for r in findings[0].related]
    assert related[:2] == [
        ("server.js", 3, "`config/corsOptions.js` is imported here as `./config/corsOptions`"),
        ("config/corsOptions.js", 1, "`config/allowedOrigins.js` is imported here as `./allowedOrigins`"),
    ]


def test_a_suppression_in_the_imported_file_applies(tmp_path: Path) -> None:
    files = dict(TUTORIAL)
    files["config/allowedOrigins.js"] = files["config/allowedOrigins.js"].replace(
        "'http://127.0.0.1:5500',", "'http://127.0.0.1:5500', // corslint: ignore[CORS107] the team's dev server"
    )
    write(tmp_path, files)
    lines = [f.location.line for f in lint_tree(tmp_path).findings if f.code == "CORS107"]
    assert lines == [4]


def test_typescript_named_exports_index_files_and_reexports(tmp_path: Path) -> None:
    write(tmp_path, {
        "src/config/origins.ts": """
            export const ALLOWED_ORIGINS: string[] = ['https://app.example.com', /\\.example\\.com$/];
        """,
        "src/config/cors.ts": """
            import { CorsOptions } from 'cors';
            import { ALLOWED_ORIGINS as allowed } from './origins';

            export const corsOptions: CorsOptions = { origin: allowed, credentials: true };
        """,
        "src/config/index.ts": """
            export * from './origins';
            export { corsOptions as default } from './cors';
        """,
        "src/app.ts": """
            import express from 'express';
            import cors from 'cors';
            import corsOptions from './config';

            const app = express();
            app.use(cors(corsOptions));
        """,
    })
    policy = library_policy(tmp_path)
    assert [(r.kind, r.value, r.prov.location.path) for r in policy.origins] == [
        (OriginKind.EXACT, "https://app.example.com", "src/config/origins.ts"),
        (OriginKind.PATTERN, "\\.example\\.com$", "src/config/origins.ts"),
    ]
    assert policy.credentials.value is True


@pytest.mark.parametrize(
    "exporter, importer",
    [
        ("module.exports = { corsOptions };", "const { corsOptions } = require('./cors');"),
        ("exports.corsOptions = corsOptions;", "const { corsOptions: options } = require('./cors.js');"),
        ("module.exports.corsOptions = corsOptions;", "const options = require('./cors').corsOptions;"),
        ("export default corsOptions;", "import options from './cors.js';"),
        ("export { corsOptions };", "import { corsOptions as options } from './cors';"),
    ],
)
def test_every_export_form(tmp_path: Path, exporter: str, importer: str) -> None:
    name = "corsOptions" if "{ corsOptions }" in importer else "options"
    write(tmp_path, {
        "cors.js": f"const corsOptions = {{ origin: 'https://app.example.com' }};\n{exporter}\n",
        "app.mjs": f"import express from 'express';\nimport cors from 'cors';\n{importer}\nexpress().use(cors({name}));\n",
    })
    policy = library_policy(tmp_path)
    assert [(r.value, r.prov.location.path, r.prov.location.line) for r in policy.origins] == [("https://app.example.com", "cors.js", 1)]


def test_the_express_wrapper_middleware_in_its_own_module(tmp_path: Path) -> None:
    """An exported function writing the headers is a policy of its own, wherever it is mounted."""
    write(tmp_path, {
        "middleware/cors.js": """
            module.exports = function (req, res, next) {
              res.setHeader('Access-Control-Allow-Origin', req.headers.origin);
              res.setHeader('Access-Control-Allow-Credentials', 'true');
              next();
            };
        """,
        "app.js": "const express = require('express');\nconst cors = require('./middleware/cors');\nexpress().use(cors);\n",
    })
    findings = lint_tree(tmp_path).findings
    assert [(f.code, f.location.path, f.location.line) for f in findings if f.code == "CORS102"] == [("CORS102", "middleware/cors.js", 2)]


def test_import_cycles_end(tmp_path: Path) -> None:
    write(tmp_path, {
        "a.js": "const b = require('./b');\nmodule.exports = b;\n",
        "b.js": "const a = require('./a');\nmodule.exports = a;\n",
        "app.js": "const cors = require('cors');\nconst opts = require('./a');\nrequire('express')().use(cors(opts));\n",
    })
    policy = library_policy(tmp_path)
    assert [r.kind for r in policy.origins] == [OriginKind.UNKNOWN]


def test_chains_stop_after_a_bounded_number_of_files(tmp_path: Path) -> None:
    files = {f"m{i}.js": f"module.exports = require('./m{i + 1}');\n" for i in range(modules.MAX_HOPS + 2)}
    files[f"m{modules.MAX_HOPS + 2}.js"] = "module.exports = { origin: 'https://app.example.com' };\n"
    files["app.js"] = "const cors = require('cors');\nrequire('express')().use(cors(require('./m0')));\n"
    write(tmp_path, files)
    assert [r.kind for r in library_policy(tmp_path).origins] == [OriginKind.UNKNOWN]
    near = dict(files)
    near["app.js"] = f"const cors = require('cors');\nconst o = require('./m{modules.MAX_HOPS + 2 - modules.MAX_HOPS + 1}');\nrequire('express')().use(cors(o));\n"
    write(tmp_path, near)
    assert [r.value for r in library_policy(tmp_path).origins] == ["https://app.example.com"]


def test_each_module_is_parsed_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, TUTORIAL)
    write(tmp_path, {"worker.js": "const cors = require('cors');\nconst o = require('./config/corsOptions');\nrequire('express')().use(cors(o));\n"})
    parsed: list[str] = []
    from corslint.sources.javascript import syntax

    real = syntax.Doc.parse

    def counting(path: str, text: str):  # type: ignore[no-untyped-def]
        parsed.append(path)
        return real(path, text)

    monkeypatch.setattr(syntax.Doc, "parse", staticmethod(counting))
    assert len([p for p in policies(tmp_path) if p.source == "express"]) == 2
    assert sorted(parsed) == sorted(set(parsed))
    assert "config/allowedOrigins.js" in parsed


def test_packages_and_files_outside_the_tree_are_not_read(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    write(outside, {"opts.js": "module.exports = { origin: 'https://app.example.com' };\n"})
    tree = tmp_path / "tree"
    write(tree, {"app.js": "const cors = require('cors');\nconst o = require('./link/opts');\nconst p = require('cors-options');\nrequire('express')().use(cors(o));\n"})
    os.symlink(outside, tree / "link")
    assert [r.kind for r in library_policy(tree).origins] == [OriginKind.UNKNOWN]
