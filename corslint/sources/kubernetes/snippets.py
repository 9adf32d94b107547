"""ingress-nginx snippets (`server-snippet`, `configuration-snippet`, or a Helm value the chart puts there) read by
the nginx source: the snippet text is laid out at the lines and columns it has in the manifest, inside the `server`
and `location` the controller pastes it into (the location proxies to the backend), so findings point into the YAML."""

from __future__ import annotations

from typing import NamedTuple

from corslint.model import Extraction
from corslint.records import replace
from corslint.workspace import Workspace

_PROXY = "proxy_pass http://upstream_balancer;"


class Snippet(NamedTuple):
    """Where a snippet stands: its kind ("server" or "location"), the 1-based line of its key, the 1-based line and
    column its text starts at, its text, and whether it is a block scalar (its lines are the file's own lines)."""

    kind: str
    key_line: int
    line: int
    column: int
    text: str
    block: bool
    raw_lines: tuple[str, ...]


def snippet_policies(path: str, snippets: list[Snippet], path_prefix: str, scope: str, workspace: Workspace) -> Extraction:
    """The nginx policies of an Ingress's snippets, each scope named after the Ingress and the snippet it comes from."""
    from corslint.sources.nginx.source import embedded_policies

    text = _layout(snippets, path_prefix)
    extraction = embedded_policies(path, text, workspace)
    kinds = " and ".join("server-snippet" if s.kind == "server" else "configuration-snippet" for s in snippets)
    extraction.policies = [replace(policy, scope=f"{scope} {kinds}") for policy in extraction.policies]
    extraction.comments = []  # the manifest's comments are read once, by the Kubernetes source
    return extraction


def _layout(snippets: list[Snippet], path_prefix: str) -> str:
    """The nginx text: each snippet at its own lines, the controller's `server {`, `location … {`, the proxying and the
    closing braces on lines the snippets leave free (the key's line, the line after the text)."""
    fragments: dict[int, list[tuple[int, str]]] = {}

    def put(line: int, column: int, text: str) -> None:
        fragments.setdefault(line, []).append((column, text))

    ordered = sorted(snippets, key=lambda s: s.line)
    location = f"location {path_prefix or '/'} {{"
    has_location = any(s.kind == "location" for s in ordered)
    for index, snippet in enumerate(ordered):
        opener = "server { " if index == 0 else ""
        if snippet.kind == "location":
            opener += location
        put(snippet.key_line, 1, opener)
        last = _place(snippet, put)
        closer = f"{_PROXY} }}" if snippet.kind == "location" else ""
        if index == len(ordered) - 1:
            if not has_location:
                closer += f" {location} {_PROXY} }}"
            closer += " }"
        put(last + 1, 1, closer)
    if not fragments:
        return ""
    lines = []
    for number in range(1, max(fragments) + 1):
        lines.append(_render(fragments.get(number, [])))
    return "\n".join(lines) + "\n"


def _place(snippet: Snippet, put) -> int:
    """Put the snippet's text at its place; the last line it takes."""
    if snippet.block:
        for offset, raw in enumerate(snippet.raw_lines):
            put(snippet.line + offset, 1, raw)
        return snippet.line + max(len(snippet.raw_lines) - 1, 0)
    parts = snippet.text.split("\n")
    for offset, part in enumerate(parts):
        put(snippet.line + offset, snippet.column if offset == 0 else 1, part)
    return snippet.line + len(parts) - 1


def _render(found: list[tuple[int, str]]) -> str:
    """One line from its fragments: each at its column when the line leaves room, else after the one before it."""
    line = ""
    for column, text in sorted(found, key=lambda item: item[0]):
        if not text:
            continue
        if len(line) < column - 1:
            line = line.ljust(column - 1)
        elif line and not line.endswith(" "):
            line += " "
        line += text
    return line
