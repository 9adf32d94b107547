"""nginx source, scope layer: http/server/location/if levels, the directives each declares and what it inherits.

`build_levels` walks one root file (includes expanded) without recursion and returns every level, parents first.
"""

from __future__ import annotations

from typing import Optional

from corslint.sources.nginx.files import Chain, Loader
from corslint.sources.nginx.tree import Node, ParsedFile

PASS_DIRECTIVES = frozenset({"proxy_pass", "fastcgi_pass", "uwsgi_pass", "grpc_pass", "scgi_pass", "memcached_pass"})
HANDLER_DIRECTIVES = frozenset(
    {"content_by_lua", "content_by_lua_block", "content_by_lua_file", "js_content", "perl", "echo"}
)
REWRITE_DIRECTIVES = frozenset({"set", "return", "rewrite", "break"})
AUTH_DIRECTIVES = frozenset({"auth_basic", "auth_request", "auth_jwt"})
_BLOCKS = frozenset({"http", "server", "location", "if"})
_CONTAINERS = frozenset({"root", "http", "server", "location"})
_SCOPE_HEAD = 3
_SCOPE_TAIL = 4

Entry = tuple[Node, "Level"]


class Level:
    """One configuration level. `eff_*` hold what applies here after nginx's inheritance rules."""

    __slots__ = (
        "kind", "node", "parent", "chain", "root", "names", "own_add", "own_more", "inherit", "rewrite",
        "ifs", "children", "passes", "hides", "auth", "limit_except", "handlers", "error_pages",
        "eff_add", "eff_more", "eff_hides", "eff_auth", "eff_error_pages", "inherit_mode", "label", "head", "depth", "home", "_scope",
        "upstreams",
    )

    def __init__(self, kind: str, node: Optional[Node], parent: Optional["Level"], chain: Chain, root: ParsedFile) -> None:
        self.kind = kind
        self.node = node
        self.parent = parent
        self.chain = chain
        self.root = root
        self.names: list[str] = []
        self.own_add: list[Node] = []
        self.own_more: list[Node] = []
        self.inherit: Optional[str] = None
        self.rewrite: list[object] = []  # Node (set/return/rewrite/break) or an `if` Level, in order
        self.ifs: list[Level] = []
        self.children: list[Level] = []
        self.passes: list[Node] = []
        self.hides: list[Node] = []
        self.auth: list[Node] = []
        self.limit_except: list[Node] = []
        self.handlers: list[Node] = []
        self.error_pages: list[Node] = []
        self.upstreams: dict[str, list[str]] = {}  # `upstream NAME { server ADDRESS; }` groups defined here
        self._scope: Optional[str] = None

    def upstream_group(self, name: str) -> Optional[list[str]]:
        """The servers of the `upstream` group `name` defined here or at an outer level."""
        level: Optional[Level] = self
        while level is not None:
            if name in level.upstreams:
                return level.upstreams[name]
            level = level.parent
        return None

    @property
    def own_headers(self) -> bool:
        return bool(self.own_add or self.own_more)

    @property
    def returns(self) -> bool:
        return any(isinstance(item, Node) and item.name == "return" for item in self.rewrite)

    def scan(self, items: list[tuple[Node, Chain]]) -> list["Level"]:
        """Sort the level's direct directives (includes already expanded); return the nested levels."""
        nested: list[Level] = []
        for node, chain in items:
            name = node.name
            if node.children is not None:
                kind = name if name in _BLOCKS else None
                if kind is None or (kind == "if" and self.kind == "if") or (kind == "http" and self.kind != "root"):
                    if name == "limit_except":
                        self.limit_except.append(node)
                    elif name == "upstream" and node.args:
                        self.upstreams[node.args[0]] = [c.args[0] for c in node.children if c.name == "server" and c.args]
                    continue
                child = Level(kind, node, self, chain, self.root)
                nested.append(child)
                if kind == "if":
                    self.ifs.append(child)
                    self.rewrite.append(child)
                else:
                    self.children.append(child)
            elif name == "add_header":
                self.own_add.append(node)
            elif name == "more_set_headers":
                self.own_more.append(node)
            elif name in REWRITE_DIRECTIVES:
                self.rewrite.append(node)
            elif name in PASS_DIRECTIVES:
                self.passes.append(node)
            elif name.endswith(("_hide_header", "_pass_header")):
                self.hides.append(node)
            elif name == "server_name":
                written = node.raw()[len(name) :].strip()
                # a templated name (`{{ .Host }}`) is shown as written, not as its placeholder
                self.names.extend(node.args if written == " ".join(node.args) else [written])
            elif name == "add_header_inherit" and node.args:
                self.inherit = node.args[0].lower()
            elif name in AUTH_DIRECTIVES:
                self.auth.append(node)
            elif name in HANDLER_DIRECTIVES:
                self.handlers.append(node)
            elif name == "error_page":
                self.error_pages.append(node)
        return nested

    def settle(self) -> None:
        """Compute the effective lists and the scope label once the parent is settled and the level is scanned."""
        parent = self.parent
        self.inherit_mode = self.inherit or (parent.inherit_mode if parent else "on")
        parent_add: list[Entry] = parent.eff_add if parent else []
        own = [(node, self) for node in self.own_add]
        if self.inherit_mode == "merge":
            self.eff_add = parent_add + own if own else parent_add
        elif self.inherit_mode == "off":
            self.eff_add = own
        else:
            self.eff_add = own or parent_add
        parent_more: list[Entry] = parent.eff_more if parent else []
        self.eff_more = parent_more + [(node, self) for node in self.own_more] if self.own_more else parent_more
        self.eff_hides = self._hides(parent.eff_hides if parent else {})
        self.eff_error_pages = self.error_pages or (parent.eff_error_pages if parent else [])
        self.eff_auth = (self.auth[-1], self) if self.auth else (parent.eff_auth if parent else None)
        self._settle_scope()

    def _hides(self, inherited: dict[str, list[Entry]]) -> dict[str, list[Entry]]:
        """Per upstream module, a level with its own *_hide_header/*_pass_header drops the inherited ones."""
        if not self.hides:
            return inherited
        hides = dict(inherited)
        own: dict[str, list[Entry]] = {}
        for node in self.hides:
            module = node.name.rsplit("_", 2)[0]
            own.setdefault(module, []).append((node, self))
        hides.update(own)
        return hides

    def _settle_scope(self) -> None:
        parent = self.parent
        if self.kind == "root":
            self.label = self.root.name
        elif self.kind == "http":
            self.label = "http"
        elif self.kind == "server":
            self.label = f"server {self.names[0]}" if self.names else "server"
        else:
            self.label = self.node.raw() if self.node else self.kind
        # the level whose rewrite directives run before a location's own: its server, else the fragment root
        self.home = None if parent is None else (parent if parent.kind in ("server", "root") else parent.home)
        if parent is None or self.kind in ("server", "http"):
            self.head, self.depth = (self.label,), 1
        else:
            self.head = parent.head + (self.label,) if len(parent.head) < _SCOPE_HEAD else parent.head
            self.depth = parent.depth + 1

    def scope(self) -> str:
        """The context path shown to users, e.g. `server api.example.com > location /v1/`, elided when very deep."""
        if self._scope is None:
            if self.depth <= _SCOPE_HEAD + _SCOPE_TAIL:
                parts = self._tail(self.depth)
            else:
                hidden = self.depth - _SCOPE_HEAD - _SCOPE_TAIL
                parts = [*self.head, f"… {hidden} more levels …", *self._tail(_SCOPE_TAIL)]
            self._scope = " > ".join(parts)
        return self._scope

    def _tail(self, count: int) -> list[str]:
        labels: list[str] = []
        level: Optional[Level] = self
        while level is not None and len(labels) < count:
            labels.append(level.label)
            level = level.parent
        return labels[::-1]

    def named_location(self, name: str) -> Optional["Level"]:
        """The `location @name` of this level's server (named locations live at server level)."""
        server = self if self.kind in ("server", "root") else self.home
        for child in server.children if server is not None else []:
            if child.kind == "location" and child.node is not None and child.node.args == [name]:
                return child
        return None

    @property
    def is_place(self) -> bool:
        return self.kind in _CONTAINERS


def release_levels(levels: list[Level]) -> None:
    """Unlink the levels (parent and child refer to each other), so reference counting frees them at once
    instead of leaving hundreds of thousands of objects to the cycle collector."""
    for level in levels:
        level.parent = level.home = level.eff_auth = None
        level.children = level.ifs = level.rewrite = level.eff_add = level.eff_more = []
        level.eff_hides = {}


def build_levels(root: ParsedFile, loader: Loader) -> list[Level]:
    """Every level of one root file, parents before children, in file order."""
    top = Level("root", None, None, (root.path,), root)
    ordered: list[Level] = []
    stack = [top]
    while stack:
        level = stack.pop()
        nodes = level.node.children if level.node is not None else root.nodes
        nested = level.scan(list(loader.expand(nodes or [], level.chain)))
        level.settle()
        ordered.append(level)
        stack.extend(reversed(nested))
    return ordered
