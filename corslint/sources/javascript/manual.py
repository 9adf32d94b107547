"""CORS headers written by hand in Node handlers (`res.setHeader`, `res.set`, `res.append`, `res.writeHead`,
`reply.header`, `ctx.set`, ...): one CorsPolicy per handler, with the origin guard, duplicates and the OPTIONS answer."""

from __future__ import annotations

from typing import Optional

from corslint.model import (
    CorsPolicy,
    DeliveryFact,
    DeliveryKind,
    HeaderEmission,
    ListKind,
    ListSetting,
    OriginKind,
    OriginRule,
    Preflight,
    PreflightKind,
    Related,
    Setting,
)
from corslint.records import field, record, replace
from corslint.sources.javascript.app import ROUTE_METHODS
from corslint.sources.javascript.origins import Guards, OriginReader, chosen_by_caller, is_origin_expression
from corslint.sources.javascript.syntax import Bindings, Doc, Node, args_of, callee_parts, env_read, is_function, string_value, unwrap, walk

_SETTERS = frozenset({"setHeader", "header", "set", "append", "writeHead", "headers", "vary"})
_CANONICAL = {
    name.lower(): name
    for name in (
        "Access-Control-Allow-Origin", "Access-Control-Allow-Credentials", "Access-Control-Allow-Methods",
        "Access-Control-Allow-Headers", "Access-Control-Expose-Headers", "Access-Control-Max-Age",
        "Access-Control-Allow-Private-Network", "Vary",
    )
}
_OPTIONS_TESTS = ("method==='options'", "method=='options'", "'options'===", "'options'==")
_REQUEST_HEADERS = "access-control-request-headers"


@record
class _Header:
    name: str
    value: Optional[Node]  # None for object values we cannot read
    call: Node
    action: str


@record
class _Group:
    function: Optional[Node]
    headers: list[_Header] = field(default_factory=list)


def canonical(name: str) -> str:
    return _CANONICAL.get(name.lower(), "-".join(part.capitalize() for part in name.split("-")))


