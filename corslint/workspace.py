"""The scanned tree: real paths, display names and bounds, and the files it hands to sources.

Discovery, the engine and every source share one `Workspace`; nothing outside its roots is ever read.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable, Optional

DEFAULT_MAX_BYTES = 5 * 1024 * 1024


class FileTooLarge(Exception):
    pass


class SourceFile:
    """A file handed to a source. `path` is the display path (relative, POSIX); `data` is read lazily.

    The real path may be given as a string: discovery creates thousands of these and most are never opened,
    so the `Path` object is made on first use.
    """

    __slots__ = ("path", "_real", "_abs_path", "_data")

    def __init__(self, path: str, abs_path: "Optional[Path | str]", data: Optional[bytes] = None) -> None:
        self.path = path
        self._real = os.fspath(abs_path) if abs_path is not None else None
        self._abs_path = abs_path if isinstance(abs_path, Path) else None
        self._data = data

    @property
    def abs_path(self) -> Optional[Path]:
        if self._abs_path is None and self._real is not None:
            self._abs_path = Path(self._real)
        return self._abs_path

    def read(self) -> bytes:
        if self._data is None:
            assert self._real is not None
            with open(self._real, "rb") as handle:
                self._data = handle.read()
        return self._data

    def release(self) -> None:
        """Forget the bytes read so far (they are read again if needed); standard input has nothing to re-read."""
        if self._real is not None:
            self._data = None

    def __repr__(self) -> str:
        return f"SourceFile({self.path!r}, {self._real!r})"

    @staticmethod
    def from_bytes(path: str, data: bytes) -> "SourceFile":
        return SourceFile(path, None, data)


class Workspace:
    """Read access to the scanned tree that never leaves it and never reads past a size limit.

    Sources use it to follow includes: paths are resolved against the including file's
    folder and the tree roots; anything outside the roots or behind a symlink that leaves
    them is refused.
    """

    def __init__(self, roots: Iterable[Path], *, max_bytes: int = DEFAULT_MAX_BYTES, display_base: Optional[Path] = None):
        self.roots = [Path(os.path.realpath(r)) for r in roots]
        self.max_bytes = max_bytes
        self.display_base = Path(os.path.realpath(display_base or Path.cwd()))
        self._files: dict[str, SourceFile] = {}
        self._real: dict[str, str] = {}
        self._root_strings = [(str(root), os.path.join(str(root), "")) for root in self.roots]

    def register(self, source_file: SourceFile) -> None:
        self._files[source_file.path] = source_file

    def known(self, display_path: str) -> Optional[SourceFile]:
        return self._files.get(display_path)

    def realpath(self, path: "Path | str") -> str:
        """`os.path.realpath`, remembered: include resolution asks it of the same folders and files again and again.

        A file that is not a symlink resolves to its folder's real path plus its name, so it costs one `lstat`
        rather than one per path component.
        """
        key = os.fspath(path)
        real = self._real.get(key)
        if real is None:
            folder, _, name = key.rpartition(os.sep)
            if folder and name not in ("", ".", "..") and not os.path.islink(key):
                parent = self._real.get(folder)
                if parent is None:
                    parent = self._real[folder] = os.path.realpath(folder)
                real = os.path.join(parent, name)
            else:
                real = os.path.realpath(key)
            self._real[key] = real
        return real

    def inside(self, path: Path) -> bool:
        real = self.realpath(path)
        return any(real == root or real.startswith(prefix) for root, prefix in self._root_strings)

    def display(self, path: Path, *, resolve: bool = True) -> str:
        """The path as findings show it: relative to the display base when below it, else absolute."""
        full = Path(self.realpath(path) if resolve else os.path.abspath(path))
        try:
            return full.relative_to(self.display_base).as_posix()
        except ValueError:
            return full.as_posix()

    def open_file(self, path: Path) -> SourceFile:
        """A SourceFile for a path inside the tree; raises PermissionError/FileTooLarge/OSError."""
        if not self.inside(path):
            raise PermissionError(f"{path} is outside the scanned tree; not read")
        display = self.display(path)
        cached = self._files.get(display)
        if cached is not None:
            return cached
        real = Path(self.realpath(path))
        size = real.stat().st_size
        if size > self.max_bytes:
            raise FileTooLarge(f"{display} is {size} bytes, above the {self.max_bytes}-byte limit; skipped")
        source_file = SourceFile(display, real)
        self._files[display] = source_file
        return source_file
