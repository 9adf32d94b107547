"""The deployment source: docker-compose services, Dockerfile and Procfile commands, start-command ports."""

from __future__ import annotations

import pytest

from corslint.sources.deploy.commands import read, split
from corslint.sources.deploy.compose import ComposeError, services
from corslint.sources.deploy.dockerfile import instructions, service
from corslint.sources.deploy.names import kind_of
from corslint.sources.deploy.procfile import services as procfile_services


@pytest.mark.parametrize(
    "path,kind",
    [
        ("docker-compose.yml", "compose"), ("deploy/docker-compose.prod.yaml", "compose"), ("compose.yaml", "compose"),
        ("compose-dev.yml", "compose"), ("composer.yml", ""), ("docker-compose-schema.json", ""),
        ("Dockerfile", "dockerfile"), ("api/Dockerfile.prod", "dockerfile"), ("web.dockerfile", "dockerfile"),
        ("Containerfile", "dockerfile"), ("Procfile", "procfile"), ("Procfile.dev", "procfile"),
        ("deploy/shop.wsgi", "wsgi"), ("web/package.json", "package"), ("nginx.conf", ""), ("app.yml", ""),
    ],
)
def test_names(path: str, kind: str) -> None:
    assert kind_of(path) == kind


@pytest.mark.parametrize(
    "command,server,port,assumed",
    [
        ("uvicorn app.main:app --host 0.0.0.0 --port 8000", "uvicorn", 8000, ""),
        ("uvicorn main:app --port=9000", "uvicorn", 9000, ""),
        ("uvicorn main:app", "uvicorn", 8000, "uvicorn's default port"),
        ("gunicorn -w 4 -b 0.0.0.0:5000 wsgi:app", "gunicorn", 5000, ""),
        ("gunicorn --bind=unix:/run/app.sock wsgi:app", "gunicorn", 8000, "gunicorn's default port"),
        ("gunicorn app:app -p app.pid", "gunicorn", 8000, "gunicorn's default port"),  # -p is gunicorn's pid file
        ("flask run --host=0.0.0.0 -p 5001", "flask", 5001, ""),
        ("python manage.py runserver 0.0.0.0:8001", "runserver", 8001, ""),
        ("python manage.py runserver", "runserver", 8000, "runserver's default port"),
        ("sh -c 'python manage.py migrate && python manage.py runserver 0.0.0.0:8002'", "runserver", 8002, ""),
        ("uvicorn main:app --port ${PORT:-8080}", "uvicorn", 8080, "8080 while $PORT is unset"),
        ("uvicorn main:app --port $PORT", "uvicorn", 0, "the port comes from the environment"),
        ("uwsgi --socket :8001 --module mysite.wsgi", "uwsgi", 8001, ""),
        ("uwsgi --ini uwsgi.ini", "uwsgi", 0, ""),
        ("node src/server.js", "node", 0, ""),
        ("npm start", "npm", 0, ""),
    ],
)
def test_commands(command: str, server: str, port: int, assumed: str) -> None:
    started = read(command)
    assert (started.server, started.port, started.assumed) == (server, port, assumed)


def test_command_words_are_bounded_and_quotes_survive() -> None:
    assert split(["node", "x.js"]) == ["node", "x.js"]
    assert split("echo 'unterminated") == ["echo", "'unterminated"]
    assert len(split("a " * 10_000)) == 200


def test_compose_services() -> None:
    text = """
services:
  api:
    build:
      context: ./backend
      dockerfile: docker/Dockerfile
    container_name: shop-api
    hostname: api.internal
    networks:
      default:
        aliases: [backend]
    expose: ["8000"]
    ports: ["127.0.0.1:8080:80/tcp", {target: 81, published: 8081}, "3000-3005"]
    command: ["uvicorn", "main:app"]
    volumes: ["./conf/app.ini:/etc/app.ini:ro", "data:/var/lib/data", "/etc/hosts:/etc/hosts", {type: bind, source: ./static, target: /srv}]
  db:
    image: postgres:16
    network_mode: host
  outside:
    build: ../../elsewhere
"""
    api, db, outside = services("deploy/docker-compose.yml", text)
    assert (api.name, api.folder, api.dockerfile) == ("api", "deploy/backend", "deploy/backend/docker/Dockerfile")
    assert api.aliases == ("shop-api", "api.internal", "backend")
    assert [port for port, _ in api.ports] == [8000, 80, 81]
    assert api.command == "uvicorn main:app" and api.command_prov is not None and api.command_prov.location.line == 14
    assert api.mounts == ("deploy/conf/app.ini", "deploy/static")
    assert api.prov.location.line == 3
    assert (db.folder, db.host_network) == ("", True)
    assert outside.folder == ""  # leaves the tree


