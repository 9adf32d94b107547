"""Turns JavaScript origin values into OriginRules: literals, arrays, RegExps, environment fallbacks,
callbacks and the allowlist conditions (`includes`, `indexOf`, `===`, `Set.has`, `.test`, `endsWith`) that guard them."""

from __future__ import annotations

from functools import wraps
from typing import Any, Callable, Optional, TypeVar

from corslint.lazy_regex import lazy
from corslint.model import MatchMode, OriginKind, OriginRule, Provenance, Related
from corslint.records import field, record, replace
from corslint.sources.javascript.syntax import Bindings, Doc, Node, args_of, env_read, is_function, operator, string_value, unwrap

_REGEX_SPECIAL = set(".^$*+?()[]{}|\\/")
_NEGATIVE_INDEX = ("=== -1", "== -1", "< 0")
_POSITIVE_INDEX = ("!== -1", "!= -1", "> -1", ">= 0")

Rules = Optional[list[OriginRule]]  # None: corslint cannot read it
# ternaries, `!`, spreads and fallbacks are followed this many levels deep; deeper input is reported unreadable
MAX_NESTING = 48
_MAX_FALLBACKS = 8  # `req.headers.origin || fallback || ...`: how many `||` are looked through
_Method = TypeVar("_Method", bound=Callable[..., Any])


def _bounded(too_deep: Callable[..., Any]) -> Callable[[_Method], _Method]:
    """Run the method at most MAX_NESTING calls deep on one object; deeper, answer `too_deep(self, *args)`."""

    def decorate(method: _Method) -> _Method:
        @wraps(method)
        def bounded(self: Any, *args: Any) -> Any:
            if self._depth >= MAX_NESTING:
                return too_deep(self, *args)
            self._depth += 1
            try:
                return method(self, *args)
            finally:
                self._depth -= 1

        return bounded  # type: ignore[return-value]

    return decorate


def _too_deep_value(reader: "OriginReader", node: Node, anchor: Node) -> tuple[list[OriginRule], bool]:
    return [reader._unknown(anchor, f"the origin value is nested more than {MAX_NESTING} levels deep; not read")], False


def js_escape(text: str) -> str:
    return "".join("\\" + ch if ch in _REGEX_SPECIAL else ch for ch in text)


