"""Development guards: which branch of which condition runs only in development."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import lint_tree
from corslint.sources.devguard import runs_only_in_development


@pytest.mark.parametrize(
    ("condition", "holds"),
    [
        ("DEBUG", True), ("settings.DEBUG", True), ("app.debug", True), ("not IS_PRODUCTION", True),
        ("os.environ.get('FLASK_ENV') == 'development'", True), ("app.config['ENV'] == 'development'", True),
        ("ENV == 'production'", False), ("process.env.NODE_ENV !== 'production'", True),
        ("(process.env.NODE_ENV === 'development')", True), ("process.env.NODE_ENV === 'production'", False),
        ("isProduction", False), ("!isDev", False), ("import.meta.env.DEV", True), ("__DEV__", True),
    ],
)
def test_development_branches(condition: str, holds: bool) -> None:
    assert runs_only_in_development(condition, holds)
    assert not runs_only_in_development(condition, not holds)


@pytest.mark.parametrize(
    "condition",
    ["user.is_admin", "DEBUG and user", "process.env.NODE_ENV === 'staging'", "origin === 'http://localhost'",
     "request.method == 'OPTIONS'", "x" * 300, "", "(a))(b"],
)
def test_other_conditions_say_nothing(condition: str) -> None:
    assert not runs_only_in_development(condition, True)
    assert not runs_only_in_development(condition, False)


def codes(root: Path) -> list[tuple[str, int]]:
    return [(f.code, f.location.line) for f in lint_tree(root, {"select": ["ALL"]}).findings]


def test_javascript_origins_in_development_branches_are_not_reported(tmp_path: Path) -> None:
    (tmp_path / "server.js").write_text(
        "const cors = require('cors');\n"
        "const app = require('express')();\n"
        "const dev = process.env.NODE_ENV !== 'production';\n"
        "app.use(cors({ origin: process.env.NODE_ENV === 'production' ? 'https://app.example.com' : 'http://localhost:3000' }));\n"
        "if (process.env.NODE_ENV !== 'production') {\n"
        "  app.use('/debug', cors({ origin: 'http://127.0.0.1:8080' }));\n"
        "}\n"
        "app.use('/lan', cors({ origin: 'http://192.168.1.20:8080' }));\n"
    )
    # the unguarded LAN origin is reported once, as CORS107 (not also as CORS105)
    assert codes(tmp_path) == [("CORS107", 8)]


def test_python_origins_under_debug_and_debug_entry_points(tmp_path: Path) -> None:
    (tmp_path / "settings.py").write_text(
        "import os\nDEBUG = os.environ.get('DEBUG') == '1'\n"
        "INSTALLED_APPS = ['corsheaders']\n"
        "MIDDLEWARE = ['corsheaders.middleware.CorsMiddleware', 'django.middleware.common.CommonMiddleware']\n"
        "CORS_ALLOWED_ORIGINS = ['https://app.example.com']\n"
        "if DEBUG:\n    CORS_ALLOWED_ORIGINS += ['http://localhost:3000']\n"
    )
    (tmp_path / "api").mkdir()
    (tmp_path / "api" / "app.py").write_text(
        "from flask import Flask\nfrom flask_cors import CORS\n\napp = Flask(__name__)\n"
        "CORS(app, origins=['http://localhost:5173'])\n\nif __name__ == '__main__':\n    app.run(debug=True)\n"
    )
    assert codes(tmp_path) == []
    (tmp_path / "api" / "app.py").write_text(
        "from flask import Flask\nfrom flask_cors import CORS\n\napp = Flask(__name__)\n"
        "CORS(app, origins=['http://localhost:5173'])\n"
    )
    assert codes(tmp_path) == [("CORS107", 5)]
