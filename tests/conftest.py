"""Shared test helpers: lint a tree or a snippet through the real pipeline."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any, Optional

import pytest
from hypothesis import HealthCheck, settings

from corslint.config import Config, load_config
from corslint.engine import LintResult, lint
from corslint.registry import load

# No test may depend on how fast the machine is: Hypothesis's per-example deadline and its too-slow health check
# read the clock, so both are off for every test (speed is measured in bench/).
settings.register_profile("corslint", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("corslint")

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


def write_config(folder: Path, settings: dict[str, Any]) -> Path:
    """Write `settings` (kebab-case keys, str/bool/int/list/dict values) as corslint.toml."""
    lines = []
    tables = []
    for key, value in settings.items():
        if isinstance(value, dict):
            tables.append((key, value))
        else:
            lines.append(f"{key} = {json.dumps(value)}")
    for name, table in tables:
        lines.append(f"[{name}]")
        lines.extend(f"{json.dumps(k)} = {json.dumps(v)}" for k, v in table.items())
    path = folder / "corslint.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_tree(root: Path, files: dict[str, str]) -> None:
    """Write `files` (name -> text, dedented) under `root`."""
    import textwrap

    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")


def lint_tree(root: Path, settings: Optional[dict[str, Any]] = None, **kwargs: Any) -> LintResult:
    """Lint `root` with the given configuration, paths shown relative to `root`."""
    if settings:
        with tempfile.TemporaryDirectory() as folder:
            config = load_config(write_config(Path(folder), settings))
        config.base_dir = root
    else:
        config = Config()
    old = os.getcwd()
    os.chdir(root)
    try:
        return lint([Path(".")], config, load(), **kwargs)
    finally:
        os.chdir(old)


@pytest.fixture
def registry():
    return load()
