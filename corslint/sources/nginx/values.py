"""nginx source, value layer: nginx values and variables, `map` blocks, and where variables are defined.

Shared by the request-flow layer; no evaluation happens here beyond nginx's own map lookup.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterable, NamedTuple, Optional, Union

from corslint.lazy_regex import lazy
from corslint.model import MatchMode, OriginKind, OriginRule, Provenance, Related
from corslint.records import record
from corslint.sources.nginx.files import Loader
from corslint.sources.nginx.tree import Node, ParsedFile

ORIGIN = "http_origin"
_VAR = lazy(r"\$(?:\{(\w+)\}|(\w+))")


class Var(NamedTuple):
    """A variable reference inside a value (name lower-cased: nginx variable names are case-insensitive)."""

    name: str


Value = tuple[Union[str, Var], ...]
ORIGIN_VALUE: Value = (Var(ORIGIN),)


def parse_value(text: str) -> Value:
    """Split an nginx value into literal text and variable references."""
    parts: list[Union[str, Var]] = []
    position = 0
    for match in _VAR.finditer(text):
        if match.start() > position:
            parts.append(text[position : match.start()])
        parts.append(Var((match.group(1) or match.group(2)).lower()))
        position = match.end()
    if position < len(text):
        parts.append(text[position:])
    return tuple(parts)


def literal(value: Value) -> Optional[str]:
    if all(isinstance(part, str) for part in value):
        return "".join(value)  # type: ignore[arg-type]
    return None


def variable_name(token: str) -> str:
    return token.lstrip("$").strip("{}").lower()


def show(value: Value) -> str:
    return "".join(part if isinstance(part, str) else f"${part.name}" for part in value)


@lru_cache(maxsize=2048)
def compile_regex(pattern: str, ignore_case: bool) -> Optional[re.Pattern[str]]:
    try:
        return re.compile(pattern, re.IGNORECASE if ignore_case else 0)
    except (re.error, RecursionError, OverflowError):
        return None


class MapEntry(NamedTuple):
    """One `map` line: key kind (string, regex, glob, default), pattern and value."""

    node: Node
    kind: str
    key: str
    pattern: str
    ignore_case: bool
    value: Value


@record
class MapInfo:
    """A parsed `map` block: its source value, entries in file order and its default entry."""

    node: Node
    source: Value
    entries: list[MapEntry]
    default: Optional[MapEntry]

    @property
    def context(self) -> str:
        return " ".join(["map", *self.node.args[:2]])

    def all_entries(self) -> list[MapEntry]:
        return self.entries + ([self.default] if self.default is not None else [])

    def lookup(self, text: str) -> Optional[MapEntry]:
        """nginx's choice for a concrete key: string keys (case-insensitively), then regexes in order, then default."""
        low = text.lower()
        for entry in self.entries:
            if entry.kind == "string" and entry.key.lower() == low:
                return entry
        for entry in self.entries:
            if entry.kind == "regex":
                compiled = compile_regex(entry.pattern, entry.ignore_case)
                if compiled is not None and compiled.search(text):
                    return entry
        return self.default


def parse_map(node: Node, loader: Loader) -> Optional[MapInfo]:
    """Read a `map` block (following includes inside it); `~`/`~*` keys are regexes, `hostnames` makes globs."""
    if len(node.args) < 2 or node.children is None or id(node) in node.file.broken:
        return None  # a map nginx refuses (CORS001) decides nothing corslint could know
    entries: list[MapEntry] = []
    default: Optional[MapEntry] = None
    hostnames = False
    for child, _ in loader.expand(node.children, (node.file.path,)):
        key = child.name
        if not child.args:
            hostnames = hostnames or key == "hostnames"
            continue
        value = parse_value(child.args[0])
        if key == "default":
            default = MapEntry(child, "default", key, "", False, value)
        elif key.startswith("~*"):
            entries.append(MapEntry(child, "regex", key, key[2:], True, value))
        elif key.startswith("~"):
            entries.append(MapEntry(child, "regex", key, key[1:], False, value))
        else:
            plain = key[1:] if key.startswith("\\") else key
            glob = hostnames and (plain.startswith((".", "*.")) or plain.endswith(".*"))
            entries.append(MapEntry(child, "glob" if glob else "string", plain, plain, True, value))
    return MapInfo(node, parse_value(node.args[0]), entries, default)


_STATIC_TYPE_MARKERS = ("image/", "font/", "font-", "fontobject", "audio/", "video/", "text/css")


def static_type_key(info: MapInfo, entry: MapEntry) -> str:
    """The condition when a `map $sent_http_content_type` entry matches only static-asset types, else ""."""
    source = info.source
    if entry.kind == "default" or len(source) != 1 or not isinstance(source[0], Var) or source[0].name != "sent_http_content_type":
        return ""
    alternatives = [part for part in entry.pattern.lower().split("|") if part]
    if alternatives and all(any(marker in part for marker in _STATIC_TYPE_MARKERS) for part in alternatives):
        return f"the response's Content-Type matches `{entry.key}`"
    return ""


class VarIndex:
    """Variables defined anywhere in the parsed files: `map` targets (in the order nginx reads the maps, so the last
    of two maps of one variable is the one that counts) and names assigned by `set`."""

    def __init__(self, files: Iterable[ParsedFile], maps: Iterable[Node]) -> None:
        self.maps: dict[str, list[Node]] = {}
        self.set_names: set[str] = set()
        for node in maps:
            if len(node.args) >= 2 and node.children is not None:
                self.maps.setdefault(variable_name(node.args[1]), []).append(node)
        for parsed in files:
            for node in parsed.sets:
                if node.args:
                    self.set_names.add(variable_name(node.args[0]))


def key_rule(info: MapInfo, entry: MapEntry, related: Related, note: str = "") -> OriginRule:
    """The origins a `map $http_origin` entry's key admits."""
    if entry.kind == "default":
        prov = Provenance(entry.node.location(1 if entry.node is not info.node else 0), entry.node.raw(), info.context, (related,))
        return OriginRule(OriginKind.REFLECT, "$http_origin", prov)
    prov = Provenance(entry.node.location(), entry.node.raw(), info.context, (related,))
    if entry.kind == "regex":
        return OriginRule(OriginKind.PATTERN, entry.pattern, prov, MatchMode.SEARCH, entry.ignore_case, "pcre", note=note)
    if entry.kind == "glob":
        return OriginRule(OriginKind.PATTERN, entry.key, prov, MatchMode.GLOB, True)
    return OriginRule(OriginKind.EXACT, entry.key, prov, ignore_case=True)
