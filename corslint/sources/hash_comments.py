"""`#` comments of YAML and TOML files, for suppression directives: where each starts and which line it covers."""

from __future__ import annotations

from corslint.model import Comment


def hash_comments(path: str, lines: list[str], source: str) -> list[Comment]:
    """`#` comments that start a line or follow a space (a `#` inside a word or a URL is text), each covering the next
    line with content when it stands alone, else its own line."""
    found = []
    for number, line in enumerate(lines, start=1):
        position = _comment_start(line)
        if position < 0:
            continue
        own_line = not line[:position].strip()
        target = _next_content(lines, number) if own_line else number
        found.append(Comment(path, number, position + 1, line[position + 1:].strip(), own_line, (target, target), source))
    return found


def _comment_start(line: str) -> int:
    position = line.find("#")
    while position >= 0:
        if (position == 0 or line[position - 1] in " \t") and _outside_quotes(line[:position]):
            return position
        position = line.find("#", position + 1)
    return -1


def _outside_quotes(before: str) -> bool:
    return before.count('"') % 2 == 0 and before.count("'") % 2 == 0


def _next_content(lines: list[str], number: int) -> int:
    for following in range(number, min(len(lines), number + 50)):
        stripped = lines[following].strip()
        if stripped and not stripped.startswith("#"):
            return following + 1
    return number + 1

