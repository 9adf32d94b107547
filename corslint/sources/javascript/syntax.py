"""JavaScript/TypeScript syntax layer: tree-sitter parsing, node text and locations, comments, syntax errors
and a small static evaluator (constants, objects with spreads, strings, regexes, environment reads).

Nothing here knows about CORS; the linted code is never executed.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Iterator, Optional

from corslint.lazy_regex import lazy
from corslint.model import Comment, Location, Provenance
from corslint.records import field, record

Node = Any  # tree_sitter.Node; tree-sitter is imported lazily

SOURCE = "javascript"
_RAW_LIMIT = 90
_SPACES = lazy(r"\s+")
_WRAPPERS = frozenset(
    {"parenthesized_expression", "as_expression", "satisfies_expression", "non_null_expression", "type_assertion", "await_expression"}
)
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "0": "\0", "b": "\b", "f": "\f", "v": "\v"}


@lru_cache(maxsize=4)
def _language(kind: str) -> Any:
    from tree_sitter import Language

    if kind == "js":
        return Language(_binding("tree_sitter_javascript").language())
    grammars = _binding("tree_sitter_typescript")
    return Language(grammars.language_tsx() if kind == "tsx" else grammars.language_typescript())


def _binding(package: str) -> Any:
    """A grammar package's compiled `_binding` module, loaded without the package's `__init__`: that imports
    importlib.resources for query files corslint never reads, and with it tempfile, shutil and three compression
    modules (5 ms, a fifteenth of a small run). The package itself is imported if the binding is not where it was."""
    import importlib
    import sys
    from importlib.machinery import EXTENSION_SUFFIXES, ExtensionFileLoader
    from importlib.util import find_spec, module_from_spec, spec_from_file_location

    name = f"{package}._binding"
    if name in sys.modules:
        return sys.modules[name]
    spec = find_spec(package)
    for folder in (spec.submodule_search_locations or []) if spec else []:
        for suffix in EXTENSION_SUFFIXES:
            path = f"{folder}/_binding{suffix}"
            try:
                found = spec_from_file_location(name, path, loader=ExtensionFileLoader(name, path))
                if found is None:
                    continue
                module = module_from_spec(found)
            except (ImportError, OSError):
                continue
            found.loader.exec_module(module)  # type: ignore[union-attr]
            sys.modules[name] = module
            return module
    return importlib.import_module(package)


def grammar_for(path: str) -> str:
    lower = path.lower()
    if lower.endswith(".tsx"):
        return "tsx"
    if lower.endswith((".ts", ".mts", ".cts")):
        return "ts"
    return "js"


@record
class Doc:
    """One parsed file: its bytes, tree and the helpers that turn nodes into text and locations."""

    path: str
    data: bytes
    root: Node
    lines: list[bytes] = field(default_factory=list)
    _nodes: Optional[list[Node]] = field(default=None, repr=False, compare=False)
    linker: Any = field(default=None, repr=False, compare=False)  # modules.Linker once imports may be followed

    def nodes(self) -> list[Node]:
        """Every named node of the file in source order, walked once: several extractors look through them all."""
        if self._nodes is None:
            self._nodes = list(walk(self.root))
        return self._nodes

    @staticmethod
    def parse(path: str, text: str) -> "Doc":
        from tree_sitter import Parser

        data = text.encode("utf-8")
        grammar = grammar_for(path)
        tree = Parser(_language(grammar)).parse(data)
        if grammar == "js" and tree.root_node.has_error:
            # annotated JavaScript (Flow's `// @flow` types) reads as TypeScript with JSX
            typed = Parser(_language("tsx")).parse(data)
            if not typed.root_node.has_error:
                tree = typed
        return Doc(path, data, tree.root_node, data.split(b"\n"))

    def text(self, node: Node) -> str:
        """The node's source text; a node of an imported module carries its own."""
        return node.text.decode("utf-8", "replace")

    def owner(self, node: Node) -> "Doc":
        """The file a node was parsed from: this one, or a module it imports."""
        return self if self.linker is None else self.linker.owner(node, self).doc

    def column(self, point: tuple[int, int]) -> int:
        row, col = point
        line = self.lines[row] if row < len(self.lines) else b""
        return len(line[:col].decode("utf-8", "replace")) + 1

    def location(self, node: Node) -> Location:
        owner = self.owner(node)
        if owner is not self:
            return owner.location(node)
        return Location(
            self.path,
            node.start_point[0] + 1,
            self.column(node.start_point),
            node.end_point[0] + 1,
            self.column(node.end_point),
        )

    def raw(self, node: Node) -> str:
        text = _SPACES.sub(" ", self.text(node)).strip()
        return text if len(text) <= _RAW_LIMIT else text[: _RAW_LIMIT - 2].rstrip() + " …"

    def prov(self, node: Node, context: str = "", raw: Optional[str] = None) -> Provenance:
        """Where a value is written; a value from an imported module names the imports that lead to it."""
        owner = self.owner(node)
        related = self.linker.related(self, owner) if owner is not self else ()
        return Provenance(owner.location(node), self.raw(node) if raw is None else raw, context, related)


