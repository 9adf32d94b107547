"""Project-level contracts: CI runs the README's test command, the catalogue ships in the package, the README lists every rule."""

from __future__ import annotations

import re
from pathlib import Path

import corslint
from corslint.catalogue import catalogue_dir, page_codes
from corslint.registry import load
from conftest import REPO


def _quickstart_commands() -> list[str]:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", section)


def test_quickstart_has_exactly_two_commands_and_ci_runs_the_test_one() -> None:
    commands = _quickstart_commands()
    assert len(commands) == 2
    assert "corslint fixtures/demo" in commands[0]
    assert "pytest" in commands[1]
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert commands[1] in ci


def test_catalogue_is_packaged_when_installed() -> None:
    package_dir = Path(corslint.__file__).resolve().parent
    folder = catalogue_dir()
    assert folder is not None
    if REPO not in package_dir.parents:
        assert folder == package_dir / "_catalogue"
    assert {rule.code for rule in load(plugins=False).rules} <= set(page_codes())


def test_readme_rule_table_lists_every_rule() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for rule in load(plugins=False).rules:
        assert re.search(rf"^\| \[{rule.code}\]\(rules/{rule.code}-{rule.name}\.md\) \| `{rule.name}` \|", readme, re.M), rule.code
