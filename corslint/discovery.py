"""Walks the paths to lint and decides which source claims each file, without leaving the tree or following symlinks out."""

from __future__ import annotations

import os
from operator import attrgetter
from pathlib import Path
from typing import Callable, Optional, Sequence

from corslint.lazy_regex import lazy
from corslint.model import Location, ParseProblem
from corslint.records import field, record
from corslint.sources.base import Source
from corslint.workspace import SourceFile, Workspace
from corslint.unsupported import may_be_unsupported, unclaimed_reason, unsupported_reason

HEAD_BYTES = 4096
_DEV_TOKENS = {"dev", "development", "local", "localhost"}
_TOKEN_SPLIT = lazy(r"[/._\-]+")
_NAME = attrgetter("name")
_DOCUMENT_ENDINGS = (".md", ".markdown", ".rst", ".txt", ".adoc", ".html", ".htm", ".pdf", ".po", ".pot")
KindOf = Callable[[str], Optional[str]]


def _no_kind(display: str) -> Optional[str]:
    return None


class PathNotFound(Exception):
    """A path given on the command line does not exist (a usage error)."""


@record
class Discovered:
    """Files grouped by the source that claimed them, plus what was skipped and why."""

    by_source: dict[str, list[SourceFile]] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    problems: list[ParseProblem] = field(default_factory=list)
    scanned: int = 0
    # bytes claimed per source, to share the work out between processes
    sizes: dict[str, int] = field(default_factory=dict)


def is_development_path(display_path: str) -> bool:
    """A file whose path marks it as development configuration (`dev/`, `nginx.dev.conf`, `settings/local.py`)."""
    return any(token.lower() in _DEV_TOKENS for token in _TOKEN_SPLIT.split(display_path))


def _read_head(path: "str | Path") -> bytes:
    with open(path, "rb") as handle:
        return handle.read(HEAD_BYTES)


def _child(folder: str, name: str) -> str:
    if folder == ".":
        return name
    return folder + name if folder.endswith("/") else f"{folder}/{name}"


class _Walker:
    """Walks folders with `os.scandir`, building display and real paths as strings, one folder at a time.

    A folder reached through the walk is never a symlink, so a regular file's real path is its folder's real
    path plus its name: no `realpath` per file. Order is os.walk's top-down order with sorted names.
    """

    def __init__(
        self, sources: Sequence[Source], workspace: Workspace, discovered: Discovered, excluded: Callable[[str], bool],
        kind_of: KindOf = _no_kind,
    ) -> None:
        self.sources = sources
        self.kind_of = kind_of
        self.workspace = workspace
        self.discovered = discovered
        self.excluded = excluded
        self.head_readers = frozenset(source.name for source in sources if source.reads_head)
        self.may_claim = [source.may_claim for source in sources]

    def walk(self, root: Path) -> None:
        stack = [(self.workspace.display(root, resolve=False), os.path.realpath(root))]
        while stack:
            display, real = stack.pop()
            stack.extend(reversed(self._folder(display, real)))

    def _folder(self, display: str, real: str) -> list[tuple[str, str]]:
        try:
            with os.scandir(real) as listing:
                entries = sorted(listing, key=_NAME)
        except OSError:
            return []
        folders, files = [], []
        for entry in entries:
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            (folders if is_dir else files).append(entry)
        kept = []
        for entry in folders:
            child = _child(display, entry.name)
            if self.excluded(child):
                continue
            if entry.is_symlink():
                self.discovered.skipped[child] = "symlinked folder; not followed"
                continue
            kept.append((child, os.path.join(real, entry.name)))
        for entry in files:
            self._file(entry, _child(display, entry.name))
        return kept

    def _file(self, entry: os.DirEntry, display: str) -> None:
        forced = _forced(self.sources, self.kind_of(display))
        interested = forced or [source for source, may_claim in zip(self.sources, self.may_claim) if may_claim(display)]
        if not interested:
            if may_be_unsupported(entry.name) and not self.excluded(display) and entry.is_file(follow_symlinks=False):
                _note_unsupported(entry.path, display, self.discovered)
            return
        if self.excluded(display):
            return
        self.discovered.scanned += 1
        if entry.is_symlink():
            _consider_link(Path(entry.path), display, interested, self.workspace, self.discovered)
            return
        try:
            regular = entry.is_file(follow_symlinks=False)
        except OSError:
            regular = False
        if not regular:
            self.discovered.skipped[display] = "not a regular file"
            return
        try:
            size = entry.stat(follow_symlinks=False).st_size
            head = _read_head(entry.path) if forced or any(source.name in self.head_readers for source in interested) else b""
        except OSError as exc:
            _unreadable(display, exc, interested, self.discovered)
            return
        _claim(display, entry.path, size, head, interested, self.workspace, self.discovered, bool(forced))


def discover(
    paths: Sequence[Path],
    sources: Sequence[Source],
    workspace: Workspace,
    *,
    excluded: Callable[[str], bool],
    force_exclude: bool = False,
    kind_of: KindOf = _no_kind,
) -> Discovered:
    """Every file under `paths` that some source claims. Explicit file arguments bypass excludes unless `force_exclude`
    and are read by content when their name says nothing; `kind_of` (the `file-kinds` setting) overrides both."""
    discovered = Discovered()
    for path in paths:
        if not os.path.lexists(path):
            raise PathNotFound(f"{path}: no such file or directory")
    walker = _Walker(sources, workspace, discovered, excluded, kind_of)
    for path in paths:
        if path.is_dir() and not path.is_symlink():
            walker.walk(path)
        else:
            _consider(path, sources, workspace, discovered, excluded, not force_exclude, kind_of)
    return discovered


