"""File layer shared by the server sources (nginx, Apache): reads and parses each file once, finds include
targets inside the scanned tree (against the including folder, its ancestors, then by trailing path parts, then as a
template `x.conf.tpl`/`.template`/`.j2`) and records every failure as a ParseProblem (an include not found is CORS004).
Nothing outside the tree is read.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Callable, Generic, Iterable, Optional, Protocol, TypeVar

from corslint.lazy_regex import lazy
from corslint.model import Comment, Extraction, Location, ParseProblem
from corslint.sources.base import decode
from corslint.workspace import FileTooLarge, SourceFile, Workspace

GLOB_CHARS = lazy(r"[*?\[]")
# names a deployment renders into the include target (envsubst, Jinja, Helm/gomplate templates)
TEMPLATE_SUFFIXES = (".tpl", ".template", ".j2")
UNRESOLVED_INCLUDE = "CORS004"
_DECODE_LINE = lazy(r"at line (\d+)")


class Parsed(Protocol):
    path: str
    abs_path: Optional[Path]
    comments: list[Comment]


P = TypeVar("P", bound=Parsed)
N = TypeVar("N")  # an include directive of the source's parse tree


class IncludeFiles(Generic[P, N]):
    """Parses files on demand (once each) and turns an include argument into parsed files of the tree.

    A source says how to parse a file (`parse`), where its include directives are (`include_nodes`) and how one
    names its targets (`resolve`, usually through `open_include`); the cache, the include graph and every
    problem message are shared.
    """

    source: str = ""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self.parsed: dict[str, Optional[P]] = {}
        self.problems: list[ParseProblem] = []
        self.skipped: dict[str, str] = {}
        self._reported: set[tuple[str, int, str]] = set()
        # path answers reused across include directives (the workspace remembers real paths)
        self._folder_cache: dict[str, list[Path]] = {}
        self._opened: dict[Path, P] = {}
        self._targets: dict[int, list[P]] = {}

    def parse(self, path: str, text: str, abs_path: Optional[Path]) -> tuple[P, Iterable[tuple[Location, str]]]:
        """The parsed file and the syntax problems found in it."""
        raise NotImplementedError

    def include_nodes(self, parsed: P) -> Iterable[N]:
        """The include directives of a parsed file, in file order."""
        raise NotImplementedError

    def resolve(self, node: N) -> list[P]:
        """The parsed files an include directive names, its problems reported."""
        raise NotImplementedError

    def targets(self, node: N) -> list[P]:
        """The parsed files an include directive names (resolved once per directive)."""
        key = id(node)
        cached = self._targets.get(key)
        if cached is None:
            cached = self._targets[key] = self.resolve(node)
        return cached

    def include_graph(self, roots: list[P]) -> dict[str, list[str]]:
        """Every file reachable from `roots` through includes (parsing them), as path -> included paths."""
        graph: dict[str, list[str]] = {}
        queue = list(roots)
        while queue:
            parsed = queue.pop()
            if parsed.path in graph:
                continue
            edges: list[str] = []
            for node in self.include_nodes(parsed):
                for target in self.targets(node):
                    edges.append(target.path)
                    if target.path not in graph:
                        queue.append(target)
            graph[parsed.path] = edges
        return graph

    def open_include(
        self, including: Optional[P], arg: str, at: Location, label: str, *, report_missing: bool, optional: bool = False
    ) -> list[P]:
        """The parsed files `arg` names. A refused target, or a missing one when `report_missing`, is a problem at
        `at`, unless the include is `optional` (Apache's IncludeOptional)."""
        paths, refused = self.find(including, arg)
        if not paths:
            if optional:
                return []
            if refused:
                self.problem(at, f"{label}: {refused}")
            elif report_missing and not GLOB_CHARS.search(arg):
                self.problem(
                    at,
                    f"{label}: not found in the scanned tree; CORS headers it may set are not analysed",
                    UNRESOLVED_INCLUDE,
                )
            return []
        found = (self.open_target(at, label, path) for path in paths)
        return [parsed for parsed in found if parsed is not None]

    def problem(self, location: Location, message: str, code: str = "CORS001") -> None:
        key = (location.path, location.line, message)
        if key not in self._reported:
            self._reported.add(key)
            self.problems.append(ParseProblem(location, message, self.source, code))

    def load(self, source_file: SourceFile, data: Optional[bytes] = None) -> Optional[P]:
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
        parsed, problems = self.parse(path, text, source_file.abs_path)
        for location, message in problems:
            self.problem(location, message)
        self.parsed[path] = parsed
        return parsed

    def load_candidates(self, files: Iterable[SourceFile], worth: Callable[[bytes], bool]) -> list[P]:
        """Parse, in path order, the files the probe finds worth it (and binary ones, so they are reported)."""
        candidates = []
        for source_file in sorted(files, key=lambda f: f.path):
            try:
                data = source_file.read()
            except OSError as exc:
                self.problem(Location(source_file.path, 1, 1), f"cannot read file: {exc.strerror or exc}")
                continue
            if not worth(data) and b"\x00" not in data[:8192]:
                continue
            parsed = self.load(source_file, data)
            if parsed is not None:
                candidates.append(parsed)
        return candidates

    def report(self, extraction: Extraction, analysed: set[str]) -> None:
        """Hand the problems, skipped files, analysed files and their comments to the source's extraction."""
        extraction.problems.extend(self.problems)
        extraction.skipped.update(self.skipped)
        for path in sorted(analysed):
            parsed = self.parsed.get(path)
            if parsed is not None:
                extraction.files.add(path)
                extraction.comments.extend(parsed.comments)

    def open_target(self, at: Location, label: str, path: Path) -> Optional[P]:
        """Parse an include target; `label` (e.g. `include snippets/cors.conf`) prefixes problems reported at `at`."""
        opened = self._opened.get(path)
        if opened is not None:
            return opened
        try:
            source_file = self.workspace.open_file(path)
        except FileTooLarge as exc:
            self.skipped[self.workspace.display(path)] = str(exc)
            self.problem(at, f"{label}: {exc}")
            return None
        except OSError as exc:  # PermissionError (outside the tree) included
            self.problem(at, f"{label}: {exc}")
            return None
        parsed = self.load(source_file)
        if parsed is not None:
            self._opened[path] = parsed
        return parsed

    def find(self, including: Optional[P], arg: str) -> tuple[list[Path], str]:
        """Paths the include names, tried against the including folder and its ancestors, then by trailing parts;
        with none found, the reason a candidate was refused (outside the tree), if any."""
        folders = self._folders(including)
        refused = ""
        templated = () if GLOB_CHARS.search(arg) else TEMPLATE_SUFFIXES
        for extension in ("", *templated):  # `x.conf` absent: the template `x.conf.tpl` it is rendered from
            for suffix in suffixes(arg):
                for folder in folders:
                    candidate = folder / (suffix + extension)
                    if not self.workspace.inside(candidate.parent):
                        refused = refused or f"{folder / suffix} is outside the scanned tree; not read"
                        continue
                    matches = self._matches(folder, suffix + extension, including)
                    if matches:
                        return matches, ""
        return [], refused

    def _matches(self, folder: Path, suffix: str, including: Optional[P]) -> list[Path]:
        own: Optional[str] = None
        if including is not None and including.abs_path is not None:
            own = self.workspace.realpath(including.abs_path)
        if GLOB_CHARS.search(suffix):
            try:
                found = sorted(p for p in folder.glob(suffix.replace("**", "*")) if p.is_file())
            except (OSError, ValueError):
                return []
            return [p for p in found if self.workspace.realpath(p) != own]
        candidate = folder / suffix
        try:
            if candidate.is_file() and self.workspace.realpath(candidate) != own:
                return [candidate]
        except OSError:
            return []
        return []

    def _folders(self, including: Optional[P]) -> list[Path]:
        """The including file's folder and each ancestor up to the workspace root that holds it."""
        if including is None or including.abs_path is None:
            return list(self.workspace.roots)
        cached = self._folder_cache.get(including.path)
        if cached is not None:
            return cached
        folder = Path(self.workspace.realpath(including.abs_path)).parent
        folders = [folder]
        roots = self.workspace.roots
        while folder not in roots and folder.parent != folder and self.workspace.inside(folder.parent):
            folder = folder.parent
            folders.append(folder)
        self._folder_cache[including.path] = folders
        return folders


def suffixes(arg: str) -> list[str]:
    """The include path, then its shorter trailing parts (for absolute paths such as /etc/nginx/snippets/x.conf)."""
    parts = [p for p in PurePosixPath(arg.replace("\\", "/")).parts if p not in ("/", "")]
    if not parts:
        return []
    keep = 2 if GLOB_CHARS.search(parts[-1]) and len(parts) > 1 else 1
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
