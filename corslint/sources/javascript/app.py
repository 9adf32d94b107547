"""Finds where a Node CORS library is enabled in one file (npm `cors`, @fastify/cors, @koa/cors, NestJS,
socket.io), how it is registered (app-level, per route, `app.options`) and the Express facts that follow:
which preflights are answered and whether `app.use(cors())` comes after the routes it should cover."""

from __future__ import annotations

from typing import Optional

from corslint.model import DEPRECATED_OPTION, MIDDLEWARE_ORDER, VULNERABLE_VERSION
from corslint.model import Preflight, PreflightKind, WiringFact
from corslint.records import record
from corslint.sources.javascript.libraries import FASTIFY_CORS, KOA_CORS, NPM_CORS, Library, Use
from corslint.sources.javascript.syntax import (
    Bindings,
    Doc,
    Node,
    args_of,
    callee_parts,
    object_props,
    required_module,
    string_value,
    unwrap,
)

ROUTE_METHODS = frozenset({"get", "post", "put", "delete", "patch", "all", "head", "options"})
_MODULES = {"cors": NPM_CORS, "@fastify/cors": FASTIFY_CORS, "fastify-cors": FASTIFY_CORS, "@koa/cors": KOA_CORS, "kcors": KOA_CORS}
_SOCKET_IO = ("socket.io",)
_RENAMED = {"kcors": "@koa/cors", "fastify-cors": "@fastify/cors"}
# every kcors release (2.x) predates @koa/cors 5.0.0, whose default origin stopped echoing the request Origin
_KCORS_ADVISORY = (
    "every `kcors` release predates @koa/cors 5.0.0 and echoes the request Origin when no `origin` is set "
    "(CVE-2023-49803, GHSA-qxrj-hx23-xp82)"
)


@record
class Route:
    """`app.get('/path', ...)`: the object, method, path and call."""

    obj: str
    method: str
    path: str
    call: Node


@record
class Registration:
    kind: str  # "use", "route", "options", "other"
    obj: str
    path: str
    call: Optional[Node]


