"""Walks the paths to lint and decides which source claims each file, without leaving the tree or following symlinks out."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Sequence

from corslint.model import Location, ParseProblem
from corslint.sources.base import Source, SourceFile, Workspace

HEAD_BYTES = 4096
_DEV_TOKENS = {"dev", "development", "local", "localhost"}
_TOKEN_SPLIT = re.compile(r"[/._\-]+")


class PathNotFound(Exception):
    """A path given on the command line does not exist (a usage error)."""


@dataclass
class Discovered:
    """Files grouped by the source that claimed them, plus what was skipped and why."""

    by_source: dict[str, list[SourceFile]] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    problems: list[ParseProblem] = field(default_factory=list)
    scanned: int = 0


def is_development_path(display_path: str) -> bool:
    """A file whose path marks it as development configuration (`dev/`, `nginx.dev.conf`, `settings/local.py`)."""
    return any(token.lower() in _DEV_TOKENS for token in _TOKEN_SPLIT.split(display_path))


def _read_head(path: Path) -> bytes:
    with open(path, "rb") as handle:
        return handle.read(HEAD_BYTES)


def _walk(root: Path, excluded: Callable[[str], bool], workspace: Workspace, discovered: Discovered) -> Iterable[Path]:
    for folder, dirs, files in os.walk(root, followlinks=False, onerror=None):
        folder_path = Path(folder)
        kept = []
        for name in sorted(dirs):
            child = folder_path / name
            display = workspace.display(child, resolve=False)
            if excluded(display):
                continue
            if child.is_symlink():
                discovered.skipped[display] = "symlinked folder; not followed"
                continue
            kept.append(name)
        dirs[:] = kept
        for name in sorted(files):
            yield folder_path / name


def discover(
    paths: Sequence[Path],
    sources: Sequence[Source],
    workspace: Workspace,
    *,
    excluded: Callable[[str], bool],
    force_exclude: bool = False,
) -> Discovered:
    """Every file under `paths` that some source claims. Explicit file arguments bypass excludes unless `force_exclude`."""
    discovered = Discovered()
    for path in paths:
        if not os.path.lexists(path):
            raise PathNotFound(f"{path}: no such file or directory")
    for path in paths:
        if path.is_dir() and not path.is_symlink():
            candidates = _walk(path, excluded, workspace, discovered)
            explicit = False
        else:
            candidates = iter([path])
            explicit = True
        for candidate in candidates:
            _consider(candidate, sources, workspace, discovered, excluded, explicit and not force_exclude)
    return discovered


def _consider(
    path: Path,
    sources: Sequence[Source],
    workspace: Workspace,
    discovered: Discovered,
    excluded: Callable[[str], bool],
    explicit: bool,
) -> None:
    display = workspace.display(path, resolve=False)
    if not explicit and excluded(display):
        return
    interested = [s for s in sources if s.may_claim(display)]
    if not interested:
        return
    discovered.scanned += 1
    link = path.is_symlink()
    if link:
        target = Path(os.path.realpath(path))
        if not target.exists():
            discovered.skipped[display] = "broken or looping symlink; not followed"
            return
        if not workspace.inside(target):
            discovered.skipped[display] = "symlink to a file outside the scanned tree; not followed"
            return
        if workspace.known(workspace.display(target)) is not None:
            return
        path, display = target, workspace.display(target)
    if not path.is_file():
        discovered.skipped[display] = "not a regular file"
        return
    try:
        size = path.stat().st_size
        head = _read_head(path) if any(source.reads_head for source in interested) else b""
    except OSError as exc:
        discovered.problems.append(
            ParseProblem(Location(display, 1, 1), f"cannot read file: {exc.strerror or exc}", interested[0].name)
        )
        return
    for source in interested:
        if source.claims(display, head):
            if size > workspace.max_bytes:
                discovered.skipped[display] = (
                    f"{size} bytes, above the {workspace.max_bytes}-byte limit (max-file-size); not read"
                )
                return
            source_file = SourceFile(display, Path(os.path.realpath(path)))
            workspace.register(source_file)
            discovered.by_source.setdefault(source.name, []).append(source_file)
            return