def _forced(sources: Sequence[Source], kind: Optional[str]) -> list[Source]:
    return [source for source in sources if source.name == kind] if kind else []


def _consider(
    path: Path,
    sources: Sequence[Source],
    workspace: Workspace,
    discovered: Discovered,
    excluded: Callable[[str], bool],
    explicit: bool,
    kind_of: KindOf = _no_kind,
) -> None:
    """A file named on the command line (or reached through a symlink): the careful, path-object way."""
    display = workspace.display(path, resolve=False)
    if not explicit and excluded(display):
        return
    forced = _forced(sources, kind_of(display))
    interested = forced or [s for s in sources if s.may_claim(display)]
    decided = bool(forced)
    if not interested and explicit and path.is_file() and not path.is_symlink() and not may_be_unsupported(path.name):
        head = _safe_head(path)
        interested = [source for source in sources if source.claims_content(head)][:1]  # named: its content decides
        decided = True
        if not interested:
            _note_unclaimed(display, str(path), head, discovered, named=True)
            return
    if not interested:
        if may_be_unsupported(path.name) and path.is_file() and not path.is_symlink():
            _note_unsupported(str(path), display, discovered)
        return
    discovered.scanned += 1
    if path.is_symlink():
        _consider_link(path, display, interested, workspace, discovered, decided)
        return
    _consider_regular(path, display, interested, workspace, discovered, decided, named=sources if explicit else ())


def _safe_head(path: Path) -> bytes:
    try:
        return _read_head(path)
    except OSError:
        return b""


def _note_unclaimed(display: str, real: str, head: bytes, discovered: Discovered, *, named: bool = False) -> None:
    """A file a source looked at but none claimed is reported when it holds CORS headers (or was named explicitly)."""
    if may_be_unsupported(display.rpartition("/")[2]):
        _note_unsupported(real, display, discovered)
        return
    if display.lower().endswith(_DOCUMENT_ENDINGS):
        return
    reason = unclaimed_reason(head, named)
    if reason is not None:
        discovered.skipped[display] = reason


def _note_unsupported(path: str, display: str, discovered: Discovered) -> None:
    """A file no source reads that holds CORS settings is reported as skipped, with what it is."""

    def read(size: int) -> bytes:
        with open(path, "rb") as handle:
            return handle.read(size)

    try:
        reason = unsupported_reason(display.rpartition("/")[2], read)
    except OSError:
        return
    if reason is not None:
        discovered.skipped[display] = reason


def _consider_link(
    path: Path, display: str, interested: list[Source], workspace: Workspace, discovered: Discovered, decided: bool = False
) -> None:
    target = Path(os.path.realpath(path))
    if not target.exists():
        discovered.skipped[display] = "broken or looping symlink; not followed"
        return
    if not workspace.inside(target):
        discovered.skipped[display] = "symlink to a file outside the scanned tree; not followed"
        return
    if workspace.known(workspace.display(target)) is not None:
        return
    _consider_regular(target, workspace.display(target), interested, workspace, discovered, decided)


def _consider_regular(
    path: Path, display: str, interested: list[Source], workspace: Workspace, discovered: Discovered,
    decided: bool = False, *, named: Sequence[Source] = (),
) -> None:
    if not path.is_file():
        discovered.skipped[display] = "not a regular file"
        return
    try:
        size = path.stat().st_size
        head = _read_head(path)
    except OSError as exc:
        _unreadable(display, exc, interested, discovered)
        return
    _claim(display, os.path.realpath(path), size, head, interested, workspace, discovered, decided, named=named)


def _unreadable(display: str, exc: OSError, interested: list[Source], discovered: Discovered) -> None:
    discovered.problems.append(ParseProblem(Location(display, 1, 1), f"cannot read file: {exc.strerror or exc}", interested[0].name))


def _claim(
    display: str, real: str, size: int, head: bytes, interested: list[Source], workspace: Workspace,
    discovered: Discovered, decided: bool = False, *, named: Sequence[Source] = (),
) -> None:
    """The first interested source that claims the file gets it (the first one outright when `decided`); a file
    named on the command line that none claims by name goes to the first of `named` that its content shows."""
    claimer = interested[0] if decided else next((s for s in interested if s.claims(display, head)), None)
    if claimer is None:
        claimer = next((s for s in named if s.claims_content(head)), None)
    if claimer is None:
        _note_unclaimed(display, real, head, discovered, named=bool(named))
        return
    if size > workspace.max_bytes:
        discovered.skipped[display] = f"{size} bytes, above the {workspace.max_bytes}-byte limit (max-file-size); not read"
        return
    # a file no longer than its head has been read whole already: the source need not open it again
    source_file = SourceFile(display, real, head if size == len(head) and size < HEAD_BYTES else None)
    workspace.register(source_file)
    discovered.by_source.setdefault(claimer.name, []).append(source_file)
    discovered.sizes[claimer.name] = discovered.sizes.get(claimer.name, 0) + size