def walk(node: Node) -> Iterator[Node]:
    """Every named descendant of `node`, depth first, in source order."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(current.named_children))


def unwrap(node: Optional[Node]) -> Optional[Node]:
    while node is not None and node.type in _WRAPPERS:
        inner = [c for c in node.named_children if not c.type.startswith("type")]
        node = inner[0] if inner else None
    return node


def args_of(call: Node) -> list[Node]:
    arguments = call.child_by_field_name("arguments")
    if arguments is None or arguments.type == "template_string":
        return []
    return [c for c in arguments.named_children if c.type != "comment"]


def callee_parts(doc: Doc, call: Node) -> tuple[str, str]:
    """(object text, property) of `obj.prop(...)`, or ("", name) of `name(...)`."""
    function = unwrap(call.child_by_field_name("function"))
    if function is None:
        return "", ""
    if function.type == "member_expression":
        obj = function.child_by_field_name("object")
        prop = function.child_by_field_name("property")
        return (doc.text(obj) if obj is not None else ""), (doc.text(prop) if prop is not None else "")
    if function.type == "identifier":
        return "", doc.text(function)
    return doc.text(function), ""


def string_value(doc: Doc, node: Optional[Node]) -> Optional[str]:
    """The value of a string literal, a template without substitutions or a `+` of those (any length, no recursion)."""
    parts: list[str] = []
    stack = [node]
    while stack:
        current = unwrap(stack.pop())
        if current is None:
            return None
        if current.type == "string":
            parts.append(_unescape(doc.text(current)[1:-1]))
        elif current.type == "template_string":
            if any(c.type == "template_substitution" for c in current.named_children):
                return None
            parts.append(_unescape(doc.text(current)[1:-1]))
        elif current.type == "binary_expression" and _operator(doc, current) == "+":
            stack.append(current.child_by_field_name("right"))
            stack.append(current.child_by_field_name("left"))
        else:
            return None
    return "".join(parts)


def _unescape(text: str) -> str:
    if "\\" not in text:
        return text
    out, index = [], 0
    while index < len(text):
        char = text[index]
        if char == "\\" and index + 1 < len(text):
            nxt = text[index + 1]
            out.append(_ESCAPES.get(nxt, nxt))
            index += 2
        else:
            out.append(char)
            index += 1
    return "".join(out)


def _operator(doc: Doc, node: Node) -> str:
    op = node.child_by_field_name("operator")
    return doc.text(op) if op is not None else ""


def operator(doc: Doc, node: Node) -> str:
    return _operator(doc, node)


def comments(doc: Doc) -> list[Comment]:
    """`//` and `/* */` comments that mention corslint, each covering the statement it precedes or trails."""
    found: list[Comment] = []
    if b"corslint" not in doc.data.lower():  # most files: no need to walk the tree
        return found
    for node in doc.nodes():
        if node.type != "comment" or b"corslint" not in doc.data[node.start_byte : node.end_byte].lower():
            continue
        row, col = node.start_point
        own_line = doc.lines[row][:col].strip() == b""
        covers = _covered(node, own_line)
        found.append(Comment(doc.path, row + 1, doc.column(node.start_point), doc.text(node), own_line, covers, SOURCE))
    return found


def _covered(node: Node, own_line: bool) -> tuple[int, int]:
    line = node.start_point[0] + 1
    if own_line:
        target = node.next_named_sibling
        while target is not None and target.type == "comment":
            target = target.next_named_sibling
        if target is None:
            return line, node.end_point[0] + 1
        return target.start_point[0] + 1, target.end_point[0] + 1
    previous = node.prev_named_sibling
    if previous is not None and previous.type != "comment" and previous.end_point[0] == node.start_point[0]:
        return previous.start_point[0] + 1, previous.end_point[0] + 1
    statement = enclosing_statement(node)
    if statement is None:
        return line, line
    return statement.start_point[0] + 1, statement.end_point[0] + 1


def enclosing_statement(node: Node) -> Optional[Node]:
    current = node.parent
    while current is not None and current.parent is not None:
        if current.parent.type in ("program", "statement_block", "class_body", "switch_body"):
            return current
        current = current.parent
    return None


CORS_WORDS = (b"cors", b"access-control-")


def syntax_errors(doc: Doc) -> tuple[Optional[Node], int]:
    """The first ERROR/MISSING node in a top-level statement that mentions CORS, and the number of such nodes.

    tree-sitter recovers around an error, so the rest of the file is analysed; an error elsewhere (a syntax
    extension, a half-written function) is not this tool's business."""
    if not doc.root.has_error:
        return None, 0
    first, count = None, 0
    mentions: dict[tuple[int, int], bool] = {}  # per top-level statement, by its byte range
    # each node travels with the top-level statement it is in: walking `parent` up from every error costs depth²
    stack: list[tuple[Node, Optional[Node]]] = [(doc.root, None)]
    while stack:
        node, top = stack.pop()
        top = top or (node if node is not doc.root else None)
        if node.is_error or node.is_missing:
            statement = top or node
            key = (statement.start_byte, statement.end_byte)
            if key not in mentions:
                mentions[key] = _mentions_cors(doc, statement)
            if mentions[key]:
                count += 1
                if first is None or node.start_byte < first.start_byte:
                    first = node
            continue
        if node.has_error:
            stack.extend((child, top) for child in node.children)
    return first, count


