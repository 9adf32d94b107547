"""Python source, hand-written CORS headers in Flask and Django code: one policy per function that sets
`Access-Control-*` headers, with request-Origin reflection unless an allowlist check guards it."""

from __future__ import annotations

import ast
from typing import Iterator, Optional

from corslint.lazy_regex import lazy
from corslint.model import (
    CorsPolicy,
    DeliveryFact,
    DeliveryKind,
    HeaderEmission,
    ListKind,
    ListSetting,
    MatchMode,
    OriginKind,
    OriginRule,
    Preflight,
    PreflightKind,
    Related,
    Setting,
)
from corslint.records import record
from corslint.sources.python.common import local_names, route_paths
from corslint.sources.python.module import PyModule
from corslint.sources.python.values import Evaluator, ModuleEnv, Regex, Req, Val, dotted, keyword

CANONICAL = {
    name.lower(): name
    for name in (
        "Access-Control-Allow-Origin", "Access-Control-Allow-Credentials", "Access-Control-Allow-Methods",
        "Access-Control-Allow-Headers", "Access-Control-Expose-Headers", "Access-Control-Max-Age",
        "Access-Control-Allow-Private-Network", "Vary",
    )
}
_REQUEST_HEADERS = {
    "origin": "origin", "http_origin": "origin",
    "access-control-request-headers": "access-control-request-headers",
    "http_access_control_request_headers": "access-control-request-headers",
    "access-control-request-method": "access-control-request-method",
    "http_access_control_request_method": "access-control-request-method",
}
_HOOKS = ("after_request", "after_app_request", "process_response")
_ROUTES = ("route", "get", "post", "put", "patch", "delete")
# the OPTIONS answer runs through the same code as the actual responses, so it carries the same headers
SAME_CODE = "OPTIONS answers run through this code and get the same headers"
_STOPS = ("abort", "HttpResponseForbidden", "PermissionDenied")


# request data the calling page chooses: Flask `request.args/values/form/json`, Django `request.GET/POST`, Starlette
# `request.query_params/path_params`
CALLER_CHOSEN = "parameter"
_CALLER_CHOSEN = lazy(r"request\.(?:args|values|form|json|GET|POST|query_params|path_params)$")


def _reads_json_body(node: ast.AST) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get_json" and dotted(node.func.value).endswith("request")


def request_value(node: ast.AST) -> Optional[Req]:
    """`request.headers.get("Origin")`, `request.origin`, `request.META["HTTP_ORIGIN"]` and the like."""
    if isinstance(node, ast.Attribute) and node.attr == "origin" and dotted(node.value).endswith("request"):
        return Req("origin")
    key: Optional[ast.AST] = None
    holder: Optional[ast.AST] = None
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get" and node.args:
        holder, key = node.func.value, node.args[0]
    elif isinstance(node, ast.Subscript):
        holder, key = node.value, node.slice
    if holder is None or not isinstance(key, ast.Constant) or not isinstance(key.value, str):
        return None
    if _CALLER_CHOSEN.search(dotted(holder)) or _reads_json_body(holder):
        return Req(CALLER_CHOSEN)
    if not dotted(holder).endswith(("request.headers", "request.META", "request.environ")):
        return None
    header = _REQUEST_HEADERS.get(key.value.lower())
    return Req(header) if header else None


@record
class Write:
    name: str
    value: Val
    stmt: ast.stmt
    action: str
    conditional: bool
    block: int  # id of the statement list holding the statement


FLASK_HANDLER = "flask-handler"
DJANGO_VIEW = "django-view"


def label(mod: PyModule) -> str:
    """Headers a view writes itself are the framework's, not its CORS library's (flask-cors, django-cors-headers)."""
    text = mod.text
    if "django" in text or "request.META" in text:
        return DJANGO_VIEW
    return FLASK_HANDLER


