"""nginx source, file layer: reads and parses each file once, resolves `include` inside the scanned tree, expands includes.

Every failure (unreadable, undecodable, missing or refused include, include cycle) becomes a ParseProblem.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Iterable, Iterator, Optional

from corslint.model import Location
from corslint.workspace import Workspace
from corslint.sources.include_files import IncludeFiles
from corslint.sources.nginx.tree import SOURCE, Node, ParsedFile, parse_text

MAX_INCLUDE_DEPTH = 32
# files every distribution ships next to nginx.conf; an include of one that is not in the tree is expected
_DISTRIBUTION_FILES = frozenset(
    {
        "mime.types", "fastcgi_params", "fastcgi.conf", "proxy_params", "uwsgi_params", "scgi_params",
        "koi-utf", "koi-win", "win-utf", "options-ssl-nginx.conf",
    }
)
_DISTRIBUTION_SUFFIXES = ("snippets/fastcgi-php.conf", "snippets/snakeoil.conf")

Chain = tuple[str, ...]


def is_distribution_file(arg: str) -> bool:
    path = arg.replace("\\", "/")
    return (
        PurePosixPath(path).name in _DISTRIBUTION_FILES
        or "modules-enabled/" in path
        or path.endswith(_DISTRIBUTION_SUFFIXES)
    )


class Loader(IncludeFiles[ParsedFile, Node]):
    """Parses files on demand (once each) and resolves include directives to parsed files."""

    source = SOURCE

    def __init__(self, workspace: Workspace) -> None:
        super().__init__(workspace)
        self._cycles: set[int] = set()

    def parse(self, path: str, text: str, abs_path: Optional[Path]) -> tuple[ParsedFile, Iterable[tuple[Location, str]]]:
        parsed = parse_text(path, text, abs_path)
        return parsed, [(problem.location, problem.message) for problem in parsed.problems]

    def include_nodes(self, parsed: ParsedFile) -> list[Node]:
        return parsed.includes

    def resolve(self, node: Node) -> list[ParsedFile]:
        if not node.args:
            self.problem(node.location(), "include without a file name")
            return []
        arg = node.args[0]
        return self.open_include(node.file, arg, node.location(1), f"include {arg}", report_missing=not is_distribution_file(arg))

    def expand(self, nodes: list[Node], chain: Chain) -> Iterator[tuple[Node, Chain]]:
        """The nodes with every include replaced by the included files' top-level nodes, each with its include chain."""
        stack: list[tuple[Iterator[Node], Chain]] = [(iter(nodes), chain)]
        while stack:
            iterator, current = stack[-1]
            node = next(iterator, None)
            if node is None:
                stack.pop()
                continue
            if node.name != "include" or node.children is not None:
                yield node, current
                continue
            for target in reversed(self.targets(node)):
                if target.path in current:
                    if id(node) not in self._cycles:
                        self._cycles.add(id(node))
                        cycle = " -> ".join((*current[current.index(target.path) :], target.path))
                        self.problem(node.location(1), f"include {node.args[0]}: include cycle ({cycle}); not followed")
                elif len(current) >= MAX_INCLUDE_DEPTH:
                    self.problem(node.location(1), f"include {node.args[0]}: includes nested deeper than {MAX_INCLUDE_DEPTH}; not followed")
                else:
                    stack.append((iter(target.nodes), (*current, target.path)))

    def release(self) -> None:
        """Unlink every parsed tree from its file (each node refers to its file), so reference counting frees them."""
        for parsed in self.parsed.values():
            if parsed is not None:
                parsed.nodes = []
                parsed.includes = []
                parsed.maps = []
                parsed.sets = []
        self._targets.clear()
        self._opened.clear()
