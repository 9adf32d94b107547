"""Apache source, scope layer: turns parsed files into the configuration sections a response is built from.

A scope is a file's top level, a `<VirtualHost>`, a `<Directory>`/`<Location>`/`<Files>`(Match) section or an
`<If>`/`<ElseIf>`/`<Else>` branch. `<IfModule>`-style wrappers are transparent (their label stays in the context),
`<Limit>`/`<LimitExcept>` are kept for the preflight analysis. A deeper `.htaccess` merges after its parents'.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Iterator, Optional

from corslint.lazy_regex import lazy
from corslint.model import Location
from corslint.records import field, record
from corslint.sources.apache.files import Chain, Loader
from corslint.sources.apache.tree import Node, ParsedFile

SECTIONS = frozenset(
    {"virtualhost", "directory", "directorymatch", "files", "filesmatch", "location", "locationmatch", "proxy", "proxymatch"}
)
BRANCHES = frozenset({"if", "elseif", "else"})
LIMITS = frozenset({"limit", "limitexcept"})
_REGEX_SECTIONS = frozenset({"directorymatch", "filesmatch", "locationmatch", "proxymatch"})
STATIC_EXTENSIONS = frozenset(
    "woff woff2 ttf ttc otf eot sfnt svg svgz png jpg jpeg gif ico cur webp avif avifs bmp tif tiff jxl apng "
    "css js mjs map mp4 webm ogg ogv mp3 wav m4a flac htc".split()
)
_STATIC_FOLDERS = frozenset({"fonts", "font", "static", "assets", "images", "img", "media", "css", "js"})
_EXTENSION_TAIL = lazy(r"\\\.\((?:\?:)?([^()]+)\)\$?$|\\\.([A-Za-z0-9?\[\]]+)\$?$")
_MAX_EXPANSIONS = 256
# sections (wrappers included) below this depth are reported, not analysed: the work per directive grows with depth
MAX_NESTING = 100


@record(frozen=True)
class Entry:
    """A directive as it applies in a scope, with the wrapper labels (`<IfModule ...>`) around it."""

    node: Node
    context: str


@record(eq=False)
class Scope:
    kind: str  # file, htaccess, virtualhost, section, if
    label: str
    path: str
    node: Optional[Node] = None
    parent: Optional["Scope"] = None
    own: list[Entry] = field(default_factory=list)
    limits: list[Node] = field(default_factory=list)
    children: list["Scope"] = field(default_factory=list)
    condition: str = ""
    static: bool = False
    fragment: bool = False  # a conf file included by nothing and without server-level directives

    def scope(self) -> str:
        labels: list[str] = []
        scope: Optional[Scope] = self
        while scope is not None:
            labels.append(scope.label)
            scope = scope.parent
        return " > ".join(reversed(labels))

    @property
    def location(self) -> Location:
        return self.node.location() if self.node is not None else Location(self.path, 1, 1)

    def chain(self) -> list["Scope"]:
        """The scopes whose directives merge into this one, outermost first."""
        found: list[Scope] = []
        scope: Optional[Scope] = self
        while scope is not None:
            found.append(scope)
            scope = scope.parent
        return list(reversed(found))

    def effective(self) -> list[Entry]:
        return [entry for scope in self.chain() for entry in scope.own]

    def all_limits(self) -> list[Node]:
        return [node for scope in self.chain() for node in scope.limits]

    def walk(self) -> Iterator["Scope"]:
        """This scope and every scope below it, parents first, without recursion."""
        stack: list[Scope] = [self]
        while stack:
            scope = stack.pop()
            yield scope
            stack.extend(reversed(scope.children))


def release_scopes(roots: list[Scope]) -> None:
    """Unlink parents from children so reference counting frees the scopes at once (no cycle collection)."""
    for root in roots:
        for scope in list(root.walk()):
            scope.parent = None
            scope.children = []


@record
class _Frame:
    """One open section while the scope tree is built: where its directives go and what is left of it."""

    scope: Scope
    items: Iterator[tuple[Node, Chain]]
    wrappers: list[str]
    last_branch: Optional[Scope] = None


class ScopeBuilder:
    """Builds the scope tree of one root file, following includes through the loader."""

    def __init__(self, loader: Loader) -> None:
        self.loader = loader

    def root(self, parsed: ParsedFile, parent: Optional[Scope] = None) -> Scope:
        htaccess = PurePosixPath(parsed.path).name.lower().endswith("htaccess")
        scope = Scope("htaccess" if htaccess else "file", parsed.path, parsed.path, parent=parent)
        self._fill(scope, parsed.nodes, (parsed.path,), [])
        scope.fragment = not htaccess and not _server_level(scope)
        return scope

    def _fill(self, scope: Scope, nodes: list[Node], chain: Chain, wrappers: list[str]) -> None:
        """Distribute `nodes` (includes expanded) over `scope` and new child scopes, depth first, without recursion."""
        stack = [_Frame(scope, self.loader.expand(nodes, chain), wrappers)]
        while stack:
            frame = stack[-1]
            item = next(frame.items, None)
            if item is None:
                stack.pop()
                continue
            node, current = item
            if node.children is None:
                frame.scope.own.append(Entry(node, " > ".join([frame.scope.scope(), *frame.wrappers])))
                continue
            if len(stack) >= MAX_NESTING:
                self.loader.problem(node.location(), f"<{node.name}>: sections nested deeper than {MAX_NESTING} levels; "
                                                      "the directives inside are not analysed")
                continue
            key = node.key
            if key in SECTIONS or key in BRANCHES:
                child = self._child(frame.scope, node, frame.wrappers, frame.last_branch)
                frame.last_branch = child if key in ("if", "elseif") else None
                stack.append(_Frame(child, self.loader.expand(node.children, current), []))
                continue
            if key in LIMITS:
                frame.scope.limits.append(node)
            frame.last_branch = None
            stack.append(_Frame(frame.scope, self.loader.expand(node.children, current), [*frame.wrappers, node.label()]))

    def _child(self, scope: Scope, node: Node, wrappers: list[str], previous: Optional[Scope]) -> Scope:
        label = " > ".join([*wrappers, node.label()])
        key = node.key
        if key == "virtualhost":
            kind = "virtualhost"
        elif key in BRANCHES:
            kind = "if"
        else:
            kind = "section"
        child = Scope(kind, label, node.path, node, scope, static=scope.static or is_static_section(node))
        child.condition = _condition(node, previous)
        scope.children.append(child)
        return child


def _condition(node: Node, previous: Optional[Scope]) -> str:
    expression = " ".join(node.words)
    if node.key == "if":
        return expression
    before = f"not ({previous.condition})" if previous is not None and previous.condition else "no earlier <If> matched"
    if node.key == "elseif":
        return f"{before} and ({expression})"
    return before if node.key == "else" else ""


def _server_level(scope: Scope) -> bool:
    names = {entry.node.key for entry in scope.own}
    return bool(names & {"servername", "listen", "documentroot", "serverroot", "loadmodule"}) or any(
        child.kind == "virtualhost" for child in scope.children
    )


def expand_alternatives(group: str) -> list[str]:
    """`eot|tt[cf]|woff2?` -> eot, ttc, ttf, woff, woff2; [] when an alternative is more than letters, classes and `?`."""
    found: list[str] = []
    for alternative in group.lower().split("|"):
        options = [""]
        index = 0
        while index < len(alternative):
            char = alternative[index]
            if char == "[":
                close = alternative.find("]", index)
                chars = alternative[index + 1 : close] if close > 0 else ""
                if not chars.isalnum():
                    return []
                choices, index = list(chars), close + 1
            elif char.isalnum():
                choices, index = [char], index + 1
            else:
                return []
            if index < len(alternative) and alternative[index] == "?":
                choices, index = choices + [""], index + 1
            options = [head + choice for head in options for choice in choices]
            if len(options) > _MAX_EXPANSIONS:
                return []
        found.extend(options)
    return found


def is_static_section(node: Node) -> bool:
    """True when a Files/Location/Directory section only matches font, image or other static-asset files or folders."""
    words = node.words
    if not words:
        return False
    key = node.key
    regex = key in _REGEX_SECTIONS or (len(words) > 1 and words[0] == "~")
    pattern = words[-1]
    if regex:
        match = _EXTENSION_TAIL.search(pattern)
        if match is not None:
            extensions = expand_alternatives(match.group(1) or match.group(2))
            return bool(extensions) and all(ext in STATIC_EXTENSIONS for ext in extensions)
        return False
    if key == "files":
        name = pattern.lower()
        return "." in name and name.rsplit(".", 1)[1] in STATIC_EXTENSIONS
    if key in ("location", "directory"):
        segments = [segment for segment in pattern.lower().split("/") if segment]
        return bool(segments) and segments[-1] in _STATIC_FOLDERS
    return False
