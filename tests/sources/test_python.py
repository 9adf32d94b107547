"""The Python source: flask-cors, django-cors-headers, Starlette/FastAPI and hand-written headers become exact
CorsPolicy facts; values resolve statically and the linted code is never imported or run."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Union

import pytest

from corslint.model import DEPRECATED_OPTION, MIDDLEWARE_ORDER, NOT_INSTALLED, ROUTE_METHOD, UNKNOWN_OPTION, VULNERABLE_VERSION
from corslint.model import CorsPolicy, DeliveryKind, Extraction, ListKind, MatchMode, OriginKind, PreflightKind
from corslint.workspace import SourceFile, Workspace
from corslint.sources.python.deps import PythonDepsSource
from corslint.sources.python.source import PythonSource


def run(tmp_path: Path, files: dict[str, Union[str, bytes]], source=None) -> Extraction:  # type: ignore[no-untyped-def]
    workspace = Workspace([tmp_path], display_base=tmp_path)
    handed = []
    for name, content in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")
    for name in files:
        source_file = SourceFile(name, (tmp_path / name).resolve())
        workspace.register(source_file)
        handed.append(source_file)
    return (source or PythonSource()).extract(handed, workspace)


def only(extraction: Extraction) -> CorsPolicy:
    assert extraction.problems == []
    assert len(extraction.policies) == 1, [p.scope for p in extraction.policies]
    return extraction.policies[0]


def origins(policy: CorsPolicy) -> list[tuple]:
    return [(r.kind, r.value, r.prov.location.line, r.prov.location.column, r.mode, r.ignore_case, r.env_fallback) for r in policy.origins]


FLASK = "from flask import Flask\nfrom flask_cors import CORS\napp = Flask(__name__)\n"


# --- flask-cors -------------------------------------------------------------------------------------


def test_flask_default_reflects_with_credentials(tmp_path: Path) -> None:
    policy = only(run(tmp_path, {"app.py": FLASK + "CORS(app, supports_credentials=True)\n"}))
    assert (policy.source, policy.scope, policy.paths) == ("flask", "flask-cors `CORS(...)` > resource /*", ("/*",))
    assert origins(policy) == [(OriginKind.REFLECT, "*", 4, 1, None, False, "")]
    assert policy.credentials.is_true() and policy.credentials.prov.raw == "supports_credentials=True"
    assert (policy.methods.kind, policy.methods.items) == (ListKind.DEFAULT, ("GET", "HEAD", "POST", "OPTIONS", "PUT", "PATCH", "DELETE"))
    assert policy.allow_headers.kind is ListKind.REFLECT
    assert (policy.vary_origin.value, policy.vary_origin.default) == (True, True)
    assert (policy.private_network.value, policy.private_network.default) == (False, True)
    assert policy.preflight.kind is PreflightKind.LIBRARY


@pytest.mark.parametrize(
    "origins_src, expected",
    [
        ('"*", send_wildcard=True', [(OriginKind.ANY, "*", 4, 19, None, False, "")]),
        ('["https://App.example.com", r"https://.*\\.example\\.com"]', [
            (OriginKind.EXACT, "https://App.example.com", 4, 20, None, True, ""),
            (OriginKind.PATTERN, r"https://.*\.example\.com", 4, 47, MatchMode.MATCH, True, ""),
        ]),
        ('"https://a.example.com"', [(OriginKind.EXACT, "https://a.example.com", 4, 19, None, True, "")]),
        ('os.environ.get("ORIGINS", "*").split(",")', [
            (OriginKind.UNKNOWN, 'os.environ.get("ORIGINS", "*").split(",")', 4, 19, None, False, ""),
            (OriginKind.REFLECT, "*", 4, 19, None, False, "ORIGINS"),
        ]),
        ('os.environ["ORIGINS"]', [(OriginKind.UNKNOWN, 'os.environ["ORIGINS"]', 4, 19, None, False, "")]),
    ],
)
def test_flask_origins(tmp_path: Path, origins_src: str, expected: list[tuple]) -> None:
    policy = only(run(tmp_path, {"app.py": FLASK + f"CORS(app, origins={origins_src})\n"}))
    assert origins(policy) == expected


@pytest.mark.parametrize(
    "origins_src, only_on_match, vary",
    [
        ('"https://app.example.com"', True, False),
        ('["https://app.example.com"]', True, False),
        ('["https://app.example.com", "https://admin.example.com"]', False, True),
        ('[r"https://.*\\.example\\.com"]', False, True),
    ],
)
def test_flask_lone_literal_origin_is_sent_without_vary(tmp_path: Path, origins_src: str, only_on_match: bool, vary: bool) -> None:
    """flask-cors 6.0.5 adds `Vary: Origin` only for several origins or a regex; one literal origin goes out to
    itself alone, without Vary, even with `vary_header=True`."""
    policy = only(run(tmp_path, {"app.py": FLASK + f"CORS(app, origins={origins_src}, vary_header=True)\n"}))
    assert [r.only_on_match for r in policy.origins] == [only_on_match] * len(policy.origins)
    assert policy.vary_origin.is_true() is vary


def test_flask_after_request_vary_origin_covers_the_app(tmp_path: Path) -> None:
    code = FLASK + textwrap.dedent("""
        CORS(app, origins="https://app.example.com")


        @app.after_request
        def vary(response):
            response.vary.add("Origin")
            return response
    """)
    policy = only(run(tmp_path, {"app.py": code}))
    assert policy.vary_origin.is_true() and policy.vary_origin.prov.location.line == 10


def test_flask_resources_init_app_and_app_config_precedence(tmp_path: Path) -> None:
    code = FLASK + textwrap.dedent(
        """
        cors = CORS()
        API = ["https://a.example.com"]
        def create_app():
            app.config["CORS_SUPPORTS_CREDENTIALS"] = True
            app.config.update(CORS_MAX_AGE=600)
            cors.init_app(app, resources={r"/api/*": {"origins": API}, "/public/*": {"origins": "*", "supports_credentials": False}})
        """
    )
    extraction = run(tmp_path, {"app.py": code})
    api, public = extraction.policies
    assert (api.paths, public.paths) == (("/api/*",), ("/public/*",))
    assert origins(api) == [(OriginKind.EXACT, "https://a.example.com", 6, 8, None, True, "")]
    assert api.credentials.is_true() and api.credentials.prov.location.line == 8
    assert (api.max_age.value, api.max_age.prov.location.line) == (600, 9)
    assert origins(public)[0][0] is OriginKind.REFLECT and public.credentials.value is False


def test_cross_origin_decorator_and_unknown_option(tmp_path: Path) -> None:
    code = FLASK.replace("import CORS", "import cross_origin") + textwrap.dedent(
        """
        @app.route("/api/items", methods=["GET", "PUT"])
        @cross_origin(origins=["https://a.example.com"], automatic_options=False, credentials=True)
        def items():
            return {}
        """
    )
    policy = only(run(tmp_path, {"app.py": code}))
    assert (policy.scope, policy.paths) == ("flask-cors `@cross_origin` on items()", ("/api/items",))
    assert (policy.preflight.kind, policy.preflight.prov.location.line) == (PreflightKind.NOT_HANDLED, 6)
    assert [(f.kind, f.subject, f.replacement, f.prov.location.line) for f in policy.wiring] == [
        (UNKNOWN_OPTION, "credentials", "supports_credentials", 6)
    ]


# --- django-cors-headers ----------------------------------------------------------------------------


def test_django_allow_all_with_credentials_reflects_and_defaults(tmp_path: Path) -> None:
    policy = only(run(tmp_path, {"settings.py": "CORS_ALLOW_ALL_ORIGINS = True\nCORS_ALLOW_CREDENTIALS = True\n"}))
    assert policy.source == "django"
    assert origins(policy) == [(OriginKind.REFLECT, "CORS_ALLOW_ALL_ORIGINS = True", 1, 1, None, False, "")]
    assert (policy.methods.kind, policy.methods.items) == (ListKind.DEFAULT, ("DELETE", "GET", "OPTIONS", "PATCH", "POST", "PUT"))
    assert policy.allow_headers.items[:2] == ("accept", "authorization")
    assert (policy.max_age.value, policy.max_age.default) == (86400, True)
    assert policy.vary_origin.is_true() and policy.preflight.kind is PreflightKind.LIBRARY
    assert policy.wiring == []  # MIDDLEWARE / INSTALLED_APPS not in view: silent


def test_django_lists_regexes_old_names_and_typos(tmp_path: Path) -> None:
    code = """
        from corsheaders.defaults import default_headers
        BASE = "example.com"
        CORS_ORIGIN_WHITELIST = [f"https://app.{BASE}/"]
        CORS_ORIGIN_WHITELIST.append("https://b." + BASE)
        CORS_ALLOWED_ORIGIN_REGEXES = (r"^https://\\w+\\.example\\.com$",)
        CORS_ALLOW_HEADERS = list(default_headers) + ["x-api-key"]
        CORS_EXPOSE_HEADER = ["X-Total"]
        """
    policy = only(run(tmp_path, {"settings.py": code}))
    assert origins(policy) == [
        (OriginKind.EXACT, "https://app.example.com/", 3, 26, MatchMode.SCHEME_HOST, False, ""),
        (OriginKind.EXACT, "https://b.example.com", 4, 30, MatchMode.SCHEME_HOST, False, ""),
        (OriginKind.PATTERN, r"^https://\w+\.example\.com$", 5, 32, MatchMode.MATCH, False, ""),
    ]
    assert policy.allow_headers.items[-1] == "x-api-key" and len(policy.allow_headers.items) == 7
    assert [(f.kind, f.subject, f.replacement, f.prov.location.line) for f in policy.wiring] == [
        (DEPRECATED_OPTION, "CORS_ORIGIN_WHITELIST", "CORS_ALLOWED_ORIGINS", 4),
        (UNKNOWN_OPTION, "CORS_EXPOSE_HEADER", "CORS_EXPOSE_HEADERS", 7),
    ]


def test_django_split_settings_star_import_and_middleware_order(tmp_path: Path) -> None:
    base = """
        INSTALLED_APPS = ["django.contrib.admin"]
        MIDDLEWARE = [
            "django.middleware.common.CommonMiddleware",
            "corsheaders.middleware.CorsMiddleware",
        ]
        CORS_ALLOWED_ORIGINS = ["https://app.example.com"]
        """
    prod = """
        from .base import *
        CORS_ALLOWED_ORIGINS += ["https://admin.example.com"]
        CORS_ALLOW_CREDENTIALS = True
        """
    files = {"proj/settings/__init__.py": "", "proj/settings/base.py": base, "proj/settings/prod.py": prod}
    policy = only(run(tmp_path, files))
    assert policy.scope == "django-cors-headers settings proj/settings/prod.py"
    assert [(r.value, r.prov.location.path) for r in policy.origins] == [
        ("https://app.example.com", "proj/settings/base.py"),
        ("https://admin.example.com", "proj/settings/prod.py"),
    ]
    facts = [(f.kind, f.prov.location.path, f.prov.location.line, f.subject) for f in policy.wiring]
    assert facts == [
        (MIDDLEWARE_ORDER, "proj/settings/base.py", 4, "corsheaders.middleware.CorsMiddleware"),
        (NOT_INSTALLED, "proj/settings/base.py", 1, '`"corsheaders"` in INSTALLED_APPS'),
    ]
    assert "line 3" in policy.wiring[0].detail


def test_django_missing_middleware(tmp_path: Path) -> None:
    code = 'INSTALLED_APPS = ["corsheaders"]\nMIDDLEWARE = ["django.middleware.common.CommonMiddleware"]\nCORS_ALLOWED_ORIGINS = []\n'
    policy = only(run(tmp_path, {"config.py": code}))
    assert [(f.kind, f.prov.location.line) for f in policy.wiring] == [(NOT_INSTALLED, 2)]


def test_settings_that_would_crash_or_write_when_imported_lint_normally(tmp_path: Path) -> None:
    marker = tmp_path / "imported.txt"
    code = f"""
        import sys
        open({str(marker)!r}, "w").write("ran")
        sys.exit(3)
        raise SystemExit(4)
        CORS_ALLOW_ALL_ORIGINS = True
        """
    policy = only(run(tmp_path, {"settings.py": code}))
    assert origins(policy)[0][:2] == (OriginKind.ANY, "*")
    assert not marker.exists()


def test_env_default_is_a_fallback_rule(tmp_path: Path) -> None:
    code = 'import environ\nenv = environ.Env()\nCORS_ALLOWED_ORIGIN_REGEXES = env.list("CORS_REGEXES", default=[".*"])\n'
    policy = only(run(tmp_path, {"settings.py": code}))
    assert [(r.kind, r.value, r.env_fallback) for r in policy.origins] == [
        (OriginKind.UNKNOWN, 'env.list("CORS_REGEXES", default=[".*"])', ""),
        (OriginKind.PATTERN, ".*", "CORS_REGEXES"),
    ]


# --- Starlette / FastAPI ------------------------------------------------------------------------------


def test_fastapi_star_with_credentials_reflects(tmp_path: Path) -> None:
    code = """
        from fastapi import FastAPI
        from fastapi.middleware.cors import CORSMiddleware
        app = FastAPI()
        app.add_middleware(
            CORSMiddleware,
            allow_origins=["*", "https://a.example.com/"],
            allow_origin_regex=r"https://.*\\.example\\.com",
            allow_credentials=True,
            allow_headers=["*"],
        )
        """
    policy = only(run(tmp_path, {"main.py": code}))
    assert (policy.source, policy.scope, policy.location.line) == ("fastapi", "FastAPI `CORSMiddleware`", 4)
    assert origins(policy) == [
        (OriginKind.REFLECT, "*", 6, 20, None, False, ""),
        (OriginKind.EXACT, "https://a.example.com/", 6, 25, None, False, ""),
        (OriginKind.PATTERN, r"https://.*\.example\.com", 7, 24, MatchMode.FULLMATCH, False, ""),
    ]
    assert policy.origins[0].prov.raw == 'allow_origins=["*", "https://a.example.com/"]'
    assert (policy.methods.kind, policy.methods.items) == (ListKind.DEFAULT, ("GET",))
    assert policy.allow_headers.kind is ListKind.REFLECT
    assert (policy.max_age.value, policy.max_age.default) == (600, True)


def test_starlette_middleware_list(tmp_path: Path) -> None:
    code = """
        from starlette.applications import Starlette
        from starlette.middleware import Middleware
        from starlette.middleware.cors import CORSMiddleware
        ORIGINS = ["https://a.example.com"]
        app = Starlette(middleware=[Middleware(CORSMiddleware, allow_origins=ORIGINS, allow_methods=["GET", "POST"])])
        """
    policy = only(run(tmp_path, {"app.py": code}))
    assert policy.source == "starlette"
    assert origins(policy) == [(OriginKind.EXACT, "https://a.example.com", 4, 12, None, False, "")]
    assert (policy.methods.kind, policy.methods.items) == (ListKind.EXPLICIT, ("GET", "POST"))


# --- hand-written headers -----------------------------------------------------------------------------


def test_flask_after_request_reflection_and_allowlist_guard(tmp_path: Path) -> None:
    code = """
        from flask import request
        ALLOWED = ["https://a.example.com"]
        @app.after_request
        def cors(response):
            response.headers["Access-Control-Allow-Origin"] = request.headers.get("Origin")
            return response
        @bp.after_app_request
        def guarded(response):
            origin = request.origin
            if origin not in ALLOWED:
                return response
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers.add("Access-Control-Allow-Origin", origin)
            response.headers["Vary"] = "Origin"
            return response
        """
    extraction = run(tmp_path, {"app.py": code})
    reflect, guarded = extraction.policies
    assert origins(reflect) == [(OriginKind.REFLECT, reflect.origins[0].value, 5, 5, None, False, "")]
    assert reflect.preflight.kind is PreflightKind.ANSWERED
    assert [(r.kind, r.value, r.prov.location.line) for r in guarded.origins] == [(OriginKind.EXACT, "https://a.example.com", 2)] * 2
    assert guarded.vary_origin.is_true()
    assert [(d.kind, d.header, d.prov.location.line) for d in guarded.delivery] == [
        (DeliveryKind.DUPLICATE, "Access-Control-Allow-Origin", 13)
    ]


def test_django_view_reflects_meta_origin(tmp_path: Path) -> None:
    code = """
        from django.http import JsonResponse
        def items(request):
            response = JsonResponse({})
            response["Access-Control-Allow-Origin"] = request.META["HTTP_ORIGIN"]
            response["Access-Control-Allow-Credentials"] = "true"
            return response
        """
    policy = only(run(tmp_path, {"views.py": code}))
    assert (policy.source, policy.scope) == ("django-view", "Django handler items()")
    assert origins(policy)[0][:3] == (OriginKind.REFLECT, origins(policy)[0][1], 4)
    assert policy.credentials.is_true() and policy.preflight.kind is PreflightKind.UNKNOWN


# --- parsing, probing, comments -----------------------------------------------------------------------


def test_syntax_error_is_a_problem_and_other_files_still_lint(tmp_path: Path) -> None:
    extraction = run(tmp_path, {"bad.py": "CORS(app,\n", "settings.py": "CORS_ALLOW_ALL_ORIGINS = True\n"})
    assert [(p.location.path, p.location.line, p.location.column, p.source) for p in extraction.problems] == [
        ("bad.py", 1, 5, "python")
    ]
    assert extraction.problems[0].message.startswith("Python syntax error: ")
    assert [p.source for p in extraction.policies] == ["django"]


def test_files_without_cors_words_are_not_parsed(tmp_path: Path) -> None:
    extraction = run(tmp_path, {"util.py": "def f(:\n"})
    assert (extraction.problems, extraction.policies, extraction.files) == ([], [], set())
    assert not PythonSource().may_claim("stubs/app.pyi") and PythonSource().may_claim("app.py")


def test_comment_covers_whole_statement(tmp_path: Path) -> None:
    code = FLASK + "# corslint: ignore[CORS102]\nCORS(\n    app,\n    supports_credentials=True,  # trailing\n)\n"
    extraction = run(tmp_path, {"app.py": code})
    found = {c.text: (c.line, c.column, c.own_line, c.covers) for c in extraction.comments}
    assert found == {"corslint: ignore[CORS102]": (4, 1, True, (5, 8)), "trailing": (7, 33, False, (5, 8))}


# --- dependency files ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, content, subject, fixed, count",
    [
        ("requirements.txt", "flask\nflask-cors==4.0.0  # old\n", "flask-cors==4.0.0", "6.0.0", 5),
        ("requirements/base.txt", "Flask_CORS<5\n", "flask-cors<5", "6.0.0", 4),
        ("pyproject.toml", '[project]\ndependencies = ["flask-cors~=5.0"]\n', "flask-cors~=5.0", "6.0.0", 3),
        ("pyproject.toml", '[tool.poetry.dependencies]\nflask-cors = "4.0.1"\n', "flask-cors4.0.1", "6.0.0", 4),
        ("Pipfile", '[packages]\nflask-cors = "==5.0.0"\n', "flask-cors==5.0.0", "6.0.0", 3),
    ],
)
def test_vulnerable_flask_cors_pins(tmp_path: Path, name: str, content: str, subject: str, fixed: str, count: int) -> None:
    policy = only(run(tmp_path, {name: content}, PythonDepsSource()))
    (fact,) = policy.wiring
    assert (policy.source, fact.kind, fact.subject, fact.replacement) == ("flask", VULNERABLE_VERSION, subject, fixed)
    assert fact.detail.count("CVE-") == count and fact.prov.location.line == 2 - (name == "requirements/base.txt")


def test_advisories_match_the_pinned_version(tmp_path: Path) -> None:
    # flask-cors 3.x has no Private Network Access code: CVE-2024-6221 concerns 4.0.0 up to its fix only
    (fact,) = only(run(tmp_path, {"requirements.txt": "flask-cors==3.0.10\n"}, PythonDepsSource())).wiring
    assert "CVE-2024-6221" not in fact.detail and fact.detail.count("CVE-") == 4
    (fact,) = only(run(tmp_path, {"requirements.txt": "flask-cors<4\n"}, PythonDepsSource())).wiring
    assert "CVE-2024-6221" not in fact.detail


@pytest.mark.parametrize("content", ["flask-cors>=6.0.0\n", "flask-cors==6.0.1\n", "flask-cors\n", "# flask-cors==4.0.0\n"])
def test_safe_or_unbounded_pins_are_silent(tmp_path: Path, content: str) -> None:
    extraction = run(tmp_path, {"requirements.txt": content}, PythonDepsSource())
    assert extraction.policies == [] and extraction.problems == []


def test_fastapi_route_methods_are_stated(tmp_path: Path) -> None:
    policy = only(run(tmp_path, {"main.py": """
        from fastapi import APIRouter, FastAPI
        from fastapi.middleware.cors import CORSMiddleware

        app = FastAPI()
        router = APIRouter()
        app.add_middleware(CORSMiddleware, allow_origins=["https://app.example.com"])

        @app.get("/items")
        def items(): ...

        @router.put("/items/{id}")
        def update(id: int): ...

        @app.api_route("/legacy", methods=["POST", "delete"])
        def legacy(): ...
    """}))
    routes = [(f.subject, f.prov.location.line, f.detail) for f in policy.wiring if f.kind == ROUTE_METHOD]
    assert sorted(routes) == [("DELETE", 14, "`/legacy`"), ("GET", 8, "`/items`"), ("POST", 14, "`/legacy`"),
                              ("PUT", 11, "`/items/{id}`")]


def test_flask_default_origins_are_an_echoed_allow_all(tmp_path: Path) -> None:
    # flask-cors sends the request's Origin for '*' unless send_wildcard: the rule knows it was written as "every origin"
    policy = only(run(tmp_path, {"app.py": FLASK + "CORS(app)\n"}))
    assert [(r.kind, r.allow_all) for r in policy.origins] == [(OriginKind.REFLECT, True)]
    wildcard = only(run(tmp_path, {"app.py": FLASK + "CORS(app, send_wildcard=True)\n"}))
    assert [(r.kind, r.allow_all) for r in wildcard.origins] == [(OriginKind.ANY, False)]


def test_stacked_cross_origin_outer_answers_preflight_inner_the_responses(tmp_path: Path) -> None:
    code = FLASK.replace("import CORS", "import cross_origin") + textwrap.dedent(
        """
        @app.route("/about", methods=["GET", "POST"])
        @cross_origin(origins="*", methods=["GET"])
        @cross_origin(origins="*", send_wildcard=False)
        @cross_origin(supports_credentials=True, methods=["GET", "POST", "PUT"])
        def about():
            return {}
        """
    )
    found = run(tmp_path, {"app.py": code}).policies
    assert [(p.location.line, p.preflight_only) for p in found] == [(6, True), (8, False)]
    inner = found[1]
    assert inner.credentials.is_true()
    assert (inner.preflight.kind, inner.preflight.prov.location.line) == (PreflightKind.LIBRARY, 6)
    assert inner.methods.items == ("GET",)  # the outer decorator's options shape the preflight answer


@pytest.mark.parametrize(
    "name,meant",
    [
        ("CORS_ORIGIN_ALLOW_HEADER", "CORS_ALLOW_HEADERS"),
        ("CORS_ALLOWED_ORIGNS", "CORS_ALLOWED_ORIGINS"),
        ("CORS_ALLOW_CREDENTIAL", "CORS_ALLOW_CREDENTIALS"),
        ("CORS_ORIGIN_ALLOW", "CORS_ALLOW_ALL_ORIGINS"),
    ],
)
def test_django_unknown_setting_suggests_the_setting_sharing_its_words(tmp_path: Path, name: str, meant: str) -> None:
    code = f"""
        INSTALLED_APPS = ["corsheaders"]
        CORS_ALLOWED_ORIGINS = ["https://app.example.com"]
        {name} = True
        """
    policy = only(run(tmp_path, {"settings.py": code}))
    assert [(f.kind, f.subject, f.replacement) for f in policy.wiring if f.kind == UNKNOWN_OPTION] == [
        (UNKNOWN_OPTION, name, meant)
    ]


@pytest.mark.parametrize("credentials", ["", "allow_credentials=True, "])
def test_starlette_star_methods_are_sent_by_name(tmp_path: Path, credentials: str) -> None:
    code = f"""
        from fastapi import FastAPI
        from fastapi.middleware.cors import CORSMiddleware
        app = FastAPI()
        app.add_middleware(CORSMiddleware, allow_origins=["https://app.example.com"], {credentials}allow_methods=["*"])
        """
    methods = only(run(tmp_path, {"main.py": code})).methods
    assert (methods.kind, methods.expanded_star) == (ListKind.EXPLICIT, True)
    assert methods.contains("DELETE") and not methods.contains("*")


def test_django_allow_all_set_to_debug_is_development_only_and_the_allowlist_still_counts(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from conftest import lint_tree, write_tree

    write_tree(tmp_path, {"settings.py": (
        "DEBUG = False\nINSTALLED_APPS = ['corsheaders']\nMIDDLEWARE = ['corsheaders.middleware.CorsMiddleware']\n"
        "CORS_ALLOWED_ORIGINS = ['https://app.example.com']\nCORS_ALLOW_CREDENTIALS = True\nCORS_ALLOW_ALL_ORIGINS = DEBUG\n"
    )})
    result = lint_tree(tmp_path, {"select": ["ALL"]})
    (policy,) = [p for p in result.policies if p.source == "django"]
    assert [(r.kind.value, r.development) for r in policy.origins] == [("reflect", "DEBUG"), ("exact", "")]
    assert [(f.code, f.severity.value) for f in result.findings if f.code == "CORS102"] == [("CORS102", "info")]
