"""`corslint simulate` against real Django 5.2 + django-cors-headers 4.9.0 (served by werkzeug on 127.0.0.1): each
predicted CORS header must be what the application sends."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from conftest import lint_tree
from real_servers import REQUESTS, compare


django = pytest.importorskip("django", reason="Django is in the test extra: pip install '.[test]'")
corsheaders = pytest.importorskip("corsheaders", reason="django-cors-headers is in the test extra: pip install '.[test]'")

CASES: dict[str, dict[str, Any]] = {
    "allowlist-credentials": {"CORS_ALLOWED_ORIGINS": ["https://app.example.com"], "CORS_ALLOW_CREDENTIALS": True},
    "allow-all": {"CORS_ALLOW_ALL_ORIGINS": True},
    "regex": {"CORS_ALLOWED_ORIGIN_REGEXES": [r"^https://app\.example\.com$"], "CORS_ALLOW_METHODS": ["GET", "PUT"]},
    "private-network-expose": {"CORS_ALLOWED_ORIGINS": ["https://app.example.com/"], "CORS_ALLOW_PRIVATE_NETWORK": True,
                               "CORS_EXPOSE_HEADERS": ["X-Total"]},
}


def _view(request: Any) -> Any:
    from django.http import HttpResponse, HttpResponseNotFound

    return HttpResponseNotFound("missing") if "missing" in request.path else HttpResponse("ok")


def _urlpatterns() -> list:
    from django.urls import re_path

    return [re_path(r"^api/", _view)]


urlpatterns: list = []


def _configure() -> Any:
    from django.conf import settings

    if not settings.configured:
        settings.configure(
            DEBUG=False, SECRET_KEY="differential", ALLOWED_HOSTS=["*"], ROOT_URLCONF=__name__,
            INSTALLED_APPS=["django.contrib.contenttypes", "corsheaders"],
            MIDDLEWARE=["corsheaders.middleware.CorsMiddleware", "django.middleware.common.CommonMiddleware"],
        )
        django.setup()
        urlpatterns.extend(_urlpatterns())
    from django.core.wsgi import get_wsgi_application

    return get_wsgi_application()


def _settings_text(values: dict[str, Any]) -> str:
    lines = [
        "INSTALLED_APPS = ['django.contrib.contenttypes', 'corsheaders']",
        "MIDDLEWARE = ['corsheaders.middleware.CorsMiddleware', 'django.middleware.common.CommonMiddleware']",
    ]
    lines.extend(f"{name} = {value!r}" for name, value in values.items())
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("case", sorted(CASES))
def test_simulate_predicts_what_django_cors_headers_sends(case: str, tmp_path: Path) -> None:
    from django.test import override_settings
    from werkzeug.serving import make_server

    (tmp_path / "settings.py").write_text(_settings_text(CASES[case]), encoding="utf-8")
    result = lint_tree(tmp_path)
    application = _configure()
    with override_settings(**CASES[case]):
        server = make_server("127.0.0.1", 0, application, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            assert compare(result.policies, result.layers, server.port, case) >= len(REQUESTS)
        finally:
            server.shutdown()