@record
class OriginReader:
    """Reads origin values of one file; `library` decides array `'*'` handling (@fastify/cors sends `*`)."""

    doc: Doc
    bindings: Bindings
    library: str
    context: str = ""
    _depth: int = field(default=0, init=False, repr=False)

    def prov(self, node: Node, raw: Optional[str] = None) -> Provenance:
        return self.doc.prov(node, self.context, raw)

    # --- option values ------------------------------------------------------------------------

    @_bounded(_too_deep_value)
    def value(self, node: Node, anchor: Node) -> tuple[list[OriginRule], bool]:
        """The rules an `origin` value creates, and whether it disables CORS (`false`)."""
        resolved = self.bindings.resolve(node)
        if resolved is None:
            return [self._unknown(anchor, "the origin value could not be read")], False
        kind = resolved.type
        if kind == "false":
            return [], True
        if kind == "true":
            note = "`origin: true` echoes every request Origin, `null` included"
            return [self._with_use(OriginRule(OriginKind.REFLECT, "", self.prov(anchor), note=note), resolved, anchor)], False
        env = env_read(self.doc, resolved)
        if env is not None:
            return self._env(resolved, env, anchor), False
        chosen = chosen_by_caller(self.doc, self.bindings, resolved)
        if chosen is not None:
            note = f"`{chosen}` is request data the calling page chooses, given as the allowed origin"
            rule = OriginRule(OriginKind.REFLECT, chosen, self.prov(anchor), note=note, request_data="parameter")
            return [self._with_use(rule, resolved, anchor)], False
        if kind in ("array", "new_expression") and self._array(resolved) is not None:
            return [self._with_use(r, resolved, anchor) for r in self._items(resolved, anchor)], False
        if is_function(resolved):
            return [replace(self._with_use(r, resolved, anchor), by_callback=True) for r in self.callback(resolved)], False
        if kind == "ternary_expression":
            return self._ternary(resolved, anchor), False
        single = self.literal(resolved, anchor if resolved is node or resolved.parent is anchor else resolved)
        if single is not None:
            return [self._with_use(single, resolved, anchor)], False
        return [self._unknown(anchor, f"the origin is computed by `{self.doc.raw(resolved)}`")], False

    def literal(self, node: Node, at: Node) -> Optional[OriginRule]:
        """A string, RegExp literal or `new RegExp(...)` as one rule, else None."""
        node = unwrap(node)
        text = string_value(self.doc, node)
        if text is not None:
            if text.strip() == "*":
                return OriginRule(OriginKind.ANY, "*", self.prov(at))
            return OriginRule(OriginKind.EXACT, text, self.prov(at))
        regex = self.regex(node)
        if regex is not None:
            pattern, flags = regex
            return OriginRule(
                OriginKind.PATTERN, pattern, self.prov(at), mode=MatchMode.SEARCH, ignore_case="i" in flags, dialect="js",
                note="a JavaScript RegExp, applied with `test()` (unanchored)",
            )
        return None

    def regex(self, node: Optional[Node]) -> Optional[tuple[str, str]]:
        node = self.bindings.resolve(node)
        if node is None:
            return None
        if node.type == "regex":
            pattern, flags = node.child_by_field_name("pattern"), node.child_by_field_name("flags")
            return (self.doc.text(pattern) if pattern else ""), (self.doc.text(flags) if flags else "")
        if node.type in ("new_expression", "call_expression"):
            target = node.child_by_field_name("constructor") or node.child_by_field_name("function")
            if target is not None and self.doc.text(target) == "RegExp":
                args = args_of(node)
                pattern = string_value(self.doc, args[0]) if args else None
                flags = string_value(self.doc, args[1]) if len(args) > 1 else ""
                if pattern is not None:
                    return pattern, flags or ""
        return None

    @_bounded(lambda self, node: None)
    def _array(self, node: Node) -> Optional[list[Node]]:
        """The elements of an array, `new Set([...])` or array spread, or None."""
        node = self.bindings.resolve(node)
        if node is None:
            return None
        if node.type == "new_expression":
            target = node.child_by_field_name("constructor")
            args = args_of(node)
            if target is not None and self.doc.text(target) == "Set" and args:
                return self._array(args[0])
            return None
        if node.type != "array":
            return None
        elements: list[Node] = []
        for child in node.named_children:
            if child.type == "spread_element" and child.named_children:
                inner = self._array(child.named_children[0])
                if inner is None:
                    return None
                elements.extend(inner)
            elif child.type != "comment":
                elements.append(child)
        return elements

    def _items(self, node: Node, anchor: Node) -> list[OriginRule]:
        rules = []
        for element in self._array(node) or []:
            resolved = self.bindings.resolve(element) or element
            rule = self.literal(resolved, element)
            if rule is None:
                rules.append(self._unknown(element, f"the origin list entry `{self.doc.raw(element)}` could not be read"))
            elif rule.kind is OriginKind.ANY and self.library != "fastify":
                rules.append(replace(rule, kind=OriginKind.EXACT, note="`'*'` in an origin array is compared literally",
                                     only_on_match=True))
            elif rule.kind is OriginKind.EXACT:
                rules.append(replace(rule, only_on_match=True))  # an array's entry goes only to the origin it equals
            else:
                rules.append(rule)
        return rules

    def _env(self, node: Node, variable: str, anchor: Node) -> list[OriginRule]:
        note = f"read from the environment variable `{variable}`"
        rules = [self._unknown(anchor, note)]
        fallback = self._fallback(node)
        if fallback is not None:
            inner, _ = self.value(fallback, fallback)
            at = self.prov(anchor)
            rules.extend(replace(r, prov=at, env_fallback=variable, note=f"fallback while `{variable}` is unset") for r in inner)
        return rules

    def _fallback(self, node: Node) -> Optional[Node]:
        node = unwrap(node)
        if node is not None and node.type == "binary_expression" and operator(self.doc, node) in ("||", "??"):
            return node.child_by_field_name("right")
        return None

    def _ternary(self, node: Node, anchor: Node) -> list[OriginRule]:
        condition = node.child_by_field_name("condition")
        rules: list[OriginRule] = []
        variable = env_read(self.doc, condition)
        for branch, holds in (("consequence", True), ("alternative", False)):
            child = node.child_by_field_name(branch)
            if child is None:
                continue
            inner, _ = self.value(child, child)
            if variable is not None and not holds:
                rules.extend(replace(r, env_fallback=variable, note=f"fallback while `{variable}` is unset") for r in inner)
                continue
            when = f"applies only when `{self.doc.raw(condition)}` {'holds' if holds else 'does not hold'}"
            rules.extend(r if r.kind is OriginKind.UNKNOWN else replace(r, assumption=when) for r in inner)
        return rules

    def _unknown(self, node: Node, note: str) -> OriginRule:
        return OriginRule(OriginKind.UNKNOWN, "", self.prov(node), note=note)

    def _with_use(self, rule: OriginRule, value: Node, anchor: Node) -> OriginRule:
        inside = anchor.start_byte <= value.start_byte and value.end_byte <= anchor.end_byte
        if inside or rule.prov.location.line == self.doc.location(anchor).line:
            return rule
        return replace(rule, prov=rule.prov.with_related(Related(self.doc.location(anchor), f"used here: `{self.doc.raw(anchor)}`")))

    # --- callbacks ----------------------------------------------------------------------------

    def callback(self, function: Node) -> list[OriginRule]:
        """Origins a callback lets through: `cb(null, true)`, `cb(null, list.includes(origin))`, `return origin`, ..."""
        params = _param_names(self.doc, function)
        origin_name = params[0] if params and self.library != "koa" else ""
        cb_name = params[1] if len(params) > 1 else ""
        guards = Guards(self, lambda n: _is_origin(self.doc, self.bindings, n, origin_name))
        sites = _allow_sites(self.doc, function, cb_name)
        if not sites:
            return [self._unknown(function, "the origin callback never visibly allows an origin")]
        rules: list[OriginRule] = []
        for site, value in sites:
            found = guards.site(site, value, function)
            if found is None:
                rules.append(self._unknown(site, f"the origin callback's logic around `{self.doc.raw(site)}` could not be read"))
            else:
                rules.extend(found)
        return _dedupe(rules)