def _mentions_cors(doc: Doc, node: Node) -> bool:
    text = doc.data[node.start_byte:node.end_byte].lower()
    return any(word in text for word in CORS_WORDS)


class Bindings:
    """`const`/`let`/`var` initialisers, function declarations and import bindings of one file, by name."""

    def __init__(self, doc: Doc, linker: Any = None) -> None:
        self.doc = doc
        self.linker = linker
        self.values: dict[str, list[Node]] = {}
        self.imports: dict[str, tuple[str, str]] = {}  # local name -> (module, imported name or "default"/"*")
        self.import_nodes: dict[str, Node] = {}  # local name -> the statement that imports it
        for node in doc.nodes():
            if node.type == "variable_declarator":
                self._declarator(node)
            elif node.type in ("function_declaration", "generator_function_declaration"):
                name = node.child_by_field_name("name")
                if name is not None:
                    self.values.setdefault(doc.text(name), []).append(node)
            elif node.type == "import_statement":
                self._import(node)
            elif node.type == "import_require_clause":  # TS `import cors = require('cors')`
                self._import_require(node)

    def _declarator(self, node: Node) -> None:
        name, value = node.child_by_field_name("name"), node.child_by_field_name("value")
        if name is None or value is None:
            return
        module = required_module(self.doc, value)
        statement = node.parent or node
        if name.type == "identifier":
            self.values.setdefault(self.doc.text(name), []).append(value)
            if module is not None:
                self.imports[self.doc.text(name)] = (module, required_member(self.doc, value))
                self.import_nodes[self.doc.text(name)] = statement
        elif name.type == "object_pattern" and module is not None:
            for child in name.named_children:
                if child.type == "shorthand_property_identifier_pattern":
                    self.imports[self.doc.text(child)] = (module, self.doc.text(child))
                    self.import_nodes[self.doc.text(child)] = statement
                elif child.type == "pair_pattern":
                    key, local = child.child_by_field_name("key"), child.child_by_field_name("value")
                    if key is not None and local is not None and local.type == "identifier":
                        self.imports[self.doc.text(local)] = (module, self.doc.text(key))
                        self.import_nodes[self.doc.text(local)] = statement

    def _import(self, node: Node) -> None:
        source = node.child_by_field_name("source")
        module = string_value(self.doc, source)
        if module is None:
            return
        for clause in (c for c in node.named_children if c.type == "import_clause"):
            for child in clause.named_children:
                if child.type == "identifier":
                    self.imports[self.doc.text(child)] = (module, "default")
                    self.import_nodes[self.doc.text(child)] = node
                elif child.type == "namespace_import":
                    names = [c for c in child.named_children if c.type == "identifier"]
                    if names:
                        self.imports[self.doc.text(names[0])] = (module, "*")
                elif child.type == "named_imports":
                    self._named(child, module, node)

    def _named(self, node: Node, module: str, statement: Node) -> None:
        for spec in (c for c in node.named_children if c.type == "import_specifier"):
            name, alias = spec.child_by_field_name("name"), spec.child_by_field_name("alias")
            if name is not None:
                local = alias if alias is not None else name
                self.imports[self.doc.text(local)] = (module, self.doc.text(name))
                self.import_nodes[self.doc.text(local)] = statement

    def _import_require(self, node: Node) -> None:
        names = [c for c in node.named_children if c.type == "identifier"]
        module = string_value(self.doc, node.child_by_field_name("source"))
        if names and module is not None:
            self.imports[self.doc.text(names[0])] = (module, "default")
            self.import_nodes[self.doc.text(names[0])] = node.parent or node

    def lookup(self, name: str, before: Optional[Node] = None) -> Optional[Node]:
        """The initialiser of `name`: the last one written before `before`, else the first in the file; a name
        imported from a local module is what that module exports. A `before` node of an imported module is
        looked up in that module."""
        if before is not None and self.linker is not None:
            owner = self.linker.owner(before, self.doc).bindings
            if owner is not self:
                return owner.lookup(name, before)
        candidates = self.values.get(name)
        if not candidates:
            return self._imported(name)
        found = candidates[0]
        if before is not None:
            earlier = [c for c in candidates if c.start_byte < before.start_byte]
            if earlier:
                found = earlier[-1]
        if self.linker is not None and name in self.imports:
            return self._imported(name) or found
        return found

    def _imported(self, name: str) -> Optional[Node]:
        module, imported = self.imports.get(name, ("", ""))
        if self.linker is None or not module.startswith("."):
            return None
        return self.linker.imported(self.doc, module, imported, self.import_nodes.get(name))

    def resolve(self, node: Optional[Node], depth: int = 0) -> Optional[Node]:
        """Follow identifiers to their initialisers (a few steps), unwrapping `as`, parentheses and `await`."""
        node = unwrap(node)
        while node is not None and depth < 8:
            if node.type == "identifier":
                target = self.lookup(self.doc.text(node), node)
            elif node.type in ("call_expression", "member_expression") and self.linker is not None:
                target = self.linker.required(node, self.doc)  # `require('./options')` written in place
            else:
                target = None
            if target is None or target is node:
                return node
            node, depth = unwrap(target), depth + 1
        return node


