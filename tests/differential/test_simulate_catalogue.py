"""`corslint simulate` against real nginx on every nginx example of the rule catalogue (bad and good), adapted only
in deployment details: the listen address, the upstream address, TLS files. An example nginx refuses as adapted
(an include of a file it lacks, a module this nginx does not have) is counted, not compared."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from conftest import lint_tree
from real_servers import REQUESTS, Nginx, compare, nginx_available, serve_upstream

from corslint.catalogue import load_page, page_codes
from corslint.records import replace

pytestmark = pytest.mark.skipif(nginx_available() is not None, reason=nginx_available() or "")

_LISTEN = re.compile(r"^\s*listen\s[^;]*;\s*$", re.M)
_TLS = re.compile(r"^\s*ssl_\w+\s[^;]*;\s*$", re.M)
_PASS = re.compile(r"proxy_pass\s+https?://[^/;\s]+")
_SERVER = re.compile(r"^(\s*)server\s*\{", re.M)
_PREFIX = re.compile(r"^\s*location\s+(?:\^~\s+)?(/[^\s{]*)\s*\{", re.M)


def _examples() -> list[tuple[str, int, str]]:
    found = []
    for code in page_codes():
        page = load_page(code)
        for index, example in enumerate(page.examples if page else []):
            if example.lang == "nginx" and not example.companions:
                found.append((code, index, example.code))
    return found


def _adapt(text: str) -> str:
    text = _TLS.sub("", _LISTEN.sub("", text))
    text = _PASS.sub("proxy_pass http://{UPSTREAM}", text)
    return _SERVER.sub(lambda m: f"{m.group(1)}server {{\n{m.group(1)}    listen 127.0.0.1:{{PORT}};", text, count=1)


def _loads(server: Nginx) -> bool:
    done = subprocess.run([server.binary, "-t", "-p", str(server.folder), "-c", str(server.folder / "nginx.conf")],
                          capture_output=True, text=True, timeout=30)
    return done.returncode == 0


@pytest.fixture(scope="module")
def upstream():  # type: ignore[no-untyped-def]
    yield from serve_upstream()


def test_every_nginx_catalogue_example_that_nginx_loads(tmp_path: Path, upstream: int) -> None:
    examples = _examples()
    compared, refused, disagreements = [], [], []
    for code, index, text in examples:
        if len(_SERVER.findall(text)) != 1:
            refused.append((code, index, "more than one server"))
            continue
        folder = tmp_path / f"{code}-{index}"
        folder.mkdir()
        server = Nginx(folder, _adapt(text), upstream)
        if not _loads(server):
            refused.append((code, index, "nginx -t refuses it as adapted"))
            continue
        tree = folder / "tree"
        tree.mkdir()
        (tree / "nginx.conf").write_text((folder / "nginx.conf").read_text(encoding="utf-8"), encoding="utf-8")
        result = lint_tree(tree)
        prefix = next(iter(_PREFIX.findall(text)), "/")
        path = prefix.rstrip("/") + "/items" if prefix != "/" else "/items"
        requests = [replace(r, path=path if "missing" not in r.path else path + "-missing") for r in REQUESTS]
        server.start()
        try:
            compare(result.policies, result.layers, server.port, f"{code} example {index}", requests)
        except AssertionError as failed:
            disagreements.append(f"{code} example {index}: {failed}")
        finally:
            server.stop()
        compared.append((code, index))
    assert disagreements == []
    # all but a few load as adapted: CORS001's broken file, CORS004's missing include, the examples with two servers
    assert len(compared) >= len(examples) - 6, refused
