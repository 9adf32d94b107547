"""Apache source, file layer: reads and parses each file once and resolves `Include`/`IncludeOptional` inside the tree.

ServerRoot is usually unknown, so a relative or absolute include path is tried against the including file's folder
and its ancestors (then by its trailing parts); nothing outside the scanned tree is read.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterable, Iterator, Optional

from corslint.model import Location
from corslint.sources.apache_tree import SOURCE, Node, ParsedFile, parse_text
from corslint.sources.base import Workspace
from corslint.sources.include_files import GLOB_CHARS, IncludeFiles

MAX_INCLUDE_DEPTH = 32
INCLUDES = frozenset({"include", "includeoptional"})
# files every distribution ships (module loading, ports); not finding them in the tree is expected
_DISTRIBUTION = re.compile(r"(?:^|/)(?:mods-enabled|mods-available|conf\.modules\.d|modules)/|(?:^|/)(?:ports|envvars|magic)(?:\.conf)?$")

Chain = tuple[str, ...]


class Loader(IncludeFiles[ParsedFile]):
    """Parses files on demand (once each) and resolves include directives to parsed files."""

    source = SOURCE

    def __init__(self, workspace: Workspace) -> None:
        super().__init__(workspace)
        self._targets: dict[int, list[ParsedFile]] = {}

    def parse(self, path: str, text: str, abs_path: Optional[Path]) -> tuple[ParsedFile, Iterable[tuple[Location, str]]]:
        parsed = parse_text(path, text, abs_path)
        return parsed, [(Location(path, line, column), message) for line, column, message in parsed.problems]

    def targets(self, node: Node) -> list[ParsedFile]:
        """The parsed files an include directive names (cached); problems are reported on the include line."""
        key = id(node)
        if key not in self._targets:
            self._targets[key] = self._resolve(node)
        return self._targets[key]

    def _resolve(self, node: Node) -> list[ParsedFile]:
        if not node.args:
            self.problem(node.location(), f"{node.name} without a file name")
            return []
        arg = node.args[0].text
        optional = node.key == "includeoptional"
        paths, refused = self.find(self.parsed.get(node.path), arg)
        if not paths:
            if refused and not optional:
                self.problem(node.location(0), f"{node.name} {arg}: {refused}")
            elif not optional and not GLOB_CHARS.search(arg) and not _DISTRIBUTION.search(arg.replace("\\", "/")):
                self.problem(
                    node.location(0),
                    f"{node.name} {arg}: not found in the scanned tree; CORS headers it may set are not analysed",
                )
            return []
        found = (self.open_target(node.location(0), f"{node.name} {arg}", path) for path in paths)
        return [parsed for parsed in found if parsed is not None]

    def expand(self, nodes: list[Node], chain: Chain) -> Iterator[tuple[Node, Chain]]:
        """`nodes` with each include replaced by the included files' top-level nodes (cycles reported, not followed)."""
        for node in nodes:
            if node.key not in INCLUDES or node.children is not None:
                yield node, chain
                continue
            for target in self.targets(node):
                if target.path in chain:
                    cycle = " -> ".join((*chain[chain.index(target.path):], target.path))
                    self.problem(node.location(0), f"{node.name} {node.args[0].text}: include cycle ({cycle}); not followed")
                elif len(chain) >= MAX_INCLUDE_DEPTH:
                    self.problem(node.location(0), f"{node.name}: includes nested deeper than {MAX_INCLUDE_DEPTH}; not followed")
                else:
                    yield from self.expand(target.nodes, (*chain, target.path))

    def include_graph(self, roots: list[ParsedFile]) -> dict[str, list[str]]:
        """Every file reachable from `roots` through includes (at any depth of sections), as path -> included paths."""
        graph: dict[str, list[str]] = {}
        queue = list(roots)
        while queue:
            parsed = queue.pop()
            if parsed.path in graph:
                continue
            edges: list[str] = []
            for node in _includes(parsed.nodes):
                for target in self.targets(node):
                    edges.append(target.path)
                    queue.append(target)
            graph[parsed.path] = edges
        return graph


def _includes(nodes: list[Node]) -> Iterator[Node]:
    """The include directives in `nodes` and the sections below them, in file order, without recursion."""
    stack = [iter(nodes)]
    while stack:
        node = next(stack[-1], None)
        if node is None:
            stack.pop()
        elif node.children is not None:
            stack.append(iter(node.children))
        elif node.key in INCLUDES:
            yield node