def required_module(doc: Doc, node: Optional[Node]) -> Optional[str]:
    """The module of `require('m')`, `require('m').default`, `await import('m')`, else None."""
    node = unwrap(node)
    while node is not None and node.type == "member_expression":
        node = unwrap(node.child_by_field_name("object"))
    if node is None or node.type != "call_expression":
        return None
    function = node.child_by_field_name("function")
    if function is not None and doc.text(function) in ("require", "import"):
        args = args_of(node)
        return string_value(doc, args[0]) if args else None
    return None


def required_member(doc: Doc, node: Node) -> str:
    """`x` of `require('m').x`; `default` for the module itself."""
    node = unwrap(node)
    if node is not None and node.type == "member_expression":
        prop = node.child_by_field_name("property")
        obj = unwrap(node.child_by_field_name("object"))
        if prop is not None and obj is not None and obj.type == "call_expression":
            return doc.text(prop)
    return "default"


@record
class ObjectProps:
    """The properties of an object literal after spreads: name -> (pair node, value node)."""

    props: dict[str, tuple[Node, Node]] = field(default_factory=dict)
    opaque: bool = False  # a spread corslint could not follow

    def get(self, name: str) -> Optional[tuple[Node, Node]]:
        return self.props.get(name)


def object_props(doc: Doc, bindings: Bindings, node: Optional[Node], depth: int = 0) -> Optional[ObjectProps]:
    node = bindings.resolve(node)
    if node is None or node.type != "object" or depth > 6:
        return None
    result = ObjectProps()
    for child in node.named_children:
        if child.type == "pair":
            key, value = child.child_by_field_name("key"), child.child_by_field_name("value")
            name = _key_name(doc, key)
            if name is None:
                result.opaque = True
            elif value is not None:
                result.props[name] = (child, value)
        elif child.type == "shorthand_property_identifier":
            result.props[doc.text(child)] = (child, child)
        elif child.type == "method_definition":
            name = _key_name(doc, child.child_by_field_name("name"))
            if name is not None:
                result.props[name] = (child, child)
        elif child.type == "spread_element":
            inner = object_props(doc, bindings, child.named_children[0] if child.named_children else None, depth + 1)
            if inner is None:
                result.opaque = True
            else:
                result.props.update(inner.props)
                result.opaque = result.opaque or inner.opaque
    return result