def test_compose_version_one_and_not_compose() -> None:
    assert [s.name for s in services("docker-compose.yml", "web:\n  build: .\nredis:\n  image: redis\nnot: 1\n")] == ["web", "redis"]
    assert services("docker-compose.yml", "version: '2'\nx: {build: .}\n") == []
    assert services("docker-compose.yml", "") == []


@pytest.mark.parametrize("text", ["services:\n  a: [\n", "services: {a: " * 2000, "\t- x: y\n  - z"])
def test_compose_errors_are_one_message(text: str) -> None:
    with pytest.raises(ComposeError):
        services("docker-compose.yml", text)


def test_compose_anchors_are_not_expanded() -> None:
    text = "x: &a [1, 1, 1, 1, 1, 1, 1, 1, 1]\n" + "".join(f"x{i}: &a{i} [*{'a' if i == 0 else f'a{i-1}'}, *{'a' if i == 0 else f'a{i-1}'}]\n" for i in range(40))
    text += "services:\n  web:\n    build: .\n    expose: *a39\n"
    (web,) = services("docker-compose.yml", text)
    assert web.ports == ()


def test_dockerfile_final_stage() -> None:
    text = """
# syntax=docker/dockerfile:1
FROM node:20 AS build
EXPOSE 9999
CMD ["npm", "run", "build"]

FROM python:3.12-slim
ENV PORT=8000
EXPOSE 8000/tcp \\
    8443
ENTRYPOINT ["gunicorn"]
CMD ["-b", "0.0.0.0:8000", "app:app"]
"""
    found = service("api/Dockerfile", text)
    assert found is not None
    assert [port for port, _ in found.ports] == [8000, 8443]
    assert found.command == "gunicorn -b 0.0.0.0:8000 app:app"
    assert found.command_prov is not None and found.command_prov.location.line == 12
    assert found.folder == "api"
    assert service("Dockerfile", "RUN echo no FROM\n") is None


def test_dockerfile_shell_entrypoint_ignores_cmd_and_continuations_join() -> None:
    text = "FROM x\nENTRYPOINT exec uvicorn main:app \\\n  --port 9000\nCMD [\"ignored\"]\n"
    found = service("Dockerfile", text)
    assert found is not None and found.command == "exec uvicorn main:app --port 9000"
    assert [entry[1] for entry in instructions(text)] == ["FROM", "ENTRYPOINT", "CMD"]


def test_procfile() -> None:
    (web, worker) = procfile_services("Procfile", "# comment\nweb: gunicorn app:app --bind 0.0.0.0:$PORT\nworker: celery -A tasks worker\n")
    assert (web.name, web.command, web.prov.location.line, web.folder) == ("web", "gunicorn app:app --bind 0.0.0.0:$PORT", 2, ".")
    assert worker.name == "worker"


def test_a_compose_file_with_cors_values_is_reported_as_not_checked(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from conftest import lint_tree, write_tree

    labels = "services:\n  api:\n    build: .\n    labels:\n      - traefik.http.middlewares.c.headers.customresponseheaders.Access-Control-Allow-Origin=*\n"
    write_tree(tmp_path, {"docker-compose.yml": labels, "docker-compose.override.yml": "services: [\n", "compose.yaml": "services: {}\n"})
    skipped = lint_tree(tmp_path).skipped
    assert "its CORS values are not checked" in skipped["docker-compose.yml"]
    assert skipped["docker-compose.override.yml"].startswith("docker-compose file not read (")
    assert "compose.yaml" not in skipped


def test_huge_numbers_are_no_ports() -> None:
    # a port written with thousands of digits: no ValueError from int(), and no default port either
    from corslint.layers.targets import address

    assert read("uvicorn main:app --port " + "9" * 100_000).port == 0
    assert address("http://api:" + "9" * 10_000) is None
