"""The interface every source implements, and the bounded, tree-confined file access sources use."""

from __future__ import annotations

import os
from pathlib import Path
from typing import ClassVar, Iterable, Optional

from corslint.model import Extraction

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


def decode(data: bytes) -> tuple[str, Optional[str]]:
    """Decode configuration bytes: BOM-aware UTF-8/UTF-16, else UTF-8. Returns (text, error)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), None
        except UnicodeDecodeError as exc:
            return "", f"invalid UTF-16: {exc.reason} at byte {exc.start}"
    if b"\x00" in data[:8192]:
        return "", "binary file (contains NUL bytes)"
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return "", f"invalid UTF-8 at line {line} (byte {exc.start}): {exc.reason}"


def probe_view(head: bytes) -> bytes:
    """The first bytes of a file as UTF-8 for content probes: UTF-16 (with a BOM) is transcoded, anything else kept."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head[: len(head) // 2 * 2].decode("utf-16", "replace").encode("utf-8")
    return head


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


class Source:
    """A kind of input. `claims` is a cheap decision on name and first bytes; `extract` parses."""

    name: ClassVar[str]
    # the `CorsPolicy.source` labels this kind of file yields (a JavaScript file yields express, koa, ...)
    produces: ClassVar[frozenset[str]] = frozenset()
    # catalogue example languages that exercise this source (```nginx bad, ```js good, ...)
    example_langs: ClassVar[tuple[str, ...]] = ()
    # False when `claims` decides on the name alone, so discovery need not open the file
    reads_head: ClassVar[bool] = True
    # a few lower-case byte strings: a file none of which appear in needs no parsing
    probe_words: ClassVar[tuple[bytes, ...]] = (b"access-control-",)
    comment_prefixes: ClassVar[tuple[str, ...]] = ("#",)

    def labels(self) -> frozenset[str]:
        return self.produces or frozenset({self.name})

    def may_claim(self, path: str) -> bool:
        """Name-only pre-filter, so discovery reads the first bytes of candidate files only."""
        return True

    def claims(self, path: str, head: bytes) -> bool:
        raise NotImplementedError

    def worth_parsing(self, data: bytes) -> bool:
        low = data.lower()
        return any(word in low for word in self.probe_words)

    def extract(self, files: list[SourceFile], workspace: Workspace) -> Extraction:
        raise NotImplementedError
