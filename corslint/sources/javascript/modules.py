"""Local modules one JavaScript/TypeScript file imports: `require('./x')` and `import … from './x'` are resolved
inside the scanned tree (extensions, index files, `.js` naming a `.ts` file), parsed once, and their exports
(`module.exports`, `exports.name`, `export default`, `export const`, `export { … }`, re-exports) handed to
`Bindings` as values written in that file.

Only relative specifiers are followed, never packages; a chain stops after `MAX_HOPS` files and never loops.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable, Optional

from corslint.model import Location, Related
from corslint.records import field, record
from corslint.sources.base import decode
from corslint.sources.javascript.syntax import Bindings, Doc, Node, required_member, required_module, string_value, unwrap
from corslint.workspace import FileTooLarge, Workspace

MAX_HOPS = 4
_EXTENSIONS = (".js", ".ts", ".mjs", ".cjs", ".jsx", ".tsx", ".mts", ".cts")
_TS_FOR_JS = {".js": (".ts", ".tsx"), ".mjs": (".mts",), ".cjs": (".cts",), ".jsx": (".tsx",)}


@record
class Exports:
    """What one module exports: `default` and named values, and the modules it re-exports from."""

    values: dict[str, Node] = field(default_factory=dict)
    forwarded: dict[str, tuple[str, str]] = field(default_factory=dict)  # exported name -> (module, name there)
    star: list[str] = field(default_factory=list)  # `export * from 'm'`


@record
class Linked:
    """One parsed module with its bindings, exports and how many imports it is from a linted file."""

    doc: Doc
    bindings: Bindings
    exports: Exports
    hops: int
    entry: bool = False
    _ids: Optional[frozenset[int]] = None

    def owns(self, node: Node) -> bool:
        if self._ids is None:
            self._ids = frozenset(n.id for n in self.doc.nodes())
        return node.id in self._ids


class Linker:
    """The modules of the tree reached from the files one source run parses; each is read and parsed once."""

    def __init__(self, workspace: Optional[Workspace], parse: Callable[[str, str], Doc]) -> None:
        self.workspace = workspace
        self.parse = parse
        self.modules: dict[str, Linked] = {}
        self._real: dict[str, Optional[Path]] = {}  # display path -> real path of the file
        self._failed: set[str] = set()
        self._edges: dict[str, dict[str, Related]] = {}  # importer -> imported -> the import statement

    # --- entry files --------------------------------------------------------------------------

    def entry(self, path: str, real: Optional[Path], text: str) -> tuple[Doc, Bindings]:
        """A file the source extracts in its own right, parsed once even if an earlier file imported it."""
        known = self.modules.get(path)
        if known is not None:
            known.entry = True
            return known.doc, known.bindings
        doc = self.parse(path, text)
        doc.linker = self
        bindings = Bindings(doc, self)
        self.modules[path] = Linked(doc, bindings, exports_of(doc, bindings), 0, entry=True)
        self._real[path] = real
        return doc, bindings

    def linked_docs(self) -> list[Doc]:
        """Modules parsed only because another file imports them."""
        return [m.doc for m in self.modules.values() if not m.entry]

    # --- ownership ----------------------------------------------------------------------------

    def owner(self, node: Node, guess: Doc) -> Linked:
        """The module a node belongs to, trying `guess` first."""
        first = self.modules.get(guess.path)
        if len(self.modules) == 1 and first is not None:
            return first
        if first is not None and first.doc is guess and first.owns(node):
            return first
        for module in self.modules.values():
            if module is not first and module.owns(node):
                return module
        assert first is not None
        return first

    def related(self, start: Doc, owner: Doc) -> tuple[Related, ...]:
        """The imports that lead from `start` to `owner`, the first one written in `start`."""
        routes: dict[str, tuple[Related, ...]] = {start.path: ()}
        queue = [start.path]
        while queue:
            current = queue.pop(0)
            for target, step in self._edges.get(current, {}).items():
                if target not in routes:
                    routes[target] = routes[current] + (step,)
                    queue.append(target)
        return routes.get(owner.path, ())

    # --- imports ------------------------------------------------------------------------------

    def imported(self, doc: Doc, specifier: str, name: str, site: Optional[Node]) -> Optional[Node]:
        """The node a local module exports as `name` (`default` for `module.exports`/`export default`)."""
        module = self._load(doc, specifier, site)
        if module is None:
            return None
        return self._export(module, name, set())

    def _export(self, module: Linked, name: str, seen: set[tuple[str, str]]) -> Optional[Node]:
        key = (module.doc.path, name)
        if key in seen or len(seen) > MAX_HOPS * 4:
            return None
        seen.add(key)
        exports = module.exports
        found = exports.values.get(name)
        if found is not None:
            return self._through_require(module, found, seen) or found
        if name != "default":
            whole = exports.values.get("default")
            from_object = _property(module, whole, name) if whole is not None else None
            if from_object is not None:
                return from_object
        forward = exports.forwarded.get(name)
        targets = [(forward[0], forward[1])] if forward is not None else [(spec, name) for spec in exports.star if name != "default"]
        for specifier, there in targets:
            target = self._load(module.doc, specifier, None)
            if target is not None:
                node = self._export(target, there, seen)
                if node is not None:
                    return node
        return None

    def required(self, node: Node, guess: Doc) -> Optional[Node]:
        """The export a `require('./x')` or `require('./x').name` expression evaluates to, else None."""
        specifier = required_module(guess, node)
        if specifier is None or not specifier.startswith("."):
            return None
        return self._through_require(self.owner(node, guess), node, set())

    def _through_require(self, module: Linked, node: Node, seen: set[tuple[str, str]]) -> Optional[Node]:
        specifier = required_module(module.doc, node)
        if specifier is None or not specifier.startswith("."):
            return None
        target = self._load(module.doc, specifier, node)
        return self._export(target, required_member(module.doc, node), seen) if target is not None else None

    def _load(self, doc: Doc, specifier: str, site: Optional[Node]) -> Optional[Linked]:
        importer = self.modules.get(doc.path)
        if importer is None or importer.hops >= MAX_HOPS or not specifier.startswith("."):
            return None
        path = self._resolve(doc.path, specifier)
        if path is None:
            return None
        display = self.workspace.display(path) if self.workspace is not None else str(path)
        if display in self._failed:
            return None
        module = self.modules.get(display) or self._parse(display, path, importer)
        if module is None:
            self._failed.add(display)
            return None
        if display not in self._edges.setdefault(doc.path, {}):
            where = doc.location(site) if site is not None else Location(doc.path, 1, 1)
            self._edges[doc.path][display] = Related(where, f"`{display}` is imported here as `{specifier}`")
        return module

    def _parse(self, display: str, path: Path, importer: Linked) -> Optional[Linked]:
        assert self.workspace is not None
        try:
            data = self.workspace.open_file(path).read()
        except (OSError, FileTooLarge):  # outside the tree, too large or unreadable: not followed
            return None
        text, error = decode(data)
        if error is not None:
            return None
        linked_doc = self.parse(display, text)
        linked_doc.linker = self
        module = Linked(linked_doc, Bindings(linked_doc, self), Exports(), importer.hops + 1)
        self.modules[display] = module
        self._real[display] = path
        module.exports = exports_of(linked_doc, module.bindings)
        return module

    def _resolve(self, importer: str, specifier: str) -> Optional[Path]:
        real = self._real.get(importer)
        if real is None or self.workspace is None:
            return None
        base = real.parent / specifier
        for candidate in _candidates(base):
            if candidate.is_file() and self.workspace.inside(candidate):
                return Path(self.workspace.realpath(candidate))
        return None


def _candidates(base: Path) -> list[Path]:
    """The files Node and TypeScript try for a relative specifier, in their order."""
    found = [base]
    stem, ext = os.path.splitext(base.name)
    found.extend(base.with_name(stem + alt) for alt in _TS_FOR_JS.get(ext, ()))
    found.extend(base.with_name(base.name + ext_) for ext_ in _EXTENSIONS)
    found.extend(base / ("index" + ext_) for ext_ in _EXTENSIONS)
    return found


def _property(module: Linked, node: Node, name: str) -> Optional[Node]:
    """`name` of an exported object literal (`module.exports = { corsOptions }`)."""
    from corslint.sources.javascript.syntax import object_props

    props = object_props(module.doc, module.bindings, node)
    found = props.get(name) if props is not None else None
    if found is None:
        return None
    if found[1].type == "shorthand_property_identifier":
        return module.bindings.lookup(name, found[1])
    return found[1]


def exports_of(doc: Doc, bindings: Bindings) -> Exports:
    """Every export statement and `module.exports`/`exports.x` assignment at the top level of one module."""
    exports = Exports()
    if b"export" not in doc.data:
        return exports
    for statement in doc.root.named_children:
        if statement.type == "export_statement":
            _export_statement(doc, statement, exports)
        elif statement.type == "expression_statement" and statement.named_children:
            _assignment(doc, unwrap(statement.named_children[0]), exports)
    return exports


def _assignment(doc: Doc, node: Optional[Node], exports: Exports) -> None:
    if node is None or node.type != "assignment_expression":
        return
    left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
    if left is None or right is None:
        return
    target = doc.text(left).replace(" ", "")
    if target == "module.exports":
        exports.values["default"] = right
    elif target.startswith(("module.exports.", "exports.")):
        exports.values[target.rpartition(".")[2]] = right
    elif right.type == "assignment_expression":  # `module.exports = exports.x = …`
        _assignment(doc, right, exports)


def _export_statement(doc: Doc, statement: Node, exports: Exports) -> None:
    source = statement.child_by_field_name("source")
    module = string_value(doc, source) if source is not None else None
    value = statement.child_by_field_name("value")
    declaration = statement.child_by_field_name("declaration")
    if value is not None:
        exports.values["default"] = value
    elif declaration is not None:
        _declaration(doc, declaration, exports, default=any(c.type == "default" for c in statement.children))
    for clause in (c for c in statement.named_children if c.type == "export_clause"):
        for spec in (c for c in clause.named_children if c.type == "export_specifier"):
            name, alias = spec.child_by_field_name("name"), spec.child_by_field_name("alias")
            if name is None:
                continue
            exported = doc.text(alias if alias is not None else name)
            if module is not None:
                exports.forwarded[exported] = (module, doc.text(name))
            else:
                exports.values[exported] = name
    if module is not None and any(c.type == "*" for c in statement.children) and not statement.named_children[:-1]:
        exports.star.append(module)


def _declaration(doc: Doc, declaration: Node, exports: Exports, default: bool) -> None:
    if declaration.type in ("lexical_declaration", "variable_declaration"):
        for declarator in (c for c in declaration.named_children if c.type == "variable_declarator"):
            name, value = declarator.child_by_field_name("name"), declarator.child_by_field_name("value")
            if name is not None and value is not None and name.type == "identifier":
                exports.values[doc.text(name)] = value
        return
    name = declaration.child_by_field_name("name")
    if name is not None:
        exports.values[doc.text(name)] = declaration
    if default or name is None:
        exports.values["default"] = declaration
