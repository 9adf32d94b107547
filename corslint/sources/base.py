"""The interface every source implements, and the byte-decoding and file-name helpers sources share.

`SourceFile` and `Workspace` live in `corslint.workspace`; they are re-exported here for plugins written against
earlier releases.
"""

from __future__ import annotations

from typing import ClassVar, Optional

from corslint.errors import describe
from corslint.model import Extraction, Location, ParseProblem
from corslint.workspace import DEFAULT_MAX_BYTES, FileTooLarge, SourceFile, Workspace

__all__ = [
    "DEFAULT_MAX_BYTES", "FileTooLarge", "Source", "SourceFile", "Workspace", "content_named", "decode", "internal_error",
    "probe_view",
]


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


def internal_error(path: str, product: str, source: str, exc: BaseException) -> ParseProblem:
    """The CORS001 of a file a source's own bug stopped, so one file's bug hides no other."""
    return ParseProblem(Location(path, 1, 1), f"internal error in the {product} source: {describe(exc)}", source)


def probe_view(head: bytes) -> bytes:
    """The first bytes of a file as UTF-8 for content probes: UTF-16 (with a BOM) is transcoded, anything else kept."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head[: len(head) // 2 * 2].decode("utf-16", "replace").encode("utf-8")
    return head


# names that hold server configuration only sometimes: claimed when the content is unmistakably the kind
_CONTENT_SUFFIXES = (".app", ".vhost", ".site", ".tpl", ".template", ".j2", ".inc")
_TOP_LEVEL_DOMAINS = frozenset(
    "com org net io dev app info biz co me us uk de fr nl eu ch at be es it pl se no dk fi ru cz jp cn in br au ca "
    "local localhost internal lan test example site online cloud tech xyz".split()
)


def content_named(lower: str) -> bool:
    """A name that may hold an nginx or Apache vhost: no extension (`default`), a host name (`api.example.com`), `.app`,
    `.vhost`, `.tpl`, `.template` and the like."""
    if lower.endswith(_CONTENT_SUFFIXES):
        return True
    stem, dot, last = lower.rpartition(".")
    if not dot:
        return not lower.startswith(("dockerfile", "makefile", "license", "readme", "changelog", "procfile"))
    # `api.example.de` has three labels; two are enough for the commonest endings (`example.com`)
    return (last in _TOP_LEVEL_DOMAINS and "." in stem) or (last in ("com", "org", "net", "io", "local") and bool(stem))


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
    # False for a source of facts other than CORS policies (deployment files): no rule judges its files directly
    states_policies: ClassVar[bool] = True

    def labels(self) -> frozenset[str]:
        return self.produces or frozenset({self.name})

    def may_claim(self, path: str) -> bool:
        """Name-only pre-filter, so discovery reads the first bytes of candidate files only."""
        return True

    def claims(self, path: str, head: bytes) -> bool:
        raise NotImplementedError

    def claims_content(self, head: bytes) -> bool:
        """Do the first bytes alone show this kind, whatever the name? (asked of files named on the command line)"""
        return False

    def worth_parsing(self, data: bytes) -> bool:
        low = data.lower()
        return any(word in low for word in self.probe_words)

    def extract(self, files: list[SourceFile], workspace: Workspace) -> Extraction:
        raise NotImplementedError