class Guards:
    """Which origins a condition lets through: `want=True` asks when it holds, `want=False` when it fails."""

    def __init__(self, reader: OriginReader, is_origin: Callable[[Node], bool]) -> None:
        self.reader, self.doc, self.is_origin = reader, reader.doc, is_origin
        self._depth = 0

    def site(self, site: Node, value: Optional[Node], stop: Node) -> Rules:
        """Origins for which `site` runs with an allowing `value` (None: the site itself allows)."""
        conditions = _path_conditions(self.doc, site, stop)
        allowed = self.value(value, site) if value is not None else [self._reflect(site)]
        for condition, want in conditions:
            allowed = _both(allowed, self.allowed(condition, want), site, self)
        return allowed

    def mentions_origin(self, node: Node, depth: int = 0) -> bool:
        """Whether `node` reads the origin anywhere inside it, following names at most 4 bindings away."""
        stack = [(node, depth)]
        while stack:
            current, level = stack.pop()
            if self.is_origin(current):
                return True
            if level > 4:
                continue
            if current.type == "identifier":
                target = self.reader.bindings.lookup(self.doc.text(current), current)
                if target is not None and target is not current:
                    stack.append((target, level + 1))
                continue
            stack.extend((child, level) for child in reversed(current.named_children))
        return False

    @_bounded(lambda self, node, site: None)
    def value(self, node: Node, site: Node) -> Rules:
        node = unwrap(node)
        if node is not None and node.type == "identifier" and not self.is_origin(node):
            node = self.reader.bindings.resolve(node)
        if node is None:
            return []
        text = string_value(self.doc, node)
        if text is not None:
            return [self.reader.literal(node, node)] if text else []  # type: ignore[list-item]
        if node.type == "ternary_expression":
            condition = node.child_by_field_name("condition")
            yes = _both(self.value(node.child_by_field_name("consequence"), site), self.allowed(condition, True), site, self)
            no = _both(self.value(node.child_by_field_name("alternative"), site), self.allowed(condition, False), site, self)
            return _union(yes, no)
        if node.type in ("false", "null", "undefined") or self.doc.text(node) == "undefined":
            return []
        if self.is_origin(node):
            return [self._reflect(site)]
        if node.type != "true" and not self.mentions_origin(node):
            return None  # a value computed without looking at the origin: corslint cannot tell what it is
        return self.allowed(node, True)

    @_bounded(lambda self, node, want: None)
    def allowed(self, node: Optional[Node], want: bool) -> Rules:
        node = unwrap(node)
        if node is None:
            return None
        if node.type in ("true", "false"):
            return [self._reflect(node)] if (node.type == "true") == want else []
        if not self.mentions_origin(node):
            return [self._reflect(node)]  # a condition unrelated to the origin lets every origin through
        if self.is_origin(node):
            return [self._reflect(node)] if want else []
        if node.type == "unary_expression" and operator(self.doc, node) == "!":
            return self.allowed(node.child_by_field_name("argument"), not want)
        if node.type == "binary_expression" and operator(self.doc, node) in ("||", "&&"):
            op = operator(self.doc, node)
            parts = [self.allowed(operand, want) for operand in _operands(self.doc, node, op)]
            if (op == "||") == want:
                return None if any(part is None for part in parts) else _dedupe([r for part in parts for r in part])  # type: ignore[union-attr]
            result = parts[0]
            for part in parts[1:]:
                result = _both(result, part, node, self)
            return result
        if node.type == "identifier":
            target = self.reader.bindings.lookup(self.doc.text(node), node)
            return self.allowed(target, want) if target is not None and target is not node else None
        atom = self._atom(node)
        if atom is None:
            return None
        rules, polarity = atom
        if polarity == want:
            return rules
        note = "every origin except the listed ones is allowed (a denylist)"
        return [replace(self._reflect(node), note=note)]

    def _atom(self, node: Node) -> Optional[tuple[list[OriginRule], bool]]:
        if node.type == "call_expression":
            return self._call_atom(node)
        if node.type == "binary_expression":
            op = operator(self.doc, node)
            left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
            if op in ("===", "==", "!==", "!="):
                other = right if self.is_origin(left) else left if self.is_origin(right) else None
                rule = self.reader.literal(other, other) if other is not None else None
                if rule is not None:
                    return [rule], op in ("===", "==")
            text = f"{op} {self.doc.text(right) if right is not None else ''}".replace(" ", "")
            if left is not None and unwrap(left).type == "call_expression":
                member = self._call_atom(unwrap(left))
                if member is not None and text in {t.replace(" ", "") for t in _POSITIVE_INDEX}:
                    return member
                if member is not None and text in {t.replace(" ", "") for t in _NEGATIVE_INDEX}:
                    return member[0], not member[1]
        return None

    def _call_atom(self, call: Node) -> Optional[tuple[list[OriginRule], bool]]:
        function = unwrap(call.child_by_field_name("function"))
        args = args_of(call)
        if function is None or function.type != "member_expression" or not args:
            return None
        obj, prop = function.child_by_field_name("object"), self.doc.text(function.child_by_field_name("property"))
        if prop in ("includes", "indexOf", "has") and self.is_origin(args[0]):
            return self._membership(obj, call), True
        if prop == "test" and self.is_origin(args[0]):
            rule = self.reader.literal(obj, obj) if self.reader.regex(obj) is not None else None
            return ([rule], True) if rule is not None else ([self.reader._unknown(call, f"origins matching `{self.doc.raw(obj)}`")], True)
        if prop == "match" and self.is_origin(obj):
            rule = self.reader.literal(args[0], args[0]) if self.reader.regex(args[0]) is not None else None
            return ([rule], True) if rule is not None else None
        if prop in ("endsWith", "startsWith", "includes") and self.is_origin(obj):
            return self._string_check(call, prop, args[0])
        return None

    def _membership(self, listed: Node, call: Node) -> list[OriginRule]:
        elements = self.reader._array(listed)
        if elements is None:
            return [self.reader._unknown(call, f"an allowlist `{self.doc.raw(listed)}` whose entries corslint cannot read")]
        rules = []
        for element in elements:
            value = string_value(self.doc, self.reader.bindings.resolve(element))
            if value is None:
                rules.append(self.reader._unknown(element, f"the allowlist entry `{self.doc.raw(element)}` could not be read"))
            else:
                rules.append(OriginRule(OriginKind.EXACT, value, self.reader.prov(element), note="compared with `===` by the allowlist check"))
        return rules

    def _string_check(self, call: Node, method: str, arg: Node) -> Optional[tuple[list[OriginRule], bool]]:
        text = string_value(self.doc, self.reader.bindings.resolve(arg))
        if text is None:
            return [self.reader._unknown(call, f"`{self.doc.raw(call)}` with a value corslint cannot read")], True
        pattern = {"endsWith": f"{js_escape(text)}$", "startsWith": f"^{js_escape(text)}", "includes": js_escape(text)}[method]
        note = f"from the string check `{self.doc.raw(call)}` (modelled as the regex `{pattern}`)"
        rule = OriginRule(OriginKind.PATTERN, pattern, self.reader.prov(call), mode=MatchMode.SEARCH, dialect="js", note=note)
        return [rule], True

    def _reflect(self, node: Node) -> OriginRule:
        return OriginRule(OriginKind.REFLECT, "", self.reader.prov(node), note="the origin is allowed without a check")