def _key_name(doc: Doc, key: Optional[Node]) -> Optional[str]:
    if key is None:
        return None
    if key.type in ("property_identifier", "identifier"):
        return doc.text(key)
    if key.type == "string":
        return string_value(doc, key)
    return None


def is_function(node: Optional[Node]) -> bool:
    return node is not None and node.type in (
        "arrow_function", "function_expression", "function", "function_declaration", "method_definition",
        "generator_function_declaration",
    )


def env_read(doc: Doc, node: Optional[Node]) -> Optional[str]:
    """`X` for `process.env.X`, `process.env['X']`, `process.env.X?.split(',')`, `(process.env.X ?? '').split()`."""
    node = unwrap(node)
    while node is not None:
        if node.type == "call_expression":
            function = unwrap(node.child_by_field_name("function"))
            if function is None or function.type != "member_expression":
                return None
            node = unwrap(function.child_by_field_name("object"))
        elif node.type == "member_expression":
            obj = node.child_by_field_name("object")
            prop = node.child_by_field_name("property")
            if obj is not None and doc.text(obj).replace(" ", "") == "process.env" and prop is not None:
                return doc.text(prop)
            if obj is None or obj.type not in ("call_expression", "member_expression"):
                return None
            node = unwrap(obj)
        elif node.type == "subscript_expression":
            obj = node.child_by_field_name("object")
            index = node.child_by_field_name("index")
            if obj is not None and doc.text(obj).replace(" ", "") == "process.env":
                return string_value(doc, index) or doc.text(index) if index is not None else None
            return None
        elif node.type == "binary_expression" and operator(doc, node) in ("||", "??"):
            node = unwrap(node.child_by_field_name("left"))
        else:
            return None
    return None
