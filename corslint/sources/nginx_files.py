"""nginx source, file layer: reads and parses each file once, resolves `include` inside the scanned tree, expands includes.

Every failure (unreadable, undecodable, missing or refused include, include cycle) becomes a ParseProblem.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath
from typing import Iterator, Optional

from corslint.model import Location, ParseProblem
from corslint.sources.base import FileTooLarge, SourceFile, Workspace, decode
from corslint.sources.nginx_tree import SOURCE, Node, ParsedFile, parse_text

MAX_INCLUDE_DEPTH = 32
_GLOB_CHARS = re.compile(r"[*?\[]")
_DECODE_LINE = re.compile(r"at line (\d+)")
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


class Loader:
    """Parses files on demand (once each) and resolves include directives to parsed files."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self.parsed: dict[str, Optional[ParsedFile]] = {}
        self.problems: list[ParseProblem] = []
        self.skipped: dict[str, str] = {}
        self._targets: dict[int, list[ParsedFile]] = {}
        self._reported: set[tuple[str, int, str]] = set()
        self._cycles: set[int] = set()
        # path answers reused across include directives (each costs a realpath)
        self._inside: dict[Path, bool] = {}
        self._folder_cache: dict[str, list[Path]] = {}
        self._own: dict[str, Optional[Path]] = {}
        self._opened: dict[Path, ParsedFile] = {}

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
        for problem in parsed.problems:
            self.problem(problem.location, problem.message)
        self.parsed[path] = parsed
        return parsed

    def targets(self, node: Node) -> list[ParsedFile]:
        """The parsed files an include directive names (cached); problems are reported on the include line."""
        key = id(node)
        cached = self._targets.get(key)
        if cached is None:
            cached = self._resolve(node)
            self._targets[key] = cached
        return cached

    def _resolve(self, node: Node) -> list[ParsedFile]:
        if not node.args:
            self.problem(node.location(), "include without a file name")
            return []
        arg = node.args[0]
        paths, refused = self._find(node.file, arg)
        if not paths:
            if refused:
                self.problem(node.location(1), f"include {arg}: {refused}")
            elif not _GLOB_CHARS.search(arg) and not is_distribution_file(arg):
                self.problem(
                    node.location(1),
                    f"include {arg}: not found in the scanned tree; CORS headers it may set are not analysed",
                )
            return []
        found: list[ParsedFile] = []
        for path in paths:
            parsed = self._open(node, arg, path)
            if parsed is not None:
                found.append(parsed)
        return found

    def _open(self, node: Node, arg: str, path: Path) -> Optional[ParsedFile]:
        opened = self._opened.get(path)
        if opened is not None:
            return opened
        try:
            source_file = self.workspace.open_file(path)
        except FileTooLarge as exc:
            self.skipped[self.workspace.display(path)] = str(exc)
            self.problem(node.location(1), f"include {arg}: {exc}")
            return None
        except (PermissionError, OSError) as exc:
            self.problem(node.location(1), f"include {arg}: {exc}")
            return None
        parsed = self.load(source_file)
        if parsed is not None:
            self._opened[path] = parsed
        return parsed

    def _find(self, including: ParsedFile, arg: str) -> tuple[list[Path], str]:
        """Paths the include names, tried against the including folder and its ancestors, then by trailing parts."""
        folders = self._folders(including)
        refused = ""
        for suffix in _suffixes(arg):
            for folder in folders:
                candidate = folder / suffix
                if not self._is_inside(candidate.parent):
                    refused = refused or f"{candidate} is outside the scanned tree; not read"
                    continue
                matches = self._matches(folder, suffix, including)
                if matches:
                    return matches, ""
        return [], refused

    def _is_inside(self, folder: Path) -> bool:
        known = self._inside.get(folder)
        if known is None:
            known = self._inside[folder] = self.workspace.inside(folder)
        return known

    def _matches(self, folder: Path, suffix: str, including: ParsedFile) -> list[Path]:
        if including.path not in self._own:
            self._own[including.path] = including.abs_path.resolve() if including.abs_path is not None else None
        own = self._own[including.path]
        if _GLOB_CHARS.search(suffix):
            try:
                found = sorted(p for p in folder.glob(suffix.replace("**", "*")) if p.is_file())
            except (OSError, ValueError):
                return []
            return [p for p in found if p.resolve() != own]
        candidate = folder / suffix
        try:
            if candidate.is_file() and candidate.resolve() != own:
                return [candidate]
        except OSError:
            return []
        return []

    def _folders(self, including: ParsedFile) -> list[Path]:
        """The including file's folder and each ancestor up to the workspace root that holds it."""
        if including.abs_path is None:
            return list(self.workspace.roots)
        cached = self._folder_cache.get(including.path)
        if cached is not None:
            return cached
        folder = Path(including.abs_path).resolve().parent
        folders = [folder]
        roots = self.workspace.roots
        while folder not in roots and folder.parent != folder and self._is_inside(folder.parent):
            folder = folder.parent
            folders.append(folder)
        self._folder_cache[including.path] = folders
        return folders

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

    def include_graph(self, roots: list[ParsedFile]) -> dict[str, list[str]]:
        """Every file reachable from `roots` through includes (parsing them), as path -> included paths."""
        graph: dict[str, list[str]] = {}
        queue = list(roots)
        while queue:
            parsed = queue.pop()
            if parsed.path in graph:
                continue
            edges: list[str] = []
            for node in parsed.includes:
                for target in self.targets(node):
                    edges.append(target.path)
                    if target.path not in graph:
                        queue.append(target)
            graph[parsed.path] = edges
        return graph


def _suffixes(arg: str) -> list[str]:
    """The include path, then its shorter trailing parts (for absolute paths such as /etc/nginx/snippets/x.conf)."""
    path = PurePosixPath(arg.replace("\\", "/"))
    parts = [p for p in path.parts if p != "/"]
    if not parts:
        return []
    keep = 2 if _GLOB_CHARS.search(parts[-1]) else 1
    suffixes = ["/".join(parts[index:]) for index in range(len(parts) - keep + 1)]
    return suffixes or ["/".join(parts)]


def reachable(graph: dict[str, list[str]], start: str) -> set[str]:
    seen = {start}
    queue = [start]
    while queue:
        for target in graph.get(queue.pop(), ()):
            if target not in seen:
                seen.add(target)
                queue.append(target)
    return seen