def extract_manual(mod: PyModule, env: ModuleEnv) -> list[CorsPolicy]:
    policies = []
    source = label(mod)
    for func in [n for n in ast.walk(mod.tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]:
        writes = list(_writes(mod, env, func))
        if any(w.name.lower().startswith("access-control-") for w in writes):
            policies.append(_policy(mod, env, func, writes, source))
    return policies


def _own_statements(func: ast.AST) -> Iterator[tuple[ast.stmt, bool, int]]:
    """(statement, inside an if/loop/try, id of its block) for the function's own statements, not nested defs."""
    def walk(body: list[ast.stmt], nested: bool) -> Iterator[tuple[ast.stmt, bool, int]]:
        for stmt in body:
            yield stmt, nested, id(body)
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                continue
            for name in ("body", "orelse", "finalbody"):
                inner = getattr(stmt, name, None)
                if isinstance(inner, list) and inner and isinstance(inner[0], ast.stmt):
                    yield from walk(inner, nested or not isinstance(stmt, ast.With))
            for handler in getattr(stmt, "handlers", []):
                yield from walk(handler.body, True)
    yield from walk(func.body, False)  # type: ignore[attr-defined]


def _writes(mod: PyModule, env: ModuleEnv, func: ast.AST) -> Iterator[Write]:
    evaluate = Evaluator(mod, local_names(env, func, request_value), request_value)
    for stmt, nested, block in _own_statements(func):
        for name, value, action in _header_writes(stmt, evaluate):
            canonical = CANONICAL.get(name.lower())
            if canonical is not None or name.lower().startswith("access-control-"):
                yield Write(canonical or name, value, stmt, action, nested, block)


def _header_writes(stmt: ast.stmt, evaluate: Evaluator) -> Iterator[tuple[str, Val, str]]:
    if isinstance(stmt, ast.Assign):
        for target in stmt.targets:
            if isinstance(target, ast.Subscript) and not dotted(target.value).endswith("environ"):
                name = evaluate(target.slice).text()
                if name:
                    yield name, evaluate(stmt.value), "set"
    compound = isinstance(getattr(stmt, "body", None), list)
    for call in [] if compound else [n for n in ast.walk(stmt) if isinstance(n, ast.Call)]:
        yield from _call_writes(call, evaluate)
    if isinstance(stmt, ast.Return) and isinstance(stmt.value, ast.Tuple) and len(stmt.value.elts) >= 2:
        yield from _mapping(evaluate(stmt.value.elts[-1]), "set")


def _call_writes(call: ast.Call, evaluate: Evaluator) -> Iterator[tuple[str, Val, str]]:
    func = call.func
    if isinstance(func, ast.Attribute) and dotted(func.value).endswith("headers"):
        if func.attr in ("add", "set", "add_header", "setdefault", "__setitem__") and len(call.args) >= 2:
            name = evaluate(call.args[0]).text()
            if name:
                yield name, evaluate(call.args[1]), "add" if func.attr in ("add", "add_header") else "set"
        elif func.attr in ("update", "extend") and call.args:
            yield from _mapping(evaluate(call.args[0]), "add" if func.attr == "extend" else "set")
        return
    name = dotted(func).rsplit(".", 1)[-1]
    if name in ("make_response",) and len(call.args) >= 2:
        yield from _mapping(evaluate(call.args[-1]), "set")
    headers = keyword(call, "headers")
    if headers is not None and (name[:1].isupper() or name == "make_response"):
        yield from _mapping(evaluate(headers.value), "set")


def _mapping(val: Val, action: str) -> Iterator[tuple[str, Val, str]]:
    if not val.known:
        return
    if isinstance(val.value, dict):
        for key, value in val.value.items():
            if isinstance(key, str):
                yield key, value, action
    elif isinstance(val.value, list):
        for pair in val.value:
            if pair.is_list and len(pair.value) == 2 and pair.value[0].text():
                yield pair.value[0].text(), pair.value[1], action  # type: ignore[misc]


def _policy(mod: PyModule, env: ModuleEnv, func: ast.AST, writes: list[Write], source: str) -> CorsPolicy:
    name = func.name  # type: ignore[attr-defined]
    context = f"{'Flask' if source == FLASK_HANDLER else 'Django'} handler {name}()"
    evaluate = Evaluator(mod, local_names(env, func, request_value), request_value)
    options_branch = _options_branch(func)
    emissions = []
    # headers written in the same `if` block as a computed Allow-Origin go out exactly when it does
    origin_blocks = {w.block for w in writes if w.name == "Access-Control-Allow-Origin" and w.conditional and not _literal(w.value)}
    for write in writes:
        prov = mod.prov(write.stmt, context)
        in_branch = options_branch is not None and _inside(write.stmt, options_branch)
        emissions.append(HeaderEmission(
            write.name, _text(write.value, mod), prov, None, write.conditional or in_branch, write.action,
            with_allowed_origin=write.block in origin_blocks and write.name != "Access-Control-Allow-Origin",
            computed=not _literal(write.value), options_only=in_branch,
        ))
    origins = [rule for write in writes if write.name == "Access-Control-Allow-Origin" for rule in _origin(mod, func, write, evaluate, context)]
    policy = CorsPolicy(
        source=source,
        scope=context,
        location=mod.location(func),
        origins=origins,
        emissions=emissions,
        delivery=_duplicates(writes, emissions),
        paths=_view_paths(mod, func) if source == FLASK_HANDLER else (),
    )
    policy.path_match = "route" if policy.paths else ""
    by_name = {e.name: (e, w) for e, w in reversed(list(zip(emissions, writes)))}
    _settings(policy, by_name)
    policy.preflight = _preflight(mod, func, emissions, options_branch, context, source)
    return policy


def _view_paths(mod: PyModule, func: ast.AST) -> tuple[str, ...]:
    """The routes a Flask function's headers reach: its own `@app.route`, or those of the views that call it."""
    own = route_paths(func)
    if own:
        return own
    name = getattr(func, "name", "")
    callers = [
        node for node in ast.walk(mod.tree)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node is not func
        and any(isinstance(c, ast.Call) and isinstance(c.func, ast.Name) and c.func.id == name for c in ast.walk(node))
    ]
    return tuple(path for caller in callers for path in route_paths(caller))


def _literal(val: Val) -> bool:
    return val.known and isinstance(val.value, (str, int)) and not isinstance(val.value, bool)


def _text(val: Val, mod: PyModule) -> str:
    if val.known and isinstance(val.value, (str, int)) and not isinstance(val.value, bool):
        return str(val.value)
    if val.known and isinstance(val.value, Req):
        return "$" + val.value.header
    return mod.raw(val.node) if val.node is not None else "?"


def _settings(policy: CorsPolicy, by_name: dict[str, tuple[HeaderEmission, Write]]) -> None:
    def text(name: str) -> Optional[tuple[Optional[str], HeaderEmission, Write]]:
        found = by_name.get(name)
        return (found[1].value.text(), found[0], found[1]) if found else None

    creds = text("Access-Control-Allow-Credentials")
    if creds is not None:
        value, emission, _ = creds
        policy.credentials = Setting.known(value == "true", emission.prov) if value is not None else Setting.unknown(emission.prov)
    for attr, header in (("methods", "Access-Control-Allow-Methods"), ("allow_headers", "Access-Control-Allow-Headers"),
                         ("expose_headers", "Access-Control-Expose-Headers")):
        found = text(header)
        if found is not None:
            setattr(policy, attr, _list(found))
    age = text("Access-Control-Max-Age")
    if age is not None:
        policy.max_age = Setting.known(age[0], age[1].prov) if age[0] is not None else Setting.unknown(age[1].prov)
    vary = text("Vary")
    if vary is not None and vary[0] is not None:
        policy.vary_origin = Setting.known("origin" in vary[0].lower(), vary[1].prov)


def _list(found: tuple[Optional[str], HeaderEmission, Write]) -> ListSetting:
    value, emission, write = found
    if write.value.known and isinstance(write.value.value, Req):
        return ListSetting(ListKind.REFLECT, (), emission.prov)
    if value is None:
        return ListSetting(ListKind.UNKNOWN, (), emission.prov)
    items = tuple(part.strip() for part in value.split(",") if part.strip())
    kind = ListKind.ANY if items == ("*",) else ListKind.EXPLICIT
    return ListSetting(kind, items, emission.prov, (emission.prov,) * len(items))


def _origin(mod: PyModule, func: ast.AST, write: Write, evaluate: Evaluator, context: str) -> list[OriginRule]:
    prov = mod.prov(write.stmt, context)
    value = write.value
    if value.known and value.value == Req(CALLER_CHOSEN):
        chosen = mod.raw(value.node) if value.node is not None else prov.raw
        note = f"`{chosen}` is request data the calling page chooses, copied into the header"
        return [OriginRule(OriginKind.REFLECT, chosen, prov, note=note, request_data="parameter")]
    if value.known and isinstance(value.value, Req):
        guard = _guard(func, write.stmt, evaluate, context, mod)
        if guard is not None:
            return guard
        return [OriginRule(OriginKind.REFLECT, prov.raw, prov, note="the handler copies the request's Origin header")]
    text = value.text()
    if text is None:
        return [OriginRule(OriginKind.UNKNOWN, prov.raw, prov)]
    if text.strip() == "*":
        return [OriginRule(OriginKind.ANY, "*", prov)]
    if text.strip() == "null":
        return [OriginRule(OriginKind.NULL, "null", prov)]
    return [OriginRule(OriginKind.EXACT, text, prov)]


def _parents(func: ast.AST) -> dict[int, ast.AST]:
    return {id(child): node for node in ast.walk(func) for child in ast.iter_child_nodes(node)}


def _guard(func: ast.AST, stmt: ast.stmt, evaluate: Evaluator, context: str, mod: PyModule) -> Optional[list[OriginRule]]:
    """Origin rules from an allowlist check around the write (`if origin in ALLOWED:`) or before it (early return)."""
    parents = _parents(func)
    node: ast.AST = stmt
    while id(node) in parents:
        parent = parents[id(node)]
        if isinstance(parent, ast.If) and any(node is s for s in parent.body):
            rules = _test_rules(parent.test, False, evaluate, context)
            if rules is not None:
                return rules
        body = getattr(parent, "body", [])
        if isinstance(body, list) and any(node is s for s in body):
            for earlier in body[: [id(s) for s in body].index(id(node))]:
                if isinstance(earlier, ast.If) and _stops(earlier.body):
                    rules = _test_rules(earlier.test, True, evaluate, context)
                    if rules is not None:
                        return rules
        node = parent
    return None


def _stops(body: list[ast.stmt]) -> bool:
    last = body[-1] if body else None
    if isinstance(last, (ast.Return, ast.Raise)):
        return True
    return isinstance(last, ast.Expr) and isinstance(last.value, ast.Call) and dotted(last.value.func).rsplit(".", 1)[-1] in _STOPS


def _test_rules(test: ast.AST, negated: bool, evaluate: Evaluator, context: str) -> Optional[list[OriginRule]]:
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And) and not negated:
        for value in test.values:
            found = _test_rules(value, negated, evaluate, context)
            if found is not None:
                return found
        return None
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return _test_rules(test.operand, not negated, evaluate, context)
    if isinstance(test, ast.Compare) and len(test.ops) == 1:
        op = test.ops[0]
        wanted = (ast.NotIn, ast.NotEq) if negated else (ast.In, ast.Eq)
        if isinstance(op, wanted) and _is_origin(test.left, evaluate):
            return _listed(evaluate(test.comparators[0]), context)
    if isinstance(test, ast.Call) and not negated:
        return _regex_test(test, evaluate, context)
    if _mentions_origin(test, evaluate):
        prov = evaluate.mod.prov(test, context)
        return [OriginRule(OriginKind.UNKNOWN, prov.raw, prov, note="the origin is checked by a condition corslint cannot read")]
    return None


