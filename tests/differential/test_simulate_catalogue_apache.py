"""`corslint simulate` against real Apache httpd 2.4 on every Apache example of the rule catalogue (bad and good):
an .htaccess example in a document root with `AllowOverride All`, a vhost example as the server's own configuration,
adapted only in deployment details (the port, TLS lines). An example Apache refuses as adapted is counted, not
compared."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import observed
from conftest import lint_tree
from real_servers import REQUESTS, apache_available, catalogue_examples, bypass_requests, compare, http_request, serve_apache, serve_upstream

from corslint.catalogue import page_codes
from corslint.records import replace

pytestmark = pytest.mark.skipif(apache_available() is not None, reason=apache_available() or "")

_INCLUDE = re.compile(r"^\s*Include(Optional)?\s", re.M | re.I)
_LOCATION = re.compile(r"<Location\s+\"?(/[^\s>\"]*)", re.I)


def example_requests(text: str) -> list:
    prefix = next(iter(_LOCATION.findall(text)), "/api/")
    path = prefix.rstrip("/") + "/items"
    requests = [replace(r, path=path if "missing" not in r.path else path + "-missing") for r in REQUESTS]
    return requests + [replace(REQUESTS[0], path="/fonts/icons.woff2"), replace(REQUESTS[2], path="/fonts/icons.woff2")]


@pytest.fixture(scope="module")
def upstream():  # type: ignore[no-untyped-def]
    yield from serve_upstream()


def test_every_apache_catalogue_example_that_apache_runs(tmp_path: Path, upstream: int) -> None:
    examples = catalogue_examples(("apache",))
    compared, refused, disagreements = [], [], []
    rows: dict[str, list[str]] = {}
    for code, index, filename, text in examples:
        if _INCLUDE.search(text):
            refused.append((code, index, "includes a file the example does not have"))
            continue
        folder = tmp_path / f"{code}-{index}"
        folder.mkdir()
        server = serve_apache(folder, {filename: text}, upstream)
        tree = folder / "tree"
        (tree / filename).parent.mkdir(parents=True, exist_ok=True)
        (tree / filename).write_text(text, encoding="utf-8")
        result = lint_tree(tree)
        if any(p.content == "upstream" for p in result.policies) and "ProxyPass" not in text:
            refused.append((code, index, "hands requests to a script (PHP) this harness does not run"))
            continue
        requests = example_requests(text)
        requests += bypass_requests(result.findings, requests[0].path)
        try:
            server.start()
        except RuntimeError as refusal:
            refused.append((code, index, str(refusal)[:200]))
            continue
        try:
            if http_request(server.port, "GET", requests[0].path, {})[0] == 500:
                refused.append((code, index, "Apache answers 500: a directive this build lacks"))
                continue
            responses = compare(result.policies, result.layers, server.port, f"{code} example {index}", requests)
            compared.append((code, index, responses))
            if observed.bad_label(code, index):
                rows.setdefault(code, []).extend(observed.observe(server.port, requests[0].path, observed.bad_label(code, index), "Apache httpd"))
        except AssertionError as failed:
            disagreements.append(f"{code} example {index}: {failed}")
        finally:
            server.stop()
    assert disagreements == [], "\n".join(disagreements)
    if observed.pages_available():
        assert observed.settle("apache", rows, page_codes()) == [], observed.STALE
    # all but a few run as adapted: CORS001's broken file, an include of a file the page does not show, the examples
    # that hand requests to PHP; and most requests to each get one prediction to compare
    assert len(compared) >= len(examples) - 6, refused
    assert sum(responses for _, _, responses in compared) >= 4 * len(compared), compared
