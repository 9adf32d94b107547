"""`corslint simulate` against real nginx on every nginx example of the rule catalogue (bad and good), adapted only
in deployment details: the listen address, the upstream address, TLS files. An example nginx refuses as adapted
(an include of a file it lacks, a module this nginx does not have) is counted, not compared."""

from __future__ import annotations

from pathlib import Path

import pytest

import observed
from conftest import lint_tree
from real_servers import (
    Nginx, catalogue_examples, adapt_nginx, at_path, bypass_requests, compare, nginx_available, request_path, served_config, servers_in,
    serve_upstream,
)

from corslint.catalogue import page_codes

pytestmark = pytest.mark.skipif(nginx_available() is not None, reason=nginx_available() or "")


@pytest.fixture(scope="module")
def upstream():  # type: ignore[no-untyped-def]
    yield from serve_upstream()


def test_every_nginx_catalogue_example_that_nginx_loads(tmp_path: Path, upstream: int) -> None:
    examples = catalogue_examples(("nginx",))
    compared, refused, disagreements = [], [], []
    rows: dict[str, list[str]] = {}
    for code, index, _, text in examples:
        if servers_in(text) != 1:
            refused.append((code, index, "more than one server"))
            continue
        folder = tmp_path / f"{code}-{index}"
        folder.mkdir()
        server = Nginx(folder, adapt_nginx(text), upstream)
        if not server.loads():
            refused.append((code, index, "nginx -t refuses it as adapted"))
            continue
        result = lint_tree(served_config(server))
        path = request_path(text)
        requests = at_path(path) + bypass_requests(result.findings, path)
        server.add_file(path)
        server.start()
        try:
            compare(result.policies, result.layers, server.port, f"{code} example {index}", requests)
            if observed.bad_label(code, index):
                rows.setdefault(code, []).extend(observed.observe(server.port, path, observed.bad_label(code, index), "nginx"))
        except AssertionError as failed:
            disagreements.append(f"{code} example {index}: {failed}")
        finally:
            server.stop()
        compared.append((code, index))
    assert disagreements == []
    if observed.pages_available():
        assert observed.settle("nginx", rows, page_codes()) == [], observed.STALE
    # all but a few load as adapted: CORS001's broken file, CORS004's missing include, the examples with two servers
    assert len(compared) >= len(examples) - 6, refused