class ManualHeaders:
    """Hand-written CORS headers of one file, grouped by the function that writes them."""

    def __init__(self, doc: Doc, bindings: Bindings, library_calls: list[Node]) -> None:
        self.doc, self.bindings = doc, bindings
        self.library_calls = library_calls

    def policies(self) -> list[CorsPolicy]:
        groups: dict[int, _Group] = {}
        for node in self.doc.nodes():
            if node.type != "call_expression":
                continue
            headers = self._headers(node)
            if not headers:
                continue
            function = _decorated(node) or _enclosing_function(node)
            key = function.start_byte if function is not None else -1
            groups.setdefault(key, _Group(function)).headers.extend(headers)
        return [p for p in (self._policy(g) for g in groups.values()) if p is not None]

    def _headers(self, call: Node) -> list[_Header]:
        obj, prop = callee_parts(self.doc, call)
        if not obj and _decorated(call) is not None and self._nest_header(prop):
            args = args_of(call)
            name = string_value(self.doc, args[0]) if args else None
            if name is None or not _is_cors_name(name) or len(args) < 2:
                return []
            return [_Header(canonical(name), args[1], call, "set")]
        if not obj or prop not in _SETTERS:
            return []
        args = args_of(call)
        action = "append" if prop == "append" else "set"
        if prop == "vary":
            value = string_value(self.doc, args[0]) if args else None
            return [_Header("Vary", args[0], call, "append")] if value and "origin" in value.lower() else []
        if prop == "writeHead":
            objects = [a for a in args[1:] if unwrap(a).type == "object"]
            return self._object_headers(objects[0], call, action) if objects else []
        if not args:
            return []
        if len(args) == 1 and unwrap(args[0]).type == "object":
            return self._object_headers(args[0], call, action)
        name = string_value(self.doc, args[0])
        if name is None or not _is_cors_name(name) or len(args) < 2:
            return []
        return [_Header(canonical(name), args[1], call, action)]

    def _object_headers(self, node: Node, call: Node, action: str) -> list[_Header]:
        found = []
        for pair in unwrap(node).named_children:
            if pair.type != "pair":
                continue
            key = pair.child_by_field_name("key")
            name = string_value(self.doc, key) if key is not None and key.type == "string" else self.doc.text(key) if key is not None else None
            if name and _is_cors_name(name):
                found.append(_Header(canonical(name), pair.child_by_field_name("value"), pair, action))
        return found

    def _nest_header(self, name: str) -> bool:
        """NestJS's `@Header()` method decorator, as imported from @nestjs/common (renamed or not)."""
        module, imported = self.bindings.imports.get(name, ("", ""))
        return module == "@nestjs/common" and imported == "Header"

    # --- one policy per handler ---------------------------------------------------------------

    def _policy(self, group: _Group) -> Optional[CorsPolicy]:
        headers = group.headers
        if not any(h.name.lower().startswith("access-control-") for h in headers):
            return None
        scope = self._scope(group.function)
        first = headers[0].call
        label = "nestjs-handler" if all(_decorated(h.call) is not None for h in headers) else "node"
        policy = CorsPolicy(label, scope, self.doc.location(first))
        policy.paths, policy.path_match = self._route(group.function)
        reader = OriginReader(self.doc, self.bindings, label, scope)
        guards = Guards(reader, lambda n: is_origin_expression(self.doc, self.bindings, n))
        stop = group.function if group.function is not None else self.doc.root
        for header in headers:
            policy.emissions.append(self._emission(header, scope, stop))
        policy.emissions = _with_allowed_origin(headers, policy.emissions, stop)
        policy.delivery.extend(self._duplicates(headers, policy.emissions))
        repeated = {fact.prov.location for fact in policy.delivery}
        for header, emission in zip(headers, policy.emissions):
            if emission.prov.location not in repeated or header.name.lower() != "access-control-allow-origin":
                self._apply(policy, header, emission, reader, guards, stop)
        branch = self._options_branch(group.function) if group.function is not None else None
        if branch is not None:
            policy.emissions = [replace(e, options_only=True) if e.conditional and _within(e, branch) else e for e in policy.emissions]
        policy.preflight = self._preflight(group, policy.emissions, scope)
        return policy

    def _emission(self, header: _Header, scope: str, stop: Node) -> HeaderEmission:
        value = header.value
        text = string_value(self.doc, value) if value is not None else None
        raw = text if text is not None else (self.doc.text(value) if value is not None else "")
        conditional = _inside_condition(header.call, stop)
        return HeaderEmission(header.name, raw, self.doc.prov(header.call, scope), None, conditional, header.action,
                              computed=text is None)

    def _apply(self, policy: CorsPolicy, header: _Header, emission: HeaderEmission, reader: OriginReader, guards: Guards, stop: Node) -> None:
        low, prov, value = header.name.lower(), emission.prov, header.value
        text = string_value(self.doc, value) if value is not None else None
        if low == "access-control-allow-origin":
            policy.origins.extend(self._origin(header, reader, guards, stop))
        elif low == "access-control-allow-credentials":
            credentials = Setting.known(text.strip() == "true", prov) if text is not None else _literal_bool(value, prov)
            if not policy.credentials_on():
                policy.credentials = credentials
        elif low in ("access-control-allow-methods", "access-control-allow-headers", "access-control-expose-headers"):
            setting = self._list(value, text, prov)
            attr = {"access-control-allow-methods": "methods", "access-control-allow-headers": "allow_headers"}.get(low, "expose_headers")
            setattr(policy, attr, setting)
        elif low == "access-control-max-age":
            number = unwrap(value)
            if text is not None:
                policy.max_age = Setting.known(text, prov)
            elif number is not None and number.type == "number":
                text = self.doc.text(number)
                policy.max_age = Setting.known(int(text) if text.isdigit() and len(text) <= 18 else text, prov)
            else:
                policy.max_age = Setting.unknown(prov)
        elif low == "vary" and (text is None or "origin" in text.lower() or text.strip() == "*"):
            policy.vary_origin = Setting.known(True, prov) if text is not None else Setting.unknown(prov)

    def _origin(self, header: _Header, reader: OriginReader, guards: Guards, stop: Node) -> list[OriginRule]:
        value, call = header.value, header.call
        prov = self.doc.prov(call, reader.context)
        if value is None:
            return [OriginRule(OriginKind.UNKNOWN, "", prov, note="the header value could not be read")]
        if env_read(self.doc, value) is not None:
            rules, _ = reader.value(value, call)
            return rules
        if unwrap(value) is not None and unwrap(value).type == "null":
            # checked on Node 20: `res.setHeader(name, null)` sends the text `null`
            return [OriginRule(OriginKind.NULL, "null", prov, note="Node sends the JavaScript `null` as the text `null`")]
        chosen = chosen_by_caller(self.doc, self.bindings, value)
        if chosen is not None:
            # checked against an allowlist first, the value is as good as the allowlist; unchecked, the page chooses it
            picked = Guards(reader, lambda n: chosen_by_caller(self.doc, self.bindings, n) is not None).site(call, value, stop)
            if picked is None:
                return [OriginRule(OriginKind.UNKNOWN, "", prov, note=f"the check of `{chosen}` could not be read")]
            note = f"`{chosen}` is request data the calling page chooses, copied into the header"
            return [
                replace(_at_call(rule, prov, value, self.doc), value=chosen, note=note, request_data="parameter")
                if rule.kind is OriginKind.REFLECT else _at_call(rule, prov, value, self.doc)
                for rule in picked
            ]
        found = guards.site(call, value, stop)
        if found is None:
            return [OriginRule(OriginKind.UNKNOWN, "", prov, note=f"the value `{self.doc.raw(value)}` or its guard could not be read")]
        return [_at_call(rule, prov, value, self.doc) for rule in found]

    def _list(self, value: Optional[Node], text: Optional[str], prov) -> ListSetting:
        if text is not None:
            items = tuple(part.strip() for part in text.split(",") if part.strip())
            return ListSetting(ListKind.EXPLICIT, items, prov, tuple(prov for _ in items))
        raw = self.doc.text(value).lower() if value is not None else ""
        if _REQUEST_HEADERS in raw or "access-control-request-method" in raw:
            return ListSetting(ListKind.REFLECT, (), prov)
        return ListSetting(ListKind.UNKNOWN, (), prov)

    def _duplicates(self, headers: list[_Header], emissions: list[HeaderEmission]) -> list[DeliveryFact]:
        facts = []
        seen: dict[str, HeaderEmission] = {}
        for header, emission in zip(headers, emissions):
            low = header.name.lower()
            earlier = seen.get(low)
            if earlier is not None and header.action == "append" and low != "vary":
                related = Related(earlier.prov.location, f"{header.name} first set here")
                facts.append(DeliveryFact(DeliveryKind.DUPLICATE, header.name, emission.prov.with_related(related)))
            elif earlier is None and header.action == "append" and low == "access-control-allow-origin" and self.library_calls:
                first = self.library_calls[0]
                related = Related(self.doc.location(first), "the CORS middleware sets Access-Control-Allow-Origin too")
                facts.append(DeliveryFact(DeliveryKind.DUPLICATE, header.name, emission.prov.with_related(related)))
            seen.setdefault(low, emission)
        return facts

    def _preflight(self, group: _Group, emissions: list[HeaderEmission], scope: str) -> Preflight:
        function = group.function
        if function is None:
            return Preflight(PreflightKind.UNKNOWN)
        branch = self._options_branch(function)
        if branch is not None:
            answered = tuple(e for e in emissions if _before(e, branch, self.doc))
            return Preflight(PreflightKind.ANSWERED, self.doc.prov(branch, scope), answered)
        registration = function.parent.parent if function.parent is not None and function.parent.type == "arguments" else None
        if registration is None or registration.type != "call_expression":
            return Preflight(PreflightKind.UNKNOWN)
        obj, prop = callee_parts(self.doc, registration)
        if prop in ("use", "options"):
            always = tuple(e for e in emissions if not e.conditional)
            return Preflight(PreflightKind.ANSWERED, self.doc.prov(registration, scope), always,
                             note="the middleware runs for OPTIONS too", passes_on=True)
        if prop in ("get", "post", "put", "delete", "patch") and not self._options_elsewhere(obj):
            note = (
                f"the headers are set only in the `{obj}.{prop}` handler; Express answers the OPTIONS preflight "
                "itself with 200 and `Allow`, without them"
            )
            return Preflight(PreflightKind.NOT_HANDLED, self.doc.prov(registration, scope), status=200, note=note)
        return Preflight(PreflightKind.UNKNOWN)

    def _options_branch(self, function: Node) -> Optional[Node]:
        for node in walk(function):
            if node.type == "if_statement" and node is not function:
                condition = node.child_by_field_name("condition")
                text = self.doc.text(condition).replace(" ", "").replace('"', "'").lower() if condition is not None else ""
                if any(test in text for test in _OPTIONS_TESTS) and "!" not in text:
                    return node
        return None

    def _options_elsewhere(self, obj: str) -> bool:
        if self.library_calls:
            return True
        return any(
            node.type == "call_expression" and callee_parts(self.doc, node) == (obj, "options") for node in self.doc.nodes()
        )

    def _route(self, function: Optional[Node]) -> tuple[tuple[str, ...], str]:
        """The path a handler is registered for: `app.use('/api', fn)` a prefix, `app.get('/api/items', fn)` a route."""
        parent = function.parent if function is not None else None
        if parent is None or parent.type != "arguments" or parent.parent is None:
            return (), ""
        call = parent.parent
        _, prop = callee_parts(self.doc, call)
        args = args_of(call)
        path = string_value(self.doc, args[0]) if args and args[0] is not function else None
        if path is None or not path.startswith("/"):
            return (), ""
        if prop not in ROUTE_METHODS and prop != "use":
            return (), ""
        if not self._is_application(call):
            return (path,), "route-mounted"  # a router's path, under a mount point the file may not show
        return (path,), ("" if prop == "use" else "route")

    def _is_application(self, call: Node) -> bool:
        """Is the object a route is registered on the application itself (`express()`, `new Koa()`, `fastify()`)?"""
        function = call.child_by_field_name("function")
        target = function.child_by_field_name("object") if function is not None else None
        created = self.bindings.resolve(target)
        if created is None or created.type not in ("call_expression", "new_expression"):
            return False
        callee = created.child_by_field_name("function") or created.child_by_field_name("constructor")
        text = self.doc.text(callee) if callee is not None else ""
        return any(name in text for name in _APPLICATIONS)

    def _scope(self, function: Optional[Node]) -> str:
        if function is None:
            return "top level"
        parent = function.parent
        if parent is not None and parent.type == "arguments" and parent.parent is not None:
            call = parent.parent
            obj, prop = callee_parts(self.doc, call)
            args = args_of(call)
            path = string_value(self.doc, args[0]) if args else None
            where = f"'{path}'" if path is not None else "…"
            return f"{obj}.{prop}({where}) handler" if obj else f"{prop}() handler"
        name = function.child_by_field_name("name")
        if name is not None:
            return f"function {self.doc.text(name)}"
        return f"handler at line {function.start_point[0] + 1}"


