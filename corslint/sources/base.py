"""The interface every source implements, and the byte-decoding helpers sources share.

`SourceFile` and `Workspace` live in `corslint.workspace`; they are re-exported here for plugins written against
earlier releases.
"""

from __future__ import annotations

from typing import ClassVar, Optional

from corslint.model import Extraction
from corslint.workspace import DEFAULT_MAX_BYTES, FileTooLarge, SourceFile, Workspace

__all__ = ["DEFAULT_MAX_BYTES", "FileTooLarge", "Source", "SourceFile", "Workspace", "decode", "probe_view"]


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
