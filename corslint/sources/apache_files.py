"""Apache source, file layer: reads and parses each file once and resolves `Include`/`IncludeOptional` inside the tree.

ServerRoot is usually unknown, so a relative or absolute include path is tried against the including file's folder
and its ancestors (then by its trailing parts); nothing outside the scanned tree is read.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath
from typing import Iterator, Optional

from corslint.model import Location, ParseProblem
from corslint.sources.apache_tree import SOURCE, Node, ParsedFile, parse_text
from corslint.sources.base import FileTooLarge, SourceFile, Workspace, decode

MAX_INCLUDE_DEPTH = 32
INCLUDES = frozenset({"include", "includeoptional"})
_GLOB_CHARS = re.compile(r"[*?\[]")
_DECODE_LINE = re.compile(r"at line (\d+)")
# files every distribution ships (module loading, ports); not finding them in the tree is expected
_DISTRIBUTION = re.compile(r"(?:^|/)(?:mods-enabled|mods-available|conf\.modules\.d|modules)/|(?:^|/)(?:ports|envvars|magic)(?:\.conf)?$")

Chain = tuple[str, ...]


class Loader:
    """Parses files on demand (once each) and resolves include directives to parsed files."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self.parsed: dict[str, Optional[ParsedFile]] = {}
        self.problems: list[ParseProblem] = []
        self.skipped: dict[str, str] = {}
        self._targets: dict[int, list[ParsedFile]] = {}
        self._reported: set[tuple[str, int, str]] = set()

    def problem(self, location: Location, message: str) -> None:
        key = (location.path, location.line, message)
        if key not in self._reported:
            self._reported.add(key)
            self.problems.append(ParseProblem(location, message, SOURCE))

    def load(self, source_file: SourceFile, data: Optional[bytes] = None) -> Optional[ParsedFile]:
        path = source_file.path
        if path in self.parsed:
            return self.parsed[path]
        self.parsed[path] = None
        try:
            raw = source_file.read() if data is None else data
        except OSError as exc:
            self.problem(Location(path, 1, 1), f"cannot read file: {exc.strerror or exc}")
            return None
        text, error = decode(raw)
        if error is not None:
            match = _DECODE_LINE.search(error)
            self.problem(Location(path, int(match.group(1)) if match else 1, 1), f"cannot decode file: {error}")
            return None
        parsed = parse_text(path, text, source_file.abs_path)
        for line, column, message in parsed.problems:
            self.problem(Location(path, line, column), message)
        self.parsed[path] = parsed
        return parsed

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
        paths, refused = self._find(node, arg)
        if not paths:
            if refused and not optional:
                self.problem(node.location(0), f"{node.name} {arg}: {refused}")
            elif not optional and not _GLOB_CHARS.search(arg) and not _DISTRIBUTION.search(arg.replace("\\", "/")):
                self.problem(
                    node.location(0),
                    f"{node.name} {arg}: not found in the scanned tree; CORS headers it may set are not analysed",
                )
            return []
        found = []
        for path in paths:
            parsed = self._open(node, arg, path)
            if parsed is not None:
                found.append(parsed)
        return found

    def _open(self, node: Node, arg: str, path: Path) -> Optional[ParsedFile]:
        try:
            source_file = self.workspace.open_file(path)
        except FileTooLarge as exc:
            self.skipped[self.workspace.display(path)] = str(exc)
            self.problem(node.location(0), f"{node.name} {arg}: {exc}")
            return None
        except OSError as exc:  # PermissionError (outside the tree) included
            self.problem(node.location(0), f"{node.name} {arg}: {exc}")
            return None
        return self.load(source_file)

    def _find(self, node: Node, arg: str) -> tuple[list[Path], str]:
        refused = ""
        for suffix in _suffixes(arg):
            for folder in self._folders(node.path):
                candidate = folder / suffix
                if not self.workspace.inside(candidate.parent):
                    refused = refused or f"{candidate} is outside the scanned tree; not read"
                    continue
                matches = self._matches(folder, suffix, node.path)
                if matches:
                    return matches, ""
        return [], refused

    def _matches(self, folder: Path, suffix: str, including: str) -> list[Path]:
        parsed = self.parsed.get(including)
        own = parsed.abs_path.resolve() if parsed is not None and parsed.abs_path is not None else None
        try:
            if _GLOB_CHARS.search(suffix):
                found = sorted(p for p in folder.glob(suffix) if p.is_file())
            else:
                found = [folder / suffix] if (folder / suffix).is_file() else []
        except (OSError, ValueError):
            return []
        return [p for p in found if p.resolve() != own]

    def _folders(self, including: str) -> list[Path]:
        parsed = self.parsed.get(including)
        if parsed is None or parsed.abs_path is None:
            return list(self.workspace.roots)
        folder = Path(parsed.abs_path).resolve().parent
        folders = [folder]
        while folder not in self.workspace.roots and folder.parent != folder and self.workspace.inside(folder.parent):
            folder = folder.parent
            folders.append(folder)
        return folders

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


def _suffixes(arg: str) -> list[str]:
    """The include path, then its shorter trailing parts (for absolute paths such as /etc/apache2/conf-enabled/*.conf)."""
    parts = [p for p in PurePosixPath(arg.replace("\\", "/")).parts if p not in ("/", "")]
    if not parts:
        return []
    keep = 2 if _GLOB_CHARS.search(parts[-1]) and len(parts) > 1 else 1
    return ["/".join(parts[index:]) for index in range(len(parts) - keep + 1)] or ["/".join(parts)]


def reachable(graph: dict[str, list[str]], start: str) -> set[str]:
    seen = {start}
    queue = [start]
    while queue:
        for target in graph.get(queue.pop(), ()):
            if target not in seen:
                seen.add(target)
                queue.append(target)
    return seen