_APPLICATIONS = ("express", "Koa", "fastify", "Fastify", "createServer")


def _is_cors_name(name: str) -> bool:
    low = name.lower()
    return low.startswith("access-control-") or low == "vary"


def _literal_bool(value: Optional[Node], prov) -> Setting:
    node = unwrap(value)
    if node is not None and node.type in ("true", "false"):
        return Setting.known(node.type == "true", prov)
    return Setting.unknown(prov)


def _at_call(rule: OriginRule, prov, value: Node, doc: Doc) -> OriginRule:
    """Rules of a header value point at the header call, except allowlist entries (they point at the entry)."""
    if rule.kind in (OriginKind.REFLECT, OriginKind.ANY) or (rule.kind is OriginKind.EXACT and rule.prov.location.line == prov.location.line):
        note = rule.note if rule.kind is not OriginKind.REFLECT or "denylist" in rule.note else "the request Origin is echoed into the header"
        return OriginRule(rule.kind, rule.value, prov, rule.mode, rule.ignore_case, rule.dialect, note, rule.assumption, rule.env_fallback)
    return rule


def _inside_condition(node: Node, stop: Node) -> bool:
    current = node.parent
    while current is not None and current != stop:
        if current.type in ("if_statement", "ternary_expression", "switch_case", "catch_clause"):
            return True
        current = current.parent
    return False


