"""The fenced blocks of the README with the `<!-- readme: KIND … -->` marker written above each, for the tests
that run them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"
KINDS = ("run", "checked", "ci", "illustration", "needs")
_FENCE = re.compile(r"^```(\S*)\n(.*?)^```$", re.MULTILINE | re.DOTALL)
_MARKER = re.compile(r"<!-- readme: (\w+)(.*?)-->\s*$")


@dataclass(frozen=True)
class Block:
    kind: str  # one of KINDS, or "" when the block has no marker
    note: str
    lang: str
    text: str
    line: int


def blocks(text: str | None = None) -> list[Block]:
    source = README.read_text(encoding="utf-8") if text is None else text
    found = []
    for match in _FENCE.finditer(source):
        before = source[: match.start()].rstrip("\n").rsplit("\n", 1)[-1]
        marker = _MARKER.search(before)
        kind, note = (marker.group(1), marker.group(2).strip()) if marker else ("", "")
        line = source.count("\n", 0, match.start()) + 1
        found.append(Block(kind, note, match.group(1), match.group(2), line))
    return found


def commands(block: Block) -> list[str]:
    """The shell commands of a block, one per line, without trailing `# …` comments."""
    lines = []
    for raw in block.text.splitlines():
        command = re.sub(r"\s+#\s.*$", "", raw).strip()
        if command and not command.startswith("#"):
            lines.append(command)
    return lines


def the(kind: str, containing: str) -> Block:
    """The one block of `kind` whose text contains `containing`."""
    matches = [b for b in blocks() if b.kind == kind and containing in b.text]
    assert len(matches) == 1, f"expected one README block of kind {kind!r} containing {containing!r}, found {len(matches)}"
    return matches[0]
