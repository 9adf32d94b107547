"""The shared real-world corpus: every file is linted without an internal error and accounted for, and the output
is the same bytes whatever the run, the order of the files or the number of processes."""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest
from click.testing import CliRunner

from corslint.cli import main
from corslint.registry import load
from conftest import REPO, lint_tree

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "real"

# kinds of corpus files no source reads yet: discovery reports each one as skipped, saying what it is
UNSUPPORTED = {
    "vercel/": "vercel.json",
    "netlify/": "`_headers` file",
    "other/": "IIS Web.config",
}


def _files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def _claimer(path: str, head: bytes) -> str:
    """The source that claims the file, asked in registry order as discovery does, or ""."""
    for source in load().sources:
        if source.may_claim(path) and source.claims(path, head):
            return source.name
    return ""


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared corpus (../shared/corpus/real) is not checked out")
def test_every_corpus_file_is_linted_and_accounted_for() -> None:
    result = lint_tree(CORPUS, {"select": ["ALL"]})
    assert [f for f in result.findings if "internal error" in f.message] == []
    parse_errors = {f.location.path for f in result.findings if f.code == "CORS001"}
    sources = {source.name: source for source in load().sources}
    fates: dict[str, str] = {}
    unclaimed = []
    for path in _files(CORPUS):
        data = (CORPUS / path).read_bytes()
        claimer = _claimer(path, data[:4096])
        assert result.files_claimed.get(path, "") == claimer, path
        if path in result.files_analysed:
            fates[path] = "analysed"
        elif path in result.skipped:
            fates[path] = "skipped: " + result.skipped[path]
        elif path in parse_errors:
            fates[path] = "CORS001"
        elif claimer and not sources[claimer].worth_parsing(data):
            fates[path] = f"claimed by {claimer}, no CORS content"
        elif not claimer:
            unclaimed.append(path)
        else:
            fates[path] = f"LOST: claimed by {claimer} but neither analysed, skipped nor reported"
    assert [path for path, fate in fates.items() if fate.startswith("LOST")] == []
    assert unclaimed == ["MANIFEST.tsv"]  # the corpus index itself
    unsupported = {path: reason for path, reason in result.skipped.items() if "no corslint source reads" in reason}
    assert unsupported == result.skipped
    for path, reason in unsupported.items():
        folder = path.split("/", 1)[0] + "/"
        assert UNSUPPORTED[folder] in reason, (path, reason)
    assert sorted({path.split("/", 1)[0] for path in unsupported}) == ["netlify", "other", "vercel"]
    assert all(fates[path] == "analysed" for path in fates if path.startswith("k8s/"))  # every Kubernetes/Helm file
    no_cors = sorted(path for path, fate in fates.items() if fate.endswith("no CORS content"))
    assert no_cors == [  # they set Timing-Allow-Origin only
        "apache/h5bp__server-configs-apache__h5bp__cross-origin__resource_timing.conf",
        "nginx/h5bp__server-configs-nginx__h5bp__cross-origin__resource_timing.conf",
    ]
    assert (len(result.files_analysed), len(result.skipped), len(unclaimed)) == (69, 7, 1)


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared corpus (../shared/corpus/real) is not checked out")
def test_corpus_parse_errors_are_about_the_input() -> None:
    """CORS001 only where nginx itself refuses the file (each checked with `nginx -t`); includes outside the corpus
    are CORS004 (info), one per target."""
    result = lint_tree(CORPUS, {"select": ["ALL"]})
    assert sorted((f.location.path, f.location.line, f.message) for f in result.findings if f.code == "CORS001") == [
        ("nginx/AkariTrading__nginx__cors.conf", line, 'invalid number of arguments in "proxy_pass_header" directive')
        for line in (1, 2, 3, 4)
    ] + [
        ("nginx/ajayyy__SponsorBlockServer__nginx__cors.conf", 11,
         'unexpected "*" (a quoted argument must be followed by a space, ";" or "{")'),
    ]
    unresolved = [f for f in result.findings if f.code == "CORS004"]
    assert unresolved and {f.severity.value for f in unresolved} == {"info"}
    assert {f.message.split(":", 1)[1].strip().split(";")[0] for f in unresolved} == {"not found in the scanned tree"}
    assert len({(f.location.path, f.message) for f in unresolved}) == len(unresolved)


# ------------------------------------------------------------------------------------------------ determinism


TREES = [REPO / "fixtures"] + ([CORPUS] if CORPUS.is_dir() else [])


def _run(root: Path, fmt: str, *args: str) -> str:
    old = os.getcwd()
    os.chdir(root)
    try:
        result = CliRunner().invoke(main, ["--isolated", "--select", "ALL", "--format", fmt, *args], catch_exceptions=False)
    finally:
        os.chdir(old)
    assert result.exit_code in (0, 1), result.output
    return result.output


@pytest.mark.parametrize("root", TREES, ids=lambda root: root.name)
@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_output_is_byte_identical_across_runs_and_processes(fmt: str, root: Path) -> None:
    first = _run(root, fmt, "--jobs", "1", ".")
    assert _run(root, fmt, "--jobs", "1", ".") == first
    assert _run(root, fmt, "--jobs", "2", ".") == first
    assert '"CORS' in first


@pytest.mark.parametrize("root", TREES, ids=lambda root: root.name)
@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_output_is_byte_identical_whatever_the_file_order(fmt: str, root: Path) -> None:
    files = _files(root)
    shuffled = list(files)
    random.Random(6).shuffle(shuffled)
    assert shuffled != files
    in_order = _run(root, fmt, *files)
    assert _run(root, fmt, *shuffled) == in_order
    assert _run(root, fmt, *reversed(files)) == in_order
    assert '"CORS' in in_order
