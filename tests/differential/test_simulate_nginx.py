"""`corslint simulate` against real nginx: every predicted CORS header, value and preflight status must be what nginx
sends, header by header. Runs where nginx is installed (.ci/run installs it); skips with the reason elsewhere."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import lint_tree
from real_servers import REQUESTS, Nginx, compare, nginx_available, serve_upstream

pytestmark = pytest.mark.skipif(nginx_available() is not None, reason=nginx_available() or "")

CASES = {
    "map-allowlist-always": """
    map $http_origin $cors_origin {
        default "";
        "https://app.example.com" $http_origin;
    }
    server {
        listen 127.0.0.1:{PORT};
        location /api/ {
            add_header Access-Control-Allow-Origin $cors_origin always;
            add_header Access-Control-Allow-Credentials true always;
            add_header Vary Origin always;
            if ($request_method = OPTIONS) {
                add_header Access-Control-Allow-Origin $cors_origin always;
                add_header Access-Control-Allow-Credentials true always;
                add_header Access-Control-Allow-Methods "GET, POST, PUT" always;
                add_header Access-Control-Allow-Headers "Authorization, Content-Type" always;
                return 204;
            }
            proxy_pass http://{UPSTREAM};
        }
    }""",
    "star-without-always": """
    server {
        listen 127.0.0.1:{PORT};
        location /api/ {
            add_header Access-Control-Allow-Origin *;
            add_header Access-Control-Expose-Headers X-Total;
            proxy_pass http://{UPSTREAM};
        }
    }""",
    "two-values": """
    server {
        listen 127.0.0.1:{PORT};
        location /api/ {
            add_header Access-Control-Allow-Origin "https://app.example.com" always;
            add_header Access-Control-Allow-Origin "https://admin.example.com" always;
            proxy_pass http://{UPSTREAM};
        }
    }""",
    "reflect-with-credentials": """
    server {
        listen 127.0.0.1:{PORT};
        add_header Access-Control-Allow-Origin $http_origin always;
        add_header Access-Control-Allow-Credentials true always;
        location /api/ {
            proxy_pass http://{UPSTREAM};
        }
    }""",
    "options-branch-drops-inherited": """
    server {
        listen 127.0.0.1:{PORT};
        location /api/ {
            add_header Access-Control-Allow-Origin "https://app.example.com" always;
            if ($request_method = OPTIONS) {
                add_header Access-Control-Allow-Methods "GET, PUT";
                return 204;
            }
            proxy_pass http://{UPSTREAM};
        }
    }""",
    "static-files-405": """
    server {
        listen 127.0.0.1:{PORT};
        root /nonexistent;
        location /api/ {
            add_header Access-Control-Allow-Origin * always;
            add_header Access-Control-Allow-Methods "GET, PUT" always;
            add_header Access-Control-Allow-Headers Authorization always;
        }
    }""",
    "unanchored-regex-map": """
    map $http_origin $cors_origin {
        default "";
        "~https://app\\.example\\.com" $http_origin;
    }
    server {
        listen 127.0.0.1:{PORT};
        location /api/ {
            add_header Access-Control-Allow-Origin $cors_origin always;
            add_header Vary Origin always;
            proxy_pass http://{UPSTREAM};
        }
    }""",
    "if-origin-sets-variable": """
    server {
        listen 127.0.0.1:{PORT};
        location /api/ {
            set $cors "";
            if ($http_origin ~* "^https://app\\.example\\.com$") {
                set $cors $http_origin;
            }
            add_header Access-Control-Allow-Origin $cors always;
            proxy_pass http://{UPSTREAM};
        }
    }""",
    "limit-except-403": """
    server {
        listen 127.0.0.1:{PORT};
        location /api/ {
            add_header Access-Control-Allow-Origin "https://app.example.com" always;
            add_header Access-Control-Allow-Methods "GET, PUT" always;
            limit_except GET POST PUT {
                deny all;
            }
            proxy_pass http://{UPSTREAM};
        }
    }""",
    "redirect-to-cors-location": """
    server {
        listen 127.0.0.1:{PORT};
        location /api/ {
            add_header Access-Control-Allow-Origin "https://app.example.com" always;
            add_header Access-Control-Allow-Methods "GET, PUT" always;
            return 301 /v2$request_uri;
        }
        location /v2/ {
            add_header Access-Control-Allow-Origin "https://app.example.com" always;
            add_header Access-Control-Allow-Credentials true always;
            if ($request_method = OPTIONS) {
                add_header Access-Control-Allow-Origin "https://app.example.com" always;
                add_header Access-Control-Allow-Methods "GET, PUT" always;
                add_header Access-Control-Allow-Headers "Authorization, X-Trace" always;
                return 204;
            }
            proxy_pass http://{UPSTREAM};
        }
    }""",
    "redirect-without-always": """
    server {
        listen 127.0.0.1:{PORT};
        location /api/ {
            add_header Access-Control-Allow-Origin *;
            return 302 /elsewhere/;
        }
    }""",
    "rewrite-permanent": """
    server {
        listen 127.0.0.1:{PORT};
        location /api/ {
            add_header Access-Control-Allow-Origin $http_origin always;
            rewrite ^(.*)$ /v2$1 permanent;
        }
        location /v2/ {
            add_header Access-Control-Allow-Origin $http_origin always;
            proxy_pass http://{UPSTREAM};
        }
    }""",
    "return-403-everywhere": """
    server {
        listen 127.0.0.1:{PORT};
        location /api/ {
            add_header Access-Control-Allow-Origin "https://app.example.com";
            add_header Access-Control-Allow-Methods "GET, PUT" always;
            return 403;
        }
    }""",
}


@pytest.fixture(scope="module")
def upstream():  # type: ignore[no-untyped-def]
    yield from serve_upstream()


@pytest.mark.parametrize("case", sorted(CASES))
def test_simulate_predicts_what_nginx_sends(case: str, tmp_path: Path, upstream: int) -> None:
    server = Nginx(tmp_path, CASES[case], upstream)
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "nginx.conf").write_text((tmp_path / "nginx.conf").read_text(encoding="utf-8"), encoding="utf-8")
    result = lint_tree(tree)
    server.start()
    try:
        assert compare(result.policies, result.layers, server.port, case) >= len(REQUESTS)
    finally:
        server.stop()