class AppScanner:
    """All library uses of one file."""

    def __init__(self, doc: Doc, bindings: Bindings) -> None:
        self.doc, self.bindings = doc, bindings
        self.calls = [n for n in doc.nodes() if n.type in ("call_expression", "new_expression")]
        self.factories = self._factories()
        self.routes = [r for r in (self._route(c) for c in self.calls) if r is not None]
        self.nest_fastify = any(
            module == "@nestjs/platform-fastify" for module, _ in bindings.imports.values()
        ) or b"FastifyAdapter" in doc.data

    # --- which names are CORS factories -------------------------------------------------------

    def _factories(self) -> dict[str, Library]:
        found = {local: _MODULES[module] for local, (module, name) in self.bindings.imports.items()
                 if module in _MODULES and name in ("default", "*", "cors")}
        if "cors" not in found and "cors" not in self.bindings.imports and "cors" not in self.bindings.values:
            found["cors"] = self._snippet_library()
        return found

    def _snippet_library(self) -> Library:
        """A pasted `cors(...)` without its import: the framework the file otherwise shows, else npm `cors`."""
        data = self.doc.data
        if b"register(cors" in data or b"fastify" in data.lower():
            return FASTIFY_CORS
        if b"new Koa(" in data or b"ctx." in data:
            return KOA_CORS
        return NPM_CORS

    def library_of(self, node: Optional[Node], depth: int = 0) -> Optional[Library]:
        """The library a factory expression names: an imported identifier or an inline `require('cors')`."""
        node = unwrap(node)
        if node is None:
            return None
        module = required_module(self.doc, node)
        if module is not None:
            return _MODULES.get(module)
        if node.type == "identifier":
            found = self.factories.get(self.doc.text(node))
            target = self.bindings.lookup(self.doc.text(node), node) if found is None else None
            if target is not None and target.type == "identifier" and depth < 4:
                return self.library_of(target, depth + 1)
            return found
        return None

    def _package_facts(self, factory: Optional[Node]) -> list[WiringFact]:
        """Renamed packages (`kcors`, `fastify-cors`) and the advisory every `kcors` release carries."""
        factory = unwrap(factory)
        if factory is None:
            return []
        module = required_module(self.doc, factory)
        where: Optional[Node] = factory
        if module is None and factory.type == "identifier":
            name = self.doc.text(factory)
            module = self.bindings.imports.get(name, ("", ""))[0]
            where = self.bindings.import_nodes.get(name)
        if module not in _RENAMED or where is None:
            return []
        prov = self.doc.prov(where)
        detail = f"The package was renamed to `{_RENAMED[module]}`; the old name receives no fixes"
        facts = [WiringFact(DEPRECATED_OPTION, prov, detail, module, _RENAMED[module])]
        if module == "kcors":
            facts.append(WiringFact(VULNERABLE_VERSION, prov, _KCORS_ADVISORY, "kcors", "@koa/cors 5.0.0"))
        return facts

    # --- uses ---------------------------------------------------------------------------------

    def uses(self) -> list[Use]:
        found: list[Use] = []
        for call in self.calls:
            use = self._factory_call(call) or self._fastify(call) or self._nest(call) or self._socketio(call) or self._apollo(call)
            if use is not None:
                found.append(use)
        return found

    def _factory_call(self, call: Node) -> Optional[Use]:
        if call.type != "call_expression":
            return None
        lib = self.library_of(call.child_by_field_name("function"))
        if lib is None or lib is FASTIFY_CORS:
            return None
        args = args_of(call)
        registrations = self._registrations(call)
        scope = self._scope(call, registrations)
        use = Use(lib, lib.key, call, args[0] if args else None, scope)
        use.wiring.extend(self._package_facts(call.child_by_field_name("function")))
        use.legacy_default = any(f.subject == "kcors" for f in use.wiring)
        use.paths = tuple(dict.fromkeys(r.path for r in registrations if r.path))
        if lib is NPM_CORS:
            use.preflight = self._express_preflight(call, registrations)
            use.wiring.extend(self._order(registrations))
        else:
            use.preflight = Preflight(PreflightKind.LIBRARY, self.doc.prov(call, scope))
        return use

    def _fastify(self, call: Node) -> Optional[Use]:
        obj, prop = callee_parts(self.doc, call)
        if call.type != "call_expression" or prop != "register":
            return None
        args = args_of(call)
        if not args or self.library_of(args[0]) is not FASTIFY_CORS:
            return None
        scope = f"{obj}.register(cors)" if obj else "register(cors)"
        use = Use(FASTIFY_CORS, "fastify", call, args[1] if len(args) > 1 else None, scope)
        use.wiring.extend(self._package_facts(args[0]))
        use.preflight = Preflight(PreflightKind.LIBRARY, self.doc.prov(call, scope))
        return use

    def _nest(self, call: Node) -> Optional[Use]:
        if call.type != "call_expression":
            return None
        obj, prop = callee_parts(self.doc, call)
        lib = FASTIFY_CORS if self.nest_fastify else NPM_CORS
        args = args_of(call)
        if prop == "enableCors":
            scope = f"{obj}.enableCors()" if obj else "enableCors()"
            use = Use(lib, "nestjs", call, args[0] if args else None, scope)
        elif prop == "create" and obj.endswith("NestFactory") and args:
            use = self._nest_create(call, args, lib)
            if use is None:
                return None
        else:
            return None
        use.preflight = Preflight(PreflightKind.LIBRARY, self.doc.prov(call, use.scope))
        return use

    def _nest_create(self, call: Node, args: list[Node], lib: Library) -> Optional[Use]:
        for arg in args[1:]:
            props = object_props(self.doc, self.bindings, arg)
            found = props.get("cors") if props is not None else None
            if found is None:
                continue
            pair, value = found
            resolved = self.bindings.resolve(value)
            if resolved is not None and resolved.type == "false":
                return None
            defaults = resolved is not None and resolved.type == "true"
            return Use(lib, "nestjs", pair, None if defaults else value, "NestFactory.create({ cors })", defaults=defaults)
        return None

    def _socketio(self, call: Node) -> Optional[Use]:
        target = call.child_by_field_name("constructor") if call.type == "new_expression" else call.child_by_field_name("function")
        if target is None or not self._is_socketio(target):
            return None
        return self._cors_option(call, "socketio", "socket.io Server({ cors })")

    def _apollo(self, call: Node) -> Optional[Use]:
        """Apollo Server's `cors` option, handed to npm `cors`: `new ApolloServer({ cors })` (apollo-server) and
        `server.applyMiddleware({ app, cors })` (apollo-server-express)."""
        if call.type == "new_expression":
            target = unwrap(call.child_by_field_name("constructor"))
            if target is None or self.bindings.imports.get(self.doc.text(target), ("", ""))[0] != "apollo-server":
                return None
            scope = "new ApolloServer({ cors })"
        elif callee_parts(self.doc, call)[1] in ("applyMiddleware", "getMiddleware") and any(
            module.startswith("apollo-server-") for module, _ in self.bindings.imports.values()
        ):
            scope = f"{callee_parts(self.doc, call)[1]}({{ cors }})"
        else:
            return None
        return self._cors_option(call, "apollo", scope)

    def _cors_option(self, call: Node, label: str, scope: str) -> Optional[Use]:
        """A `cors` option handed to npm `cors` (socket.io, Apollo Server): `true` is its defaults, `false` none."""
        for arg in args_of(call):
            props = object_props(self.doc, self.bindings, arg)
            found = props.get("cors") if props is not None else None
            if found is None:
                continue
            pair, value = found
            resolved = self.bindings.resolve(value)
            if resolved is None or resolved.type == "false":
                return None
            defaults = resolved.type == "true"
            use = Use(NPM_CORS, label, pair, None if defaults else value, scope, defaults=defaults)
            use.preflight = Preflight(PreflightKind.LIBRARY, self.doc.prov(pair, scope))
            return use
        return None

    def _is_socketio(self, target: Node) -> bool:
        target = unwrap(target)
        if target is None:
            return False
        if required_module(self.doc, target) in _SOCKET_IO:
            return True
        text = self.doc.text(target)
        head, _, tail = text.partition(".")
        module, name = self.bindings.imports.get(head, ("", ""))
        if module in _SOCKET_IO:
            return not tail or tail == "Server"
        return False

    # --- Express registration -----------------------------------------------------------------

    def _route(self, call: Node) -> Optional[Route]:
        if call.type != "call_expression":
            return None
        obj, prop = callee_parts(self.doc, call)
        args = args_of(call)
        if not obj or prop not in ROUTE_METHODS or len(args) < 2:
            return None
        path = string_value(self.doc, args[0])
        if path is None:
            return None
        return Route(obj, prop, path, call)

    def _registrations(self, factory_call: Node) -> list[Registration]:
        """Where a `cors(...)` middleware is registered: directly, or through the variable holding it."""
        parent = factory_call.parent
        if parent is not None and parent.type == "arguments":
            return [self._registration(parent.parent)]
        holder = _declared_name(self.doc, factory_call)
        if holder is None:
            return [Registration("other", "", "", None)]
        found = []
        for call in self.calls:
            if call.type == "call_expression" and any(self.doc.text(a) == holder for a in args_of(call)):
                found.append(self._registration(call))
        return found or [Registration("other", "", "", None)]

    def _registration(self, call: Node) -> Registration:
        obj, prop = callee_parts(self.doc, call)
        args = args_of(call)
        path = string_value(self.doc, args[0]) if args else None
        if prop == "use":
            return Registration("use", obj, path or "", call)
        if prop == "options":
            return Registration("options", obj, path or "", call)
        if prop in ROUTE_METHODS or prop == "route":
            return Registration("route", obj, path or "", call)
        return Registration("other", obj, path or "", call)

    def _scope(self, call: Node, registrations: list[Registration]) -> str:
        first = registrations[0] if registrations else None
        if first is None or first.call is None:
            return f"cors() at line {call.start_point[0] + 1}"
        method = callee_parts(self.doc, first.call)[1]
        path = f"'{first.path}', " if first.path else ""
        return f"{first.obj}.{method}({path}cors(…))"

    def _express_preflight(self, call: Node, registrations: list[Registration]) -> Preflight:
        anchor = self.doc.prov(call)
        kinds = {r.kind for r in registrations}
        if kinds & {"use", "options"}:
            return Preflight(PreflightKind.LIBRARY, anchor)
        if "route" not in kinds:
            return Preflight(PreflightKind.UNKNOWN, anchor, note="the middleware is exported or stored; corslint cannot see where it runs")
        for registration in registrations:
            if registration.kind == "route" and not self._options_answered(registration):
                route = registration.call
                prov = self.doc.prov(route)
                note = (
                    f"`cors()` is registered only on the route `{registration.obj}.{callee_parts(self.doc, route)[1]}"
                    f"('{registration.path}')`; Express answers its OPTIONS preflight itself with 200 and `Allow`, "
                    f"without CORS headers (add `{registration.obj}.options('{registration.path}', cors(…))`)"
                )
                return Preflight(PreflightKind.NOT_HANDLED, prov, note=note)
        return Preflight(PreflightKind.LIBRARY, anchor)

    def _options_answered(self, registration: Registration) -> bool:
        """An app-level `use` of any CORS middleware, or an `options` route for this path (or a catch-all)."""
        for call in self.calls:
            obj, prop = callee_parts(self.doc, call)
            if obj != registration.obj or prop not in ("use", "options"):
                continue
            args = args_of(call)
            path = string_value(self.doc, args[0]) if args else None
            if prop == "options" and path is not None and (path == registration.path or "*" in path):
                return True
            if prop == "use" and any(self._is_cors_middleware(a) for a in args):
                return path is None or registration.path.startswith(path)
        return False

    def _is_cors_middleware(self, node: Node) -> bool:
        node = unwrap(node)
        if node is not None and node.type == "call_expression":
            return self.library_of(node.child_by_field_name("function")) is not None
        resolved = self.bindings.resolve(node)
        return resolved is not None and resolved is not node and self._is_cors_middleware(resolved)

    def _order(self, registrations: list[Registration]) -> list[WiringFact]:
        facts = []
        for registration in registrations:
            if registration.kind != "use" or registration.call is None:
                continue
            use = registration.call
            earlier = [
                r for r in self.routes
                if r.obj == registration.obj and r.call.start_byte < use.start_byte
                and _same_function(r.call, use) and r.path.startswith(registration.path or "")
            ]
            if earlier:
                listed = ", ".join(f"`{r.method.upper()} {r.path}` (line {r.call.start_point[0] + 1})" for r in earlier[:4])
                more = f" and {len(earlier) - 4} more" if len(earlier) > 4 else ""
                detail = (
                    f"`{self.doc.raw(use)}` (line {use.start_point[0] + 1}) is registered after the route"
                    f"{'s' if len(earlier) > 1 else ''} {listed}{more} on `{registration.obj}`, which {'answer' if len(earlier) > 1 else 'answers'} first"
                )
                routes = tuple(f"{r.method.upper()} {r.path}" for r in earlier)
                facts.append(WiringFact(MIDDLEWARE_ORDER, self.doc.prov(use), detail, "cors()", routes=routes))
        return facts


def _declared_name(doc: Doc, node: Node) -> Optional[str]:
    parent = node.parent
    while parent is not None and parent.type in ("parenthesized_expression", "as_expression", "non_null_expression"):
        parent = parent.parent
    if parent is not None and parent.type == "variable_declarator":
        name = parent.child_by_field_name("name")
        return doc.text(name) if name is not None and name.type == "identifier" else None
    return None


def _enclosing_function(node: Node) -> Optional[Node]:
    current = node.parent
    while current is not None:
        if current.type in ("arrow_function", "function_expression", "function_declaration", "method_definition"):
            return current
        current = current.parent
    return None


def _same_function(a: Node, b: Node) -> bool:
    fa, fb = _enclosing_function(a), _enclosing_function(b)
    return (fa is None and fb is None) or (fa is not None and fb is not None and fa == fb)
