"""`corslint simulate` against real Apache httpd 2.4 in front of a local upstream: every predicted CORS header and
value must be what Apache sends. Runs where apache2 is installed; skips with the reason elsewhere."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import lint_tree
from real_servers import REQUESTS, Apache, apache_available, compare, serve_apache, serve_upstream

from corslint.records import replace


pytestmark = pytest.mark.skipif(apache_available() is not None, reason=apache_available() or "")

CASES = {
    "set-one-origin": """
<Location /api/>
    Header always set Access-Control-Allow-Origin "https://app.example.com"
    Header always set Access-Control-Allow-Credentials "true"
    ProxyPass http://{UPSTREAM}/api/
</Location>""",
    "setenvif-allowlist": """
<Location /api/>
    SetEnvIf Origin "^(https://app\\.example\\.com)$" CORS_ORIGIN=$1
    Header always set Access-Control-Allow-Origin "%{CORS_ORIGIN}e" env=CORS_ORIGIN
    Header always merge Vary Origin
    ProxyPass http://{UPSTREAM}/api/
</Location>""",
    "star-onsuccess": """
<Location /api/>
    Header set Access-Control-Allow-Origin "*"
    Header set Access-Control-Expose-Headers "X-Total"
    ProxyPass http://{UPSTREAM}/api/
</Location>""",
    "redirect-onsuccess-dropped": """
Header set Access-Control-Allow-Origin "https://app.example.com"
Header always set Access-Control-Allow-Methods "GET, PUT"
Redirect 301 /api/ /v2/api/
<Location /v2/>
    Header always set Access-Control-Allow-Origin "https://app.example.com"
    Header always set Access-Control-Allow-Credentials "true"
    ProxyPass http://{UPSTREAM}/v2/
</Location>""",
    "redirect-always": """
<Location /api/>
    Header always set Access-Control-Allow-Origin "https://app.example.com"
    Header always set Access-Control-Allow-Methods "GET, PUT"
    Redirect 308 https://elsewhere.example.net/api/
</Location>""",
    "rewrite-r301": """
Header always set Access-Control-Allow-Origin "*"
RewriteEngine On
RewriteRule ^/api/(.*)$ /v2/api/$1 [R=301,L]
<Location /v2/>
    ProxyPass http://{UPSTREAM}/v2/
</Location>""",
}


@pytest.fixture(scope="module")
def upstream():  # type: ignore[no-untyped-def]
    yield from serve_upstream()


@pytest.mark.parametrize("case", sorted(CASES))
def test_simulate_predicts_what_apache_sends(case: str, tmp_path: Path, upstream: int) -> None:
    server = Apache(tmp_path, CASES[case], upstream)
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "httpd.conf").write_text(server.config_text, encoding="utf-8")
    result = lint_tree(tree)
    server.start()
    try:
        assert compare(result.policies, result.layers, server.port, case) >= len(REQUESTS) - 1
    finally:
        server.stop()


DIRECTORY_CASES = {
    "directory-under-docroot": ("/api/items", """<VirtualHost *:443>
    DocumentRoot /var/www/site
    <Directory /var/www/site/api>
        Header always set Access-Control-Allow-Origin "https://app.example.com"
        Header always set Access-Control-Allow-Methods "GET, PUT"
    </Directory>
</VirtualHost>"""),
    "directory-by-alias": ("/v1/items", """<VirtualHost *:443>
    DocumentRoot /var/www/site
    Alias /v1 /var/www/site/api
    <Directory /var/www/site/api>
        Header set Access-Control-Allow-Origin "*"
    </Directory>
</VirtualHost>"""),
}


@pytest.mark.parametrize("case", sorted(DIRECTORY_CASES))
def test_directory_sections_answer_the_urls_their_folder_is_served_at(case: str, tmp_path: Path, upstream: int) -> None:
    path, text = DIRECTORY_CASES[case]
    server = serve_apache(tmp_path, {"site.conf": text}, upstream)
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "site.conf").write_text(text, encoding="utf-8")
    result = lint_tree(tree)
    requests = [replace(r, path=path if "missing" not in r.path else path + "-missing") for r in REQUESTS]
    requests.append(replace(REQUESTS[0], path="/elsewhere/items"))  # outside the folder: no CORS header
    server.start()
    try:
        assert compare(result.policies, result.layers, server.port, case, requests) >= len(requests)
    finally:
        server.stop()