def _operands(doc: Doc, node: Node, op: str) -> list[Node]:
    """The operands of a chain of one operator (`a || b || c`, parenthesised or not), left to right, without recursion."""
    found: list[Node] = []
    stack = [node]
    while stack:
        current = unwrap(stack.pop())
        if current is not None and current.type == "binary_expression" and operator(doc, current) == op:
            stack.append(current.child_by_field_name("right"))
            stack.append(current.child_by_field_name("left"))
        elif current is not None:
            found.append(current)
    return found


def _union(left: Rules, right: Rules) -> Rules:
    if left is None or right is None:
        return None
    return _dedupe(left + right)


def _both(left: Rules, right: Rules, node: Node, guards: Guards) -> Rules:
    """Origins both sides allow: exact when one side allows everything (`origin && list.includes(origin)`)."""
    if left is None or right is None:
        return None
    if not left or not right:
        return []
    if all(r.kind is OriginKind.REFLECT for r in left):
        return right
    if all(r.kind is OriginKind.REFLECT for r in right):
        return left
    return None


def _dedupe(rules: list[OriginRule]) -> list[OriginRule]:
    seen: set[tuple] = set()
    out = []
    for rule in rules:
        key = (rule.kind, rule.value, rule.prov.location)
        if key not in seen:
            seen.add(key)
            out.append(rule)
    return out


