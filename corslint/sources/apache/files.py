"""Apache source, file layer: reads and parses each file once and resolves `Include`/`IncludeOptional` inside the tree.

ServerRoot is usually unknown, so a relative or absolute include path is tried against the including file's folder
and its ancestors (then by its trailing parts); nothing outside the scanned tree is read.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, Iterator, Optional

from corslint.lazy_regex import lazy
from corslint.model import Location
from corslint.sources.apache.tree import SOURCE, Node, ParsedFile, parse_text
from corslint.sources.include_files import IncludeFiles

MAX_INCLUDE_DEPTH = 32
INCLUDES = frozenset({"include", "includeoptional"})
# files every distribution ships (module loading, ports); not finding them in the tree is expected
_DISTRIBUTION = lazy(r"(?:^|/)(?:mods-enabled|mods-available|conf\.modules\.d|modules)/|(?:^|/)(?:ports|envvars|magic)(?:\.conf)?$")

Chain = tuple[str, ...]


class Loader(IncludeFiles[ParsedFile, Node]):
    """Parses files on demand (once each) and resolves include directives to parsed files."""

    source = SOURCE

    def parse(self, path: str, text: str, abs_path: Optional[Path]) -> tuple[ParsedFile, Iterable[tuple[Location, str]]]:
        parsed = parse_text(path, text, abs_path)
        return parsed, [(Location(path, line, column), message) for line, column, message in parsed.problems]

    def include_nodes(self, parsed: ParsedFile) -> Iterator[Node]:
        return _includes(parsed.nodes)

    def resolve(self, node: Node) -> list[ParsedFile]:
        if not node.args:
            self.problem(node.location(), f"{node.name} without a file name")
            return []
        arg = node.args[0].text
        return self.open_include(
            self.parsed.get(node.path),
            arg,
            node.location(0),
            f"{node.name} {arg}",
            report_missing=_DISTRIBUTION.search(arg.replace("\\", "/")) is None,
            optional=node.key == "includeoptional",
        )

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
