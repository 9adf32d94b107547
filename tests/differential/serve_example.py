"""Serves a catalogue example on 127.0.0.1:PORT: `python serve_example.py FILE PORT` runs FILE (a Flask, Starlette,
FastAPI app or Django settings of the rule pages) and adds only what the example leaves to its deployment: a view
answering 200 at /api/items, 404 elsewhere, and the server. The process ends by itself after MAX_LIFE_S."""

from __future__ import annotations

import os
import runpy
import sys
import threading
import types
from typing import Any

MAX_LIFE_S = 60
_FLASK_NAMES = "from flask import Flask, request, jsonify, make_response\napp = Flask(__name__, root_path=\".\")\n"


def main(file: str, port: int) -> int:
    timer = threading.Timer(MAX_LIFE_S, lambda: os._exit(0))
    timer.daemon = True
    timer.start()
    text = open(file, encoding="utf-8").read()
    glob: dict[str, Any] = {"__name__": "example"}
    if "@app." in text and "import " not in text:
        exec(compile(_FLASK_NAMES, "preamble", "exec"), glob)  # the app object the snippet takes as given
    names = _run(file, glob)
    app = names.get("app") or names.get("application")
    if app is not None and type(app).__module__.startswith("flask"):
        return _flask(app, port)
    if app is not None and type(app).__module__.split(".")[0] in ("starlette", "fastapi"):
        routed = next((v for v in names.values() if hasattr(v, "add_route") and hasattr(v, "router")), app)
        return _starlette(app, routed, port)
    if any(name.startswith("CORS_") for name in names) or "MIDDLEWARE" in names:
        return _django(names, port)
    print("no application", flush=True)
    return 3


MAX_MISSING_ENV = 5


def _run(file: str, glob: dict[str, Any]) -> dict[str, Any]:
    """Run the file; an environment variable it requires (`os.environ["SECRET_KEY"]`) is a deployment detail: it
    gets a placeholder value (never one that names an origin), and the file runs again."""
    for _ in range(MAX_MISSING_ENV):
        try:
            return runpy.run_path(file, init_globals=dict(glob), run_name="example")
        except KeyError as missing:
            name = str(missing.args[0]) if missing.args else ""
            if not name or name in os.environ or "CORS" in name.upper() or "ORIGIN" in name.upper():
                raise
            os.environ[name] = "differential-placeholder"
    return runpy.run_path(file, init_globals=dict(glob), run_name="example")


def _serve_wsgi(application: Any, port: int) -> int:
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", port, application, threaded=True)
    print("ready", flush=True)
    server.serve_forever()
    return 0


def _flask(app: Any, port: int) -> int:
    if "items" not in app.view_functions:
        app.add_url_rule("/api/items", "items", lambda: "ok", methods=["GET", "PUT", "POST", "DELETE"])
    return _serve_wsgi(app, port)


def _starlette(app: Any, routed: Any, port: int) -> int:
    """Serve `app` (the application, or the CORS middleware wrapped around it) with the route added to `routed`."""
    import uvicorn
    from starlette.responses import PlainTextResponse

    async def items(request: Any) -> Any:
        return PlainTextResponse("ok")

    routed.add_route("/api/items", items, methods=["GET", "PUT", "POST", "DELETE"])
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    threading.Thread(target=lambda: (_wait(server), print("ready", flush=True)), daemon=True).start()
    server.run()
    return 0


def _wait(server: Any) -> None:
    for _ in range(200):
        if server.started:
            return
        threading.Event().wait(0.05)


def _django(names: dict[str, Any], port: int) -> int:
    import django
    from django.conf import settings
    from django.http import HttpResponse, HttpResponseNotFound
    from django.urls import re_path

    values = {name: value for name, value in names.items() if name.isupper()}
    # the project's own apps are not part of the file; the libraries it lists are installed
    values["INSTALLED_APPS"] = [app for app in values.get("INSTALLED_APPS", ()) if _importable(app)] or None
    if not values["INSTALLED_APPS"]:
        values["INSTALLED_APPS"] = ["django.contrib.contenttypes", "corsheaders"]
    values.setdefault("MIDDLEWARE", ["corsheaders.middleware.CorsMiddleware", "django.middleware.common.CommonMiddleware"])
    urls = types.ModuleType("example_urls")
    urls.urlpatterns = [re_path(r"^api/items$", lambda request: HttpResponse("ok")),
                        re_path(r"", lambda request: HttpResponseNotFound("missing"))]
    sys.modules["example_urls"] = urls
    values.update(DEBUG=False, SECRET_KEY="differential", ALLOWED_HOSTS=["*"], ROOT_URLCONF="example_urls", DATABASES={})
    settings.configure(**values)
    django.setup()
    from django.core.wsgi import get_wsgi_application

    return _serve_wsgi(get_wsgi_application(), port)


def _importable(dotted: str) -> bool:
    import importlib.util

    try:
        return importlib.util.find_spec(dotted.split(".")[0]) is not None
    except (ImportError, ValueError):
        return False


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], int(sys.argv[2])))
