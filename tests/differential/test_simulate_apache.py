"""`corslint simulate` against real Apache httpd 2.4 in front of a local upstream: every predicted CORS header and
value must be what Apache sends. Runs where apache2 is installed; skips with the reason elsewhere."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import lint_tree
from real_servers import CORS_NAMES, REQUESTS, Apache, apache_available, serve_upstream

from corslint.simulate.run import simulate

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


def _cors(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return sorted((name.lower(), value) for name, value in headers if name.lower() in CORS_NAMES)


@pytest.mark.parametrize("case", sorted(CASES))
def test_simulate_predicts_what_apache_sends(case: str, tmp_path: Path, upstream: int) -> None:
    server = Apache(tmp_path, CASES[case], upstream)
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "httpd.conf").write_text(server.config_text, encoding="utf-8")
    result = lint_tree(tree)
    server.start()
    compared = 0
    try:
        for request in REQUESTS:
            (outcome,) = simulate(result.policies, result.layers, request)
            status, got = server.request(request.method, request.path, {"Origin": request.origin})
            expected = outcome.error_response if status >= 400 else outcome.response
            if expected.unknown:
                continue
            predicted = sorted((h.name.lower(), h.value) for h in expected.headers if h.name.lower() in CORS_NAMES)
            assert _cors(got) == predicted, (case, request, status)
            compared += 1
    finally:
        server.stop()
    assert compared >= len(REQUESTS) - 1
