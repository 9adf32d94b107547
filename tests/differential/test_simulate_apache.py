"""`corslint simulate` against real Apache httpd 2.4 in front of a local upstream: every predicted CORS header and
value must be what Apache sends. Runs where apache2 is installed; skips with the reason elsewhere."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import lint_tree
from real_servers import REQUESTS, Apache, apache_available, compare, serve_upstream


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
