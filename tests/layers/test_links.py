"""Links from a proxy's upstream to the application in the tree, and when none is made."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import lint_tree, write_tree
from corslint.cli import main
from corslint.layers.targets import address

NGINX_DUPLICATE = """
server {
    listen 80;
    location /api/ {
        add_header Access-Control-Allow-Origin "https://app.example.com" always;
        proxy_pass http://%s/;
    }
}
"""
FASTAPI = """
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI()
app.add_middleware(CORSMiddleware, allow_origins=["https://app.example.com"])
"""
EXPRESS = """
const express = require('express');
const cors = require('cors');
const app = express();
app.use(cors({ origin: 'https://app.example.com' }));
app.listen(%s);
"""


def _codes(root: Path) -> list[tuple[str, str, int]]:
    result = lint_tree(root, {"select": ["CORS404", "CORS501", "CORS202"]})
    return [(f.code, f.location.path, f.location.line) for f in result.findings]


def _layers(root: Path):  # type: ignore[no-untyped-def]
    return lint_tree(root).layers


@pytest.mark.parametrize(
    "text,host,port,written,loopback",
    [
        ("http://api:8000/v1", "api", 8000, True, False),
        ("api:8000", "api", 8000, True, False),
        ("https://api", "api", 443, False, False),
        ("http://127.0.0.1:3000", "127.0.0.1", 3000, True, True),
        ("http://[::1]:3000/", "::1", 3000, True, True),
        ("http://localhost", "localhost", 80, False, True),
        ("grpc://user@Backend:50051", "backend", 50051, True, False),
    ],
)
def test_addresses(text: str, host: str, port: int, written: bool, loopback: bool) -> None:
    found = address(text)
    assert found is not None
    assert (found.host, found.port, found.port_written, found.loopback) == (host, port, written, loopback)


@pytest.mark.parametrize("text", ["unix:/run/app.sock", "http://$backend", "http://api:99999", "http://{{ host }}:80", ""])
def test_unreadable_addresses(text: str) -> None:
    assert address(text) is None


def test_compose_service_link_and_its_steps(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "docker-compose.yml": "services:\n  web: {image: nginx}\n  api:\n    build: ./api\n    expose: ['8000']\n",
        "nginx/site.conf": NGINX_DUPLICATE % "api:8000",
        "api/main.py": FASTAPI,
    })
    layers = _layers(tmp_path)
    (path,) = layers.paths
    assert (path.folder, path.service, [app.source for app in path.apps]) == ("api", "compose service api", ["fastapi"])
    assert [step.location.path for step in path.steps] == ["docker-compose.yml"]
    assert _codes(tmp_path) == [("CORS404", "nginx/site.conf", 4)]


def test_override_file_with_the_same_folder_still_links(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "docker-compose.yml": "services:\n  api:\n    build: ./api\n",
        "docker-compose.override.yml": "services:\n  api:\n    build: ./api\n    ports: ['8000:8000']\n",
        "nginx/site.conf": NGINX_DUPLICATE % "api:8000",
        "api/main.py": FASTAPI,
    })
    assert _codes(tmp_path) == [("CORS404", "nginx/site.conf", 4)]


@pytest.mark.parametrize(
    "compose,upstream,reason",
    [
        ("services:\n  api: {image: vendor/api}\n", "api:8000", "is not built from this tree"),
        ("services:\n  api: {build: ./api}\n", "api:8000", None),
        ("services:\n  api: {build: ./api, expose: ['9000']}\n", "api:8000", "names port 8000, but compose service `api` listens on 9000"),
    ],
)
def test_unlinked_upstreams_say_why(tmp_path: Path, compose: str, upstream: str, reason: str) -> None:
    write_tree(tmp_path, {"docker-compose.yml": compose, "nginx/site.conf": NGINX_DUPLICATE % upstream, "api/main.py": FASTAPI})
    layers = _layers(tmp_path)
    if reason is None:
        assert len(layers.paths) == 1 and not layers.unlinked
        return
    assert not layers.paths
    (unlinked,) = layers.unlinked
    assert reason in unlinked.reason
    assert _codes(tmp_path) == []


def test_two_services_of_one_name_built_from_different_folders_link_to_none(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "docker-compose.yml": "services:\n  api: {build: ./api}\n",
        "docker-compose.prod.yml": "services:\n  api: {build: ./api-v2}\n",
        "nginx/site.conf": NGINX_DUPLICATE % "api:8000",
        "api/main.py": FASTAPI,
        "api-v2/main.py": FASTAPI,
    })
    layers = _layers(tmp_path)
    assert not layers.paths and "different folders" in layers.unlinked[0].reason
    assert _codes(tmp_path) == []


def test_a_service_name_means_nothing_outside_its_project(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "shop/docker-compose.yml": "services:\n  api: {build: ./api}\n",
        "shop/api/main.py": FASTAPI,
        "blog/nginx/site.conf": NGINX_DUPLICATE % "api:8000",
    })
    layers = _layers(tmp_path)
    assert not layers.paths and not layers.unlinked


def test_a_bind_mount_puts_the_proxy_in_the_project(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "deploy/docker-compose.yml": "services:\n  proxy:\n    image: nginx\n    volumes: ['../conf/site.conf:/etc/nginx/conf.d/default.conf']\n  api: {build: ../api}\n",
        "conf/site.conf": NGINX_DUPLICATE % "api:8000",
        "api/main.py": FASTAPI,
    })
    assert _codes(tmp_path) == [("CORS404", "conf/site.conf", 4)]


def test_applications_of_several_kinds_in_one_folder_need_the_start_command(tmp_path: Path) -> None:
    files = {
        "docker-compose.yml": "services:\n  api: {build: .}\n",
        "nginx/site.conf": NGINX_DUPLICATE % "api:8000",
        "main.py": FASTAPI,
        "tools/server.js": EXPRESS % "4000",
    }
    write_tree(tmp_path, files)
    assert "several kinds" in _layers(tmp_path).unlinked[0].reason
    files["docker-compose.yml"] = "services:\n  api:\n    build: .\n    command: uvicorn main:app --port 8000\n"
    write_tree(tmp_path, files)
    (path,) = _layers(tmp_path).paths
    assert [app.source for app in path.apps] == ["fastapi"]


def test_loopback_port_links_the_application_listening_on_it(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "etc/nginx/site.conf": NGINX_DUPLICATE % "127.0.0.1:3000",
        "server/index.js": EXPRESS % "3000",
        "worker/index.js": EXPRESS % "3001",
    })
    (path,) = _layers(tmp_path).paths
    assert (path.folder, path.service) == ("server", "port 3000")
    assert _codes(tmp_path) == [("CORS404", "etc/nginx/site.conf", 4)]


def test_loopback_inside_a_compose_project_is_the_proxy_container(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "docker-compose.yml": "services:\n  proxy: {image: nginx}\n  api: {build: ./server}\n",
        "nginx/site.conf": NGINX_DUPLICATE % "127.0.0.1:3000",
        "server/index.js": EXPRESS % "3000",
    })
    assert not _layers(tmp_path).paths


def test_loopback_stays_within_the_proxy_project(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "one/requirements.txt": "flask\n",
        "one/nginx.conf": NGINX_DUPLICATE % "127.0.0.1:3000",
        "two/package.json": "{}\n",
        "two/index.js": EXPRESS % "3000",
    })
    assert not _layers(tmp_path).paths


def test_listen_port_from_an_environment_fallback_is_an_assumption(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "nginx.conf": NGINX_DUPLICATE % "localhost:3000",
        "server.js": EXPRESS % "process.env.PORT || 3000",
    })
    (path,) = _layers(tmp_path).paths
    assert path.assumed == "3000 while $PORT is unset"
    result = lint_tree(tmp_path, {"select": ["CORS404"]})
    (finding,) = result.findings
    assert finding.severity.value == "warning" and "assuming 3000 while $PORT is unset" in finding.message


def test_upstream_group_of_two_applications_links_to_none(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "docker-compose.yml": "services:\n  a: {build: ./a}\n  b: {build: ./b}\n",
        "nginx.conf": "upstream pool { server a:8000; server b:8000; }\n" + NGINX_DUPLICATE % "pool",
        "a/main.py": FASTAPI,
        "b/main.py": FASTAPI,
    })
    layers = _layers(tmp_path)
    assert not layers.paths and "different applications" in layers.unlinked[0].reason


def test_disjoint_allowlists_are_no_duplicate(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "docker-compose.yml": "services:\n  api: {build: ./api}\n",
        "nginx/site.conf": NGINX_DUPLICATE % "api:8000",
        "api/main.py": FASTAPI.replace("https://app.example.com", "https://other.example.com"),
    })
    assert _codes(tmp_path) == []


def test_route_level_and_development_only_settings_are_not_assumed_on_every_response(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "docker-compose.yml": "services:\n  api: {build: ./api}\n",
        "nginx/site.conf": NGINX_DUPLICATE % "api:3000",
        "api/app.js": """
            const express = require('express');
            const cors = require('cors');
            const app = express();
            app.get('/public', cors({ origin: 'https://app.example.com' }), (req, res) => res.end());
            if (process.env.NODE_ENV !== 'production') {
              app.use(cors({ origin: 'https://app.example.com' }));
            }
        """,
    })
    assert len(_layers(tmp_path).paths) == 1
    assert [f.code for f in lint_tree(tmp_path, {"select": ["CORS404"]}).findings] == []


def test_wsgi_script_is_matched_by_its_path(tmp_path: Path) -> None:
    vhost = (
        "<VirtualHost *:80>\n    WSGIScriptAlias / /srv/%s\n"
        '    Header always set Access-Control-Allow-Origin "https://app.example.com"\n</VirtualHost>\n'
    )
    flask = 'from flask import Flask\nfrom flask_cors import CORS\napp = Flask(__name__)\nCORS(app, origins=["https://app.example.com"])\n'
    write_tree(tmp_path, {"apache/site.conf": vhost % "shop/app.wsgi", "shop/app.wsgi": "from app import app as application\n", "shop/app.py": flask, "blog/app.wsgi": "x = 1\n"})
    (path,) = _layers(tmp_path).paths
    assert path.folder == "shop"
    assert _codes(tmp_path) == [("CORS404", "apache/site.conf", 3)]
    write_tree(tmp_path, {"apache/site.conf": vhost % "app.wsgi"})
    assert "several WSGI scripts" in _layers(tmp_path).unlinked[0].reason


def test_the_same_findings_with_workers(tmp_path: Path) -> None:
    case = Path(__file__).resolve().parents[2] / "fixtures" / "layers" / "compose-nginx-express-duplicate"
    one = lint_tree(case, {"select": ["ALL"]}, jobs=1)
    two = lint_tree(case, {"select": ["ALL"]}, jobs=2)
    assert [f.message for f in one.findings] == [f.message for f in two.findings]
    assert one.findings and one.findings[0].code == "CORS404"


def test_show_lists_the_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    case = Path(__file__).resolve().parents[2] / "fixtures" / "layers" / "compose-nginx-fastapi-duplicate"
    monkeypatch.chdir(case)
    table = CliRunner().invoke(main, ["show", "--isolated", "."])
    assert table.exit_code == 0
    assert "Request paths across layers" in table.output
    assert "--proxy_pass http://api:8000/-->  compose service api (backend)" in table.output
    assert "browser receives two values (CORS404)" in table.output
    data = json.loads(CliRunner().invoke(main, ["show", "--isolated", "--format", "json", "."]).output)
    (path,) = data["paths"]
    assert path["application"]["folder"] == "backend"
    assert path["headers"][0]["browser_receives"] == "two values (CORS404)"
    assert data["unlinked"] == []


def test_the_readme_shows_what_show_prints(monkeypatch: pytest.MonkeyPatch) -> None:
    repo = Path(__file__).resolve().parents[2]
    readme = (repo / "README.md").read_text(encoding="utf-8")
    shown = readme.split("```text\nRequest paths across layers\n", 1)[1].split("```", 1)[0]
    monkeypatch.chdir(repo / "fixtures" / "layers" / "compose-nginx-fastapi-duplicate")
    printed = CliRunner().invoke(main, ["show", "--isolated", "."]).output
    assert "Request paths across layers\n" + shown in printed


@pytest.mark.parametrize("vary,reported", [('Header always set Vary "Origin"', False), ('Header set Vary "Origin"', True), ("", True)])
def test_apache_vary_covers_a_mod_wsgi_application(tmp_path: Path, vary: str, reported: bool) -> None:
    write_tree(tmp_path, {
        "apache/site.conf": (
            "<VirtualHost *:80>\n    WSGIScriptAlias / /srv/shop/app.wsgi\n"
            f'    Header always set Access-Control-Expose-Headers "X-Total"\n    {vary}\n</VirtualHost>\n'
        ),
        "shop/app.wsgi": "from app import app as application\n",
        "shop/app.py": 'from flask import Flask\nfrom flask_cors import CORS\napp = Flask(__name__)\nCORS(app, origins=["https://app.example.com"])\n',
    })
    codes = [f.code for f in lint_tree(tmp_path, {"select": ["CORS401"]}).findings]
    assert codes == (["CORS401"] if reported else [])


def test_a_procfile_port_is_a_listener(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "Procfile": "web: gunicorn -b 127.0.0.1:5000 app:app\n",
        "apache/site.conf": '<Location /api/>\n    Header always set Access-Control-Allow-Origin "https://app.example.com"\n    ProxyPass http://127.0.0.1:5000/\n</Location>\n',
        "app.py": 'from flask import Flask\nfrom flask_cors import CORS\napp = Flask(__name__)\nCORS(app, origins=["https://app.example.com"])\n',
    })
    (path,) = _layers(tmp_path).paths
    assert (path.service, path.steps[0].note) == ("port 5000", "the application here listens on port 5000")
    assert _codes(tmp_path) == [("CORS404", "apache/site.conf", 2)]


def test_compose_links_name_a_service(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "docker-compose.yml": "services:\n  api_srv: {build: ./api}\n  proxy:\n    build: ./proxy\n    links: ['api_srv:api.net']\n",
        "proxy/site.conf": NGINX_DUPLICATE % "api.net:8080",
        "api/main.py": FASTAPI,
    })
    (path,) = _layers(tmp_path).paths
    assert path.service == "compose service api_srv"


@pytest.mark.parametrize(
    "app",
    [
        'from flask import Flask\nfrom flask_cors import CORS\napp = Flask(__name__)\nif app.config.get("USE_CORS"):\n    CORS(app, origins=["https://app.example.com"])\n',
        "const express = require('express');\nconst cors = require('cors');\nconst app = express();\n"
        "if (config.cors) {\n  app.use(cors({ origin: 'https://app.example.com' }));\n}\napp.listen(8000);\n",
    ],
)
def test_a_library_registered_under_an_if_is_not_assumed(tmp_path: Path, app: str) -> None:
    name = "api/app.py" if app.startswith("from") else "api/app.js"
    write_tree(tmp_path, {"docker-compose.yml": "services:\n  api: {build: ./api}\n", "nginx/site.conf": NGINX_DUPLICATE % "api:8000", name: app})
    (path,) = _layers(tmp_path).paths
    assert path.apps and path.apps[0].registered_if
    assert _codes(tmp_path) == []


@pytest.mark.parametrize(
    "location,upstream,resource,linked",
    [
        ("/api/", "http://api:8000", '{r"/api/*": {"origins": "*"}}', True),  # the path goes on unchanged
        ("/api/", "http://api:8000/", '{r"/api/*": {"origins": "*"}}', False),  # `/` replaces /api/: the app sees /x
        ("/api/", "http://api:8000/api/", '{r"/api/*": {"origins": "*"}}', True),
        ("/", "http://api:8000", '{r"/*": {"origins": "*"}}', True),
        ("/", "http://api:8000", '{r"/api/.*": {"origins": "*"}}', False),
        ("~ ^/api/(.*)$", "http://api:8000/$1", '{r"/*": {"origins": "*"}}', False),  # a variable: unknown path
    ],
)
def test_an_application_path_setting_must_cover_what_the_proxy_hands_on(
    tmp_path: Path, location: str, upstream: str, resource: str, linked: bool
) -> None:
    nginx = (
        f"server {{\n    location {location} {{\n"
        '        add_header Access-Control-Allow-Origin "https://app.example.com" always;\n'
        f"        proxy_pass {upstream};\n    }}\n}}\n"
    )
    flask = f'from flask import Flask\nfrom flask_cors import CORS\napp = Flask(__name__)\nCORS(app, resources={resource})\n'
    write_tree(tmp_path, {"docker-compose.yml": "services:\n  api: {build: ./api}\n", "nginx/site.conf": nginx, "api/app.py": flask})
    assert bool(_codes(tmp_path)) is linked


def test_a_preflight_answer_without_credentials_refuses_credentialed_requests(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "docker-compose.yml": "services:\n  api: {build: ./api}\n",
        "nginx/site.conf": """
            server {
                location / {
                    if ($request_method = OPTIONS) {
                        add_header Access-Control-Allow-Origin *;
                        add_header Access-Control-Allow-Methods "GET, POST";
                        return 204;
                    }
                    proxy_pass http://api:8000;
                }
            }
        """,
        "api/main.py": FASTAPI.replace('allow_origins=["https://app.example.com"]', 'allow_origins=["*"], allow_credentials=True'),
    })
    (finding,) = [f for f in lint_tree(tmp_path, {"select": ["CORS202"]}).findings]
    assert finding.severity.value == "info" and "credentialed requests" in finding.message


def test_a_proxy_file_nginx_refuses_hands_nothing_on(tmp_path: Path) -> None:
    broken = NGINX_DUPLICATE.replace("    listen 80;\n", "    listen 80;\n    if ($request_method = OPTIONS) {\n        add_header X-Preflight 1;\n        return 204;\n    }\n")
    write_tree(tmp_path, {"docker-compose.yml": "services:\n  api: {build: ./api}\n", "nginx/site.conf": broken % "api:8000", "api/main.py": FASTAPI})
    layers = _layers(tmp_path)
    assert not layers.paths and "refuses to load this configuration" in layers.unlinked[0].reason
    assert [f.code for f in lint_tree(tmp_path, {"select": ["CORS001", "CORS404"]}).findings] == ["CORS001"]


def test_a_proxy_star_doubled_for_every_origin_is_reported_once_as_the_duplicate(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "docker-compose.yml": "services:\n  api: {build: ./api}\n",
        "nginx/site.conf": NGINX_DUPLICATE.replace('"https://app.example.com" always', "*") % "api:8000",
        "api/main.py": FASTAPI.replace('allow_origins=["https://app.example.com"]', 'allow_origins=["*"], allow_credentials=True'),
    })
    codes = [(f.code, f.location.path) for f in lint_tree(tmp_path, {"select": ["CORS103", "CORS402", "CORS404"]}).findings]
    # the application echoes every origin: nginx's `*` never goes out alone, and its error responses carry the app's
    assert ("CORS404", "nginx/site.conf") in codes
    assert not [c for c in codes if c[1] == "nginx/site.conf" and c[0] in ("CORS103", "CORS402")]


def test_a_proxy_star_before_an_allowlist_still_opens_the_other_origins(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "docker-compose.yml": "services:\n  api: {build: ./api}\n",
        "nginx/site.conf": NGINX_DUPLICATE.replace('"https://app.example.com" always', "*") % "api:8000",
        "api/main.py": FASTAPI,
    })
    codes = sorted(f.code for f in lint_tree(tmp_path, {"select": ["CORS103", "CORS402", "CORS404"]}).findings if f.location.path == "nginx/site.conf")
    assert codes == ["CORS103", "CORS402", "CORS404"]


def test_an_envsubst_template_upstream_takes_the_proxy_image_values_and_its_own_stack(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "docker-compose.yml": "services:\n  backend:\n    build: .\n    command: python manage.py runserver 0.0.0.0:8000\n",
        "docker-compose-deploy.yml": "services:\n  backend:\n    build: .\n  proxy:\n    build:\n      context: ./proxy\n",
        "proxy/Dockerfile": "FROM nginx\nENV APP_HOST=backend\nENV APP_PORT=9000\nCOPY default.conf.tpl /etc/nginx/\n",
        "proxy/default.conf.tpl": NGINX_DUPLICATE % "${APP_HOST}:${APP_PORT}",
        "main.py": FASTAPI,
    })
    (path,) = _layers(tmp_path).paths
    assert [step.note for step in path.steps][:2] == [
        "`${APP_HOST}` is `backend` (`ENV APP_HOST=backend`)", "`${APP_PORT}` is `9000` (`ENV APP_PORT=9000`)",
    ]
    assert path.steps[2].location.path == "docker-compose-deploy.yml" and not path.assumed


def test_an_environment_file_makes_the_rendered_upstream_an_assumption(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "docker-compose.yml": "services:\n  api: {build: ./api}\n  proxy:\n    build: ./proxy\n    env_file: .env\n    environment:\n      UPSTREAM: api:8000\n",
        "proxy/default.conf.tpl": NGINX_DUPLICATE % "${UPSTREAM}",
        "api/main.py": FASTAPI,
    })
    (path,) = _layers(tmp_path).paths
    assert path.assumed and [f.severity.value for f in lint_tree(tmp_path, {"select": ["CORS404"]}).findings] == ["warning"]


def test_an_unresolved_template_variable_links_to_nothing(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "docker-compose.yml": "services:\n  api: {build: ./api}\n  proxy: {build: ./proxy}\n",
        "proxy/default.conf.tpl": NGINX_DUPLICATE % "${UPSTREAM_HOST}:8000",
        "api/main.py": FASTAPI,
    })
    assert not _layers(tmp_path).paths


def test_links_terminate_when_paths_are_shown_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # linted from outside the tree, files are shown by absolute path: walking up from one must stop at "/"
    tree = tmp_path / "tree"
    write_tree(tree, {
        "api/requirements.txt": "flask\n",
        "etc/nginx/site.conf": NGINX_DUPLICATE % "127.0.0.1:3000",
        "proxy/Dockerfile": "FROM nginx\n",
        "proxy/default.conf.tpl": NGINX_DUPLICATE % "${UPSTREAM}",
        "server/index.js": EXPRESS % "3000",
    })
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    from corslint.config import Config
    from corslint.engine import lint
    from corslint.registry import load

    result = lint([tree], Config(), load(plugins=False))
    assert result.layers is not None and not result.layers.paths
    assert all(Path(p.location.path).is_absolute() for p in result.policies)
