"""The server sources unlink their parse trees when done, so reference counting frees them: a run leaves no
cyclic garbage for the collector (which the engine moves its live heap away from), and a library caller's
collector is left as it was."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from conftest import REPO
from corslint.config import Config
from corslint.engine import lint
from corslint.registry import load
from corslint.workspace import SourceFile, Workspace


def _source_files(folder: Path) -> list[SourceFile]:
    return [SourceFile(p.relative_to(folder).as_posix(), p.resolve()) for p in sorted(folder.rglob("*")) if p.is_file()]


@pytest.mark.parametrize("source", ["nginx", "apache"])
def test_extraction_leaves_no_cyclic_garbage(source: str) -> None:
    registry = load(plugins=False)
    extractor = registry.source(source)
    assert extractor is not None
    trees = sorted(p for p in (REPO / "fixtures" / source).iterdir() if p.is_dir())
    gc.collect()
    gc.disable()
    try:
        policies = 0
        for folder in trees:
            files = [f for f in _source_files(folder) if extractor.may_claim(f.path)]
            extraction = extractor.extract(files, Workspace([folder], display_base=folder))
            policies += len(extraction.policies)
            del extraction
        assert policies >= len(trees)  # the trees were really analysed
        assert gc.collect() == 0
    finally:
        gc.enable()


def test_lint_restores_the_collector(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO / "fixtures" / "nginx")
    before = gc.get_freeze_count()
    thresholds = gc.get_threshold()
    result = lint([Path(".")], Config(base_dir=REPO / "fixtures" / "nginx"), load(plugins=False), jobs=1)
    assert result.findings
    assert gc.get_freeze_count() == before == 0
    assert gc.get_threshold() == thresholds
    assert gc.isenabled()