def _param_names(doc: Doc, function: Node) -> list[str]:
    params = function.child_by_field_name("parameters")
    if params is None:
        single = function.child_by_field_name("parameter")
        return [doc.text(single)] if single is not None else []
    names = []
    for child in params.named_children:
        pattern = child.child_by_field_name("pattern") if child.type in ("required_parameter", "optional_parameter") else child
        names.append(doc.text(pattern) if pattern is not None and pattern.type == "identifier" else "")
    return names


REQUEST_ORIGIN = (
    "req.headers.origin", "request.headers.origin", "req.header('origin')", "req.get('origin')", "ctx.get('origin')",
    "ctx.request.headers.origin", "ctx.request.header.origin", "ctx.headers.origin", "ctx.header.origin",
    "ctx.request.get('origin')", "req.headers['origin']", "request.headers['origin']",
)


def reads_request_origin(doc: Doc, node: Optional[Node]) -> bool:
    """`req.headers.origin`, `req.get('Origin')`, `ctx.get('Origin')` and the like (any request variable name)."""
    node = unwrap(node)
    if node is None or node.type not in ("member_expression", "call_expression", "subscript_expression"):
        return False
    text = doc.text(node).replace(" ", "").replace('"', "'").lower()
    if text.endswith("?.origin"):
        text = text.replace("?.", ".")
    tail = text.split(".", 1)[1] if "." in text else text
    return any(tail == form.split(".", 1)[1] for form in REQUEST_ORIGIN)


_CALLER_CHOSEN = lazy(
    r"^[\w$]+(?:\.request)?\.(?:query|body|params|searchParams)(?:\.[\w$]+|\[[^\]]+\]|\.get\([^)]*\))"
    r"|\.searchParams\.get\([^)]*\)$|^[\w$]+\.param\([^)]*\)$"
    r"|^(?:url\.)?parse\([\w$]+\.url(?:,[^)]*)?\)\.query(?:\.[\w$]+|\[[^\]]+\])$"
)


def chosen_by_caller(doc: Doc, bindings: Bindings, node: Optional[Node], depth: int = 0) -> Optional[str]:
    """The text of request data the calling page chooses — a query, body or path parameter (`req.query.origin`,
    `req.body.origin`, `ctx.request.query.origin`, `url.searchParams.get('origin')`) — that `node` is, else None."""
    node = unwrap(node)
    if node is None or depth > 4:
        return None
    if node.type == "identifier":
        target = bindings.lookup(doc.text(node), node)
        return chosen_by_caller(doc, bindings, target, depth + 1) if target is not None and target is not node else None
    if node.type not in ("member_expression", "subscript_expression", "call_expression"):
        return None
    text = doc.text(node).replace(" ", "").replace("?.", ".")
    return doc.raw(node) if len(text) < 200 and _CALLER_CHOSEN.search(text) else None