def _is_origin(node: ast.AST, evaluate: Evaluator) -> bool:
    value = evaluate(node)
    return value.known and value.value == Req("origin")


def _mentions_origin(node: ast.AST, evaluate: Evaluator) -> bool:
    return any(_is_origin(n, evaluate) for n in ast.walk(node) if isinstance(n, (ast.Name, ast.Attribute, ast.Call, ast.Subscript)))


def _listed(container: Val, context: str) -> list[OriginRule]:
    rules = []
    for item in container.items():
        prov = item.prov(context)
        text = item.text()
        if prov is None:
            continue
        if text is None:
            rules.append(OriginRule(OriginKind.UNKNOWN, prov.raw, prov))
        else:
            rules.append(OriginRule(OriginKind.EXACT, text, prov, note="the handler echoes the origin after an allowlist check"))
    return rules


def _regex_test(call: ast.Call, evaluate: Evaluator, context: str) -> Optional[list[OriginRule]]:
    name = dotted(call.func)
    method = name.rsplit(".", 1)[-1]
    modes = {"match": MatchMode.MATCH, "fullmatch": MatchMode.FULLMATCH, "search": MatchMode.SEARCH}
    if method not in modes:
        return None
    if name.startswith("re.") and len(call.args) >= 2 and _is_origin(call.args[1], evaluate):
        pattern = evaluate(call.args[0])
    elif isinstance(call.func, ast.Attribute) and call.args and _is_origin(call.args[0], evaluate):
        pattern = evaluate(call.func.value)
        pattern = Val(pattern.value.pattern, True, pattern.node, pattern.mod) if isinstance(pattern.value, Regex) else pattern
    else:
        return None
    prov = pattern.prov(context)
    text = pattern.text()
    if prov is None or text is None:
        return None
    return [OriginRule(OriginKind.PATTERN, text, prov, modes[method], False, "python", note=f"checked with re.{method}")]


