"""The README's "Why is my request blocked?" examples print what the README shows."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from corslint.cli import main

REPO = Path(__file__).resolve().parents[2]


def _examples() -> list[tuple[str, str]]:
    section = (REPO / "README.md").read_text(encoding="utf-8").split("## Why is my request blocked?", 1)[1].split("\n## ", 1)[0]
    commands = [block.split("\n```", 1)[0] for block in section.split("```sh\n")[1:]]
    shown = [block.split("\n```", 1)[0] for block in section.split("```text\n")[1:]]
    return list(zip(commands, shown))


def test_the_section_has_three_worked_examples() -> None:
    assert len(_examples()) == 3


@pytest.mark.parametrize("command,shown", _examples())
def test_each_example_prints_what_the_readme_shows(command: str, shown: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    words = shlex.split(command)
    assert words[:2] == ["corslint", "simulate"]
    result = CliRunner().invoke(main, [*words[1:], "--isolated"])
    assert result.exit_code == 1
    assert shown in result.output
    if "--explain-console" in words:
        assert "The pasted message is the failure predicted above" in result.output
