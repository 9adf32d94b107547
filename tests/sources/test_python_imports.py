"""Python across modules: flask-cors options that Flask loads into app.config (`from_object` of a class, a module or
a dotted path, `from_pyfile`, loads corslint cannot read), renamed imports of flask-cors, and constants imported
from other modules of the tree, each pointing at the file where the value is written."""

from __future__ import annotations

from pathlib import Path

from corslint.model import OriginKind, State
from conftest import lint_tree, write_tree as write



def flask_policies(root: Path):  # type: ignore[no-untyped-def]
    return [p for p in lint_tree(root).policies if p.source == "flask"]


def only(root: Path):  # type: ignore[no-untyped-def]
    found = flask_policies(root)
    assert len(found) == 1, [p.scope for p in found]
    return found[0]


def origins(policy) -> list[tuple]:  # type: ignore[no-untyped-def]
    return [(r.kind, r.value, r.prov.location.path, r.prov.location.line) for r in policy.origins]


SETTINGS = """
    import os

    ALLOWED_ORIGINS = ["https://app.example.com", "https://admin.example.com"]


    class Config:
        SECRET_KEY = os.environ.get("SECRET_KEY")
        CORS_ORIGINS = ALLOWED_ORIGINS
        CORS_SUPPORTS_CREDENTIALS = True


    class ProductionConfig(Config):
        CORS_ORIGINS = r"https://.*\\.example\\.com"
"""


def test_from_object_reads_the_class_and_its_bases(tmp_path: Path) -> None:
    write(tmp_path, {
        "app/__init__.py": "",
        "app/settings.py": SETTINGS,
        "app/main.py": """
            from flask import Flask
            from flask_cors import CORS

            from .settings import ProductionConfig

            app = Flask(__name__)
            app.config.from_object(ProductionConfig)
            CORS(app)
        """,
    })
    policy = only(tmp_path)
    assert origins(policy) == [(OriginKind.PATTERN, "https://.*\\.example\\.com", "app/settings.py", 13)]
    assert policy.credentials.value is True
    assert policy.credentials.prov.raw == "CORS_SUPPORTS_CREDENTIALS = True"
    finding = next(f for f in lint_tree(tmp_path).findings if f.code == "CORS106")
    assert (finding.location.path, finding.location.line) == ("app/settings.py", 13)
    notes = [(r.location.path, r.location.line, r.note) for r in finding.related]
    assert ("app/main.py", 4, "imported from `app/settings.py` here") in notes
    assert ("app/main.py", 7, "loaded into app.config by `app.config.from_object(ProductionConfig)`") in notes


def test_from_object_by_dotted_path_module_and_pyfile(tmp_path: Path) -> None:
    write(tmp_path, {
        "settings.py": SETTINGS,
        "default_settings.py": 'CORS_ORIGINS = ["https://docs.example.com"]\n',
        "by_path.py": "from flask import Flask\nfrom flask_cors import CORS\napp = Flask(__name__)\napp.config.from_object('settings.Config')\nCORS(app)\n",
        "by_module.py": "from flask import Flask\nfrom flask_cors import CORS\napp = Flask(__name__)\napp.config.from_object('default_settings')\nCORS(app)\n",
        "by_file.py": "from flask import Flask\nfrom flask_cors import CORS\napp = Flask(__name__)\napp.config.from_pyfile('default_settings.py')\nCORS(app)\n",
    })
    found = {p.location.path: [r.value for r in p.origins] for p in flask_policies(tmp_path)}
    assert found == {
        "by_path.py": ["https://app.example.com", "https://admin.example.com"],
        "by_module.py": ["https://docs.example.com"],
        "by_file.py": ["https://docs.example.com"],
    }


def test_create_app_parameter_default_is_the_configuration(tmp_path: Path) -> None:
    write(tmp_path, {
        "config.py": SETTINGS,
        "app.py": """
            from flask import Flask
            from flask_cors import CORS
            from config import Config


            def create_app(config_class=Config):
                app = Flask(__name__)
                app.config.from_object(config_class)
                CORS(app)
                return app
        """,
    })
    assert [r.value for r in only(tmp_path).origins] == ["https://app.example.com", "https://admin.example.com"]