def _options_branch(func: ast.AST) -> Optional[ast.If]:
    for node in ast.walk(func):
        if isinstance(node, ast.If) and isinstance(node.test, ast.Compare) and dotted(node.test.left).endswith("method"):
            op = node.test.ops[0]
            right = node.test.comparators[0]
            if isinstance(op, (ast.Eq, ast.In)) and "'OPTIONS'" in ast.dump(right):
                return node
    return None


def _inside(stmt: ast.stmt, branch: ast.If) -> bool:
    return any(stmt is node for inner in branch.body for node in ast.walk(inner))


def _preflight(mod: PyModule, func: ast.AST, emissions: list[HeaderEmission], branch: Optional[ast.If], context: str, source: str) -> Preflight:
    if branch is not None:
        headers = tuple(e for e in emissions if _before_or_in(e, branch))
        return Preflight(PreflightKind.ANSWERED, mod.prov(branch.test, context), headers)
    decorators = getattr(func, "decorator_list", [])
    hook = func.name in _HOOKS or any(dotted(d).rsplit(".", 1)[-1] in _HOOKS for d in decorators)  # type: ignore[attr-defined]
    if hook:
        return Preflight(PreflightKind.ANSWERED, mod.prov(func, context), note=SAME_CODE, passes_on=True)
    routes = [d for d in decorators if isinstance(d, ast.Call) and dotted(d.func).rsplit(".", 1)[-1] in _ROUTES]
    if source == FLASK_HANDLER and routes:
        methods = keyword(routes[0], "methods")
        if methods is not None and "'OPTIONS'" in ast.dump(methods.value):
            return Preflight(PreflightKind.ANSWERED, mod.prov(routes[0], context), note=SAME_CODE)
        return Preflight(
            PreflightKind.NOT_HANDLED,
            mod.prov(routes[0], context),
            status=200,
            note="Flask answers OPTIONS for this route itself without running the view, so none of its headers are sent",
        )
    return Preflight(PreflightKind.UNKNOWN)


def _before_or_in(emission: HeaderEmission, branch: ast.If) -> bool:
    line = emission.prov.location.line
    return branch.lineno <= line <= (branch.end_lineno or line) or (line < branch.lineno and not emission.conditional)


def _duplicates(writes: list[Write], emissions: list[HeaderEmission]) -> list[DeliveryFact]:
    facts = []
    seen: dict[tuple[str, int], HeaderEmission] = {}
    for write, emission in zip(writes, emissions):
        key = (write.name.lower(), write.block)
        first = seen.get(key)
        if first is not None and write.action == "add":
            prov = emission.prov.with_related(Related(first.prov.location, f"{write.name} first set here"))
            facts.append(DeliveryFact(DeliveryKind.DUPLICATE, write.name, prov))
        seen.setdefault(key, emission)
    return facts