def _innermost_if(node: Node, stop: Node) -> Optional[Node]:
    current = node.parent
    while current is not None and current != stop:
        if current.type == "if_statement":
            return current
        current = current.parent
    return None


def _with_allowed_origin(headers: list[_Header], emissions: list[HeaderEmission], stop: Node) -> list[HeaderEmission]:
    """Headers set in the same `if` block as a computed Allow-Origin go out exactly when it does."""
    blocks = {
        id(block) for header, emission in zip(headers, emissions)
        if header.name.lower() == "access-control-allow-origin" and emission.computed
        for block in [_innermost_if(header.call, stop)] if block is not None
    }
    return [
        replace(emission, with_allowed_origin=True)
        if header.name.lower() != "access-control-allow-origin" and id(_innermost_if(header.call, stop)) in blocks else emission
        for header, emission in zip(headers, emissions)
    ]


def _within(emission: HeaderEmission, branch: Node) -> bool:
    return branch.start_point[0] + 1 <= emission.prov.location.line <= branch.end_point[0] + 1


def _before(emission: HeaderEmission, branch: Node, doc: Doc) -> bool:
    return emission.prov.location.line <= branch.end_point[0] + 1


def _decorated(call: Node) -> Optional[Node]:
    """The method a decorator call (`@Header('Access-Control-Allow-Origin', '*')`) is written on."""
    decorator = call.parent
    if decorator is None or decorator.type != "decorator":
        return None
    member = decorator.next_named_sibling
    while member is not None and member.type == "decorator":
        member = member.next_named_sibling
    return member if member is not None and member.type == "method_definition" else decorator.parent


def _enclosing_function(node: Node) -> Optional[Node]:
    current = node.parent
    while current is not None:
        if is_function(current):
            return current
        current = current.parent
    return None