def _is_origin(doc: Doc, bindings: Bindings, node: Optional[Node], name: str, depth: int = 0) -> bool:
    node = unwrap(node)
    steps = 0
    while node is not None and node.type == "binary_expression" and operator(doc, node) in ("||", "??"):
        if steps == _MAX_FALLBACKS:
            return False
        node, depth, steps = unwrap(node.child_by_field_name("left")), depth + 1, steps + 1
    if node is None:
        return False
    if node.type == "identifier":
        text = doc.text(node)
        if name and text == name:
            return True
        target = bindings.lookup(text, node)
        return depth < 4 and target is not None and target is not node and _is_origin(doc, bindings, target, name, depth + 1)
    return reads_request_origin(doc, node)


def is_origin_expression(doc: Doc, bindings: Bindings, node: Optional[Node]) -> bool:
    return _is_origin(doc, bindings, node, "")


def _allow_sites(doc: Doc, function: Node, cb_name: str) -> list[tuple[Node, Optional[Node]]]:
    """(site, allowing value) pairs: `cb(null, value)` calls and `return value` statements of the function itself."""
    body = function.child_by_field_name("body")
    if body is None:
        return []
    if body.type != "statement_block":
        return [(body, body)] if not (body.type == "call_expression" and _calls(doc, body, cb_name)) else _cb_site(doc, body)
    sites: list[tuple[Node, Optional[Node]]] = []
    stack = list(reversed(body.named_children))
    while stack:
        node = stack.pop()
        if is_function(node) and node is not function:
            continue
        if node.type == "call_expression" and _calls(doc, node, cb_name):
            sites.extend(_cb_site(doc, node))
            continue
        if node.type == "return_statement":
            value = node.named_children[0] if node.named_children else None
            if value is not None and not (unwrap(value).type == "call_expression" and _calls(doc, unwrap(value), cb_name)):
                sites.append((node, value))
                continue
        stack.extend(reversed(node.named_children))
    return sorted(sites, key=lambda s: s[0].start_byte)


def _calls(doc: Doc, call: Node, name: str) -> bool:
    function = call.child_by_field_name("function")
    return bool(name) and function is not None and doc.text(function) == name


def _cb_site(doc: Doc, call: Node) -> list[tuple[Node, Optional[Node]]]:
    args = args_of(call)
    if not args or (unwrap(args[0]).type not in ("null", "undefined") and doc.text(args[0]) != "undefined"):
        return []
    return [(call, args[1] if len(args) > 1 else None)] if len(args) > 1 else []


def _path_conditions(doc: Doc, site: Node, stop: Node) -> list[tuple[Node, bool]]:
    """The conditions that must hold (`True`) or fail (`False`) for `site` to run inside function `stop`."""
    conditions: list[tuple[Node, bool]] = []
    child, node = site, site.parent
    while node is not None and node is not stop:
        if node.type == "if_statement":
            if child == node.child_by_field_name("consequence"):
                conditions.append((node.child_by_field_name("condition"), True))
            elif child == node.child_by_field_name("alternative"):
                conditions.append((node.child_by_field_name("condition"), False))
        elif node.type == "ternary_expression" and child != node.child_by_field_name("condition"):
            conditions.append((node.child_by_field_name("condition"), child == node.child_by_field_name("consequence")))
        elif node.type == "statement_block":
            conditions.extend(_early_exits(node, child))
        child, node = node, node.parent
    return conditions


def _early_exits(block: Node, child: Node) -> list[tuple[Node, bool]]:
    """`if (cond) return ...;` statements before `child`: code after them runs only when `cond` fails."""
    found = []
    for statement in block.named_children:
        if statement == child or statement.start_byte >= child.start_byte:
            break
        if statement.type == "if_statement" and statement.child_by_field_name("alternative") is None:
            consequence = statement.child_by_field_name("consequence")
            if consequence is not None and _always_exits(consequence):
                found.append((statement.child_by_field_name("condition"), False))
    return found


def _always_exits(node: Node) -> bool:
    if node.type in ("return_statement", "throw_statement"):
        return True
    if node.type == "statement_block":
        return any(c.type in ("return_statement", "throw_statement") for c in node.named_children)
    return False