def test_a_load_corslint_cannot_read_leaves_the_options_unknown(tmp_path: Path) -> None:
    """`from_envvar` or an object chosen at run time may set CORS_ORIGINS: the default is not assumed."""
    write(tmp_path, {
        "config.py": SETTINGS + '\nconfig = {"production": ProductionConfig, "default": Config}\n',
        "envvar.py": "from flask import Flask\nfrom flask_cors import CORS\napp = Flask(__name__)\napp.config.from_envvar('APP_SETTINGS')\nCORS(app, supports_credentials=True)\n",
        "chosen.py": """
            import os
            from flask import Flask
            from flask_cors import CORS
            from config import config

            app = Flask(__name__)
            app.config.from_object(config[os.getenv("FLASK_ENV", "default")])
            CORS(app, supports_credentials=True)
        """,
    })
    for policy in flask_policies(tmp_path):
        assert [r.kind for r in policy.origins] == [OriginKind.UNKNOWN], policy.location
    assert [f.code for f in lint_tree(tmp_path).findings if f.code in ("CORS102", "CORS103")] == []


def test_configuration_loaded_after_cors_is_not_what_it_reads(tmp_path: Path) -> None:
    """`CORS(app)` reads app.config when it runs (flask-cors `init_app`); a later load cannot change it."""
    write(tmp_path, {
        "app.py": """
            from flask import Flask
            from flask_cors import CORS


            def create_app(config=None):
                app = Flask(__name__)
                app.config.from_object("settings_default")
                CORS(app, supports_credentials=True, resources={r"/api/*": {"origins": "*"}})
                app.config.from_envvar("FLASK_CONF")
                app.config["CORS_ORIGINS"] = ["https://late.example.com"]
                return app
        """,
        "settings_default.py": "DEBUG = False\n",
    })
    policy = only(tmp_path)
    assert [r.kind for r in policy.origins] == [OriginKind.REFLECT]
    assert policy.vary_origin.state is State.KNOWN
    assert "CORS102" in [f.code for f in lint_tree(tmp_path).findings]


def test_renamed_flask_cors_imports(tmp_path: Path) -> None:
    write(tmp_path, {
        "a.py": "from flask import Flask\nfrom flask_cors import CORS as C\napp = Flask(__name__)\nC(app, origins=['https://a.example.com'])\n",
        "b.py": "from flask import Flask\nimport flask_cors as fc\napp = Flask(__name__)\nfc.CORS(app, origins=['https://b.example.com'])\n",
        "c.py": """
            from flask import Flask
            from flask_cors import cross_origin as allow

            app = Flask(__name__)


            @app.route("/x")
            @allow(origins=["https://c.example.com"])
            def x():
                return "x"
        """,
    })
    found = sorted((p.location.path, [r.value for r in p.origins]) for p in flask_policies(tmp_path))
    assert found == [("a.py", ["https://a.example.com"]), ("b.py", ["https://b.example.com"]), ("c.py", ["https://c.example.com"])]


def test_constants_through_module_imports(tmp_path: Path) -> None:
    write(tmp_path, {
        "app/__init__.py": "",
        "app/settings.py": SETTINGS,
        "app/one.py": "from flask import Flask\nfrom flask_cors import CORS\nfrom app import settings\napp = Flask(__name__)\nCORS(app, origins=settings.ALLOWED_ORIGINS)\n",
        "app/two.py": "from flask import Flask\nfrom flask_cors import CORS\nimport app.settings as conf\napp = Flask(__name__)\nCORS(app, origins=conf.Config.CORS_ORIGINS)\n",
        "app/three.py": "from flask import Flask\nfrom flask_cors import CORS\nfrom . import settings\napp = Flask(__name__)\nCORS(app, origins=settings.ALLOWED_ORIGINS[:1] + settings.ALLOWED_ORIGINS[1:])\n",
    })
    found = {p.location.path: origins(p) for p in flask_policies(tmp_path)}
    expected = [
        (OriginKind.EXACT, "https://app.example.com", "app/settings.py", 3),
        (OriginKind.EXACT, "https://admin.example.com", "app/settings.py", 3),
    ]
    assert found["app/one.py"] == expected
    assert found["app/two.py"] == expected
    assert [kind for kind, *_ in found["app/three.py"]] == [OriginKind.UNKNOWN]  # slices are not evaluated
