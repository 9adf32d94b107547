"""Python source, flask-cors: `CORS(app, ...)`, `init_app`, `resources=`, `@cross_origin` and `app.config["CORS_*"]`,
with the library's option precedence (resource, keyword, app config, default) and its defaults."""

from __future__ import annotations

import ast
from typing import Iterator, Optional

from corslint.model import CorsPolicy, ListKind, ListSetting, MatchMode, OriginKind, OriginRule, Preflight, PreflightKind, Provenance, Setting, WiringFact
from corslint.records import field, record, replace
from corslint.sources.python.common import (
    OriginBuilder,
    bool_setting,
    functions_and_module,
    list_setting,
    local_names,
    scalar_setting,
    unknown_keywords,
    close_name,
    route_paths,
)
from corslint.model import UNKNOWN_OPTION
from corslint.sources.python.module import PyModule
from corslint.model import Related
from corslint.sources.python.values import Evaluator, ModuleEnv, ModuleLoader, Namespace, Val, dotted

SOURCE = "flask"
OPTIONS = frozenset(
    {
        "resources", "origins", "methods", "expose_headers", "allow_headers", "supports_credentials", "max_age",
        "send_wildcard", "vary_header", "automatic_options", "intercept_exceptions", "always_send",
        "allow_private_network",
    }
)
DEFAULT_METHODS = ("GET", "HEAD", "POST", "OPTIONS", "PUT", "PATCH", "DELETE")
DEFAULT_RESOURCE = "/*"
_REGEX_CHARS = set("*\\]?$^[()")
REFLECT_NOTE = "flask-cors echoes the request origin when origins is '*' (the default) and send_wildcard is off"


@record
class Options:
    """Option values by name, each with the place that set it (a keyword, a dict entry or an app.config line)."""

    values: dict[str, tuple[Val, Provenance]] = field(default_factory=dict)
    # app.config was also loaded from something corslint cannot read: options set nowhere else are unknown
    opaque: Optional[Val] = None

    def get(self, name: str) -> tuple[Optional[Val], Optional[Provenance]]:
        found = self.values.get(name)
        if found:
            return found
        if self.opaque is not None:
            return self.opaque, self.opaque.prov("app.config")
        return None, None

    def over(self, other: "Options") -> "Options":
        return Options({**other.values, **self.values}, self.opaque or other.opaque)


class FlaskOrigins(OriginBuilder):
    def __init__(self, send_wildcard: bool) -> None:
        self.send_wildcard = send_wildcard

    def string(self, text: str, prov: Provenance) -> list[OriginRule]:
        if text.strip() == "*":
            if self.send_wildcard:
                return [OriginRule(OriginKind.ANY, "*", prov, note="send_wildcard=True sends a literal `*`")]
            return [OriginRule(OriginKind.REFLECT, "*", prov, note=REFLECT_NOTE, allow_all=True)]
        if _REGEX_CHARS & set(text):
            return [self.pattern(text, prov)]
        return [OriginRule(OriginKind.EXACT, text, prov, ignore_case=True, note="flask-cors compares literals case-insensitively")]

    def pattern(self, text: str, prov: Provenance) -> OriginRule:
        return OriginRule(OriginKind.PATTERN, text, prov, MatchMode.MATCH, True, "python",
                          note="flask-cors treats this string as a regex and applies it with case-insensitive re.match")


def extract_flask(mod: PyModule, env: ModuleEnv, app_config: AppConfig) -> list[CorsPolicy]:
    policies: list[CorsPolicy] = []
    constructors: dict[str, tuple[ast.Call, dict[str, Val]]] = {}
    cors_names, decorator_names = imported_names(mod.tree)

    def _is_cors(call: ast.Call) -> bool:
        return dotted(call.func) in cors_names

    def _is_cross_origin(decorator: ast.AST) -> bool:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        return dotted(target) in decorator_names

    for owner, node in functions_and_module(mod.tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) and _is_cors(node.value) and not node.value.args:
            for target in node.targets:
                if isinstance(target, ast.Name):
                    constructors[target.id] = (node.value, local_names(env, owner))
    for owner, node in functions_and_module(mod.tree):
        names = None
        if isinstance(node, ast.Call) and _is_cors(node) and node.args:
            names = local_names(env, owner)
            policies.extend(_cors_call(mod, node, [node], names, app_config))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "init_app":
            holder = dotted(node.func.value)
            if holder in constructors:
                constructor, ctor_names = constructors[holder]
                names = local_names(env, owner)
                policies.extend(_cors_call(mod, node, [constructor, node], {**ctor_names, **names}, app_config))
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            stacked = [_decorated(mod, node, d, local_names(env, owner), app_config) for d in node.decorator_list if _is_cross_origin(d)]
            policies.extend(_stacking(stacked))
    vary = after_request_vary(mod) if policies else None
    if vary is not None:
        policies = [replace(p, vary_origin=Setting.known(True, vary)) if not p.vary_origin.is_true() else p for p in policies]
    return policies


def after_request_vary(mod: PyModule) -> Optional[Provenance]:
    """Where an `@app.after_request` handler adds `Vary: Origin` to every response of the app, if one does."""
    if "after_" not in mod.text or "ary" not in mod.text:
        return None
    for node in ast.walk(mod.tree):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        if not any(dotted(d).endswith((".after_request", ".after_app_request")) for d in node.decorator_list):
            continue
        for inner in ast.walk(node):
            if _adds_vary_origin(inner):
                return mod.prov(inner, f"@after_request {node.name}()")
    return None


def _adds_vary_origin(node: ast.AST) -> bool:
    """`response.vary.add("Origin")`, `response.headers["Vary"] = "Origin"`, `response.headers.add("Vary", "Origin")`."""
    def names_origin(value: Optional[ast.AST]) -> bool:
        return isinstance(value, ast.Constant) and isinstance(value.value, str) and "origin" in value.value.lower()

    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        target = dotted(node.func.value)
        if target.endswith(".vary") and node.func.attr in ("add", "update") and node.args:
            return names_origin(node.args[0]) or (isinstance(node.args[0], (ast.List, ast.Tuple, ast.Set)) and any(names_origin(e) for e in node.args[0].elts))
        if target.endswith(".headers") and node.func.attr in ("add", "set", "setdefault", "add_header") and len(node.args) >= 2:
            first = node.args[0]
            return isinstance(first, ast.Constant) and str(first.value).lower() == "vary" and names_origin(node.args[1])
    if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Subscript):
        target = node.targets[0]
        key = target.slice
        return dotted(target.value).endswith(".headers") and isinstance(key, ast.Constant) and str(key.value).lower() == "vary" and names_origin(node.value)
    return False


def _stacking(stacked: list[CorsPolicy]) -> list[CorsPolicy]:
    """Stacked `@cross_origin`: the outermost answers OPTIONS itself, the innermost marks the actual responses as
    evaluated so the outer ones leave them alone, and any decorator in between never acts."""
    if len(stacked) < 2 or stacked[0].preflight.kind is not PreflightKind.LIBRARY:
        return stacked
    outer, inner = stacked[0], stacked[-1]
    note = f"the outer `@cross_origin` (line {outer.location.line}) answers OPTIONS before this one runs"
    return [
        replace(outer, preflight_only=True),
        replace(
            inner,
            preflight=Preflight(PreflightKind.LIBRARY, outer.preflight.prov, outer.preflight.headers, note=note),
            methods=outer.methods,
            allow_headers=outer.allow_headers,
            max_age=outer.max_age,
            private_network=outer.private_network,
        ),
    ]


@record
class AppConfig:
    """The `CORS_*` keys a module writes into app.config, in source order: (line, option or None for a load corslint
    cannot read, value, where). `CORS(app)` and `init_app` read app.config when they run; `@cross_origin` on
    every request."""

    events: list[tuple[int, Optional[str], Val, Optional[Provenance]]] = field(default_factory=list)

    def set(self, line: int, key: str, value: Val, prov: Optional[Provenance]) -> None:
        self.events.append((line, key[5:].lower(), value, prov))

    def options(self, before: Optional[int] = None) -> Options:
        options = Options()
        for line, name, value, prov in self.events:
            if before is not None and line >= before:
                continue
            if name is None or prov is None:
                options.opaque = value
            else:
                options.values[name] = (value, prov)
        return options

    def anywhere(self) -> "AppConfig":
        """The same keys as set by another module, at a time corslint cannot order against the CORS call."""
        return AppConfig([(0, name, value, prov) for _, name, value, prov in self.events])


def collect_app_config(mod: PyModule, env: ModuleEnv, loader: Optional[ModuleLoader] = None) -> AppConfig:
    """`app.config["CORS_X"] = v`, `app.config.update(CORS_X=v)` / `update({...})` / `from_mapping`, and the
    `CORS_*` attributes of what `from_object`/`from_pyfile` load, anywhere in the module; a load corslint cannot
    read (`from_envvar`, `from_prefixed_env`, an unknown object or mapping) leaves every option not set otherwise
    unknown."""
    config = AppConfig()
    if ".config" not in mod.text:
        return config
    in_order = sorted(functions_and_module(mod.tree), key=lambda pair: (getattr(pair[1], "lineno", 0), getattr(pair[1], "col_offset", 0)))
    for owner, node in in_order:
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _LOADERS:
            if dotted(node.func.value).endswith(".config"):
                _loaded(mod, env, loader, node, {**local_names(env, owner), **_parameter_defaults(mod, env, owner)}, config)
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Subscript) and dotted(target.value).endswith(".config"):
                    key = Evaluator(mod, local_names(env, owner))(target.slice).text()
                    if key and key.startswith("CORS_"):
                        config.set(node.lineno, key, Evaluator(mod, local_names(env, owner))(node.value), mod.prov(node))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("update", "from_mapping"):
            if dotted(node.func.value).endswith(".config"):
                _mapping(mod, local_names(env, owner), node, config)
    return config


def _mapping(mod: PyModule, names: dict[str, Val], call: ast.Call, config: AppConfig) -> None:
    """`update`/`from_mapping` keys; a mapping corslint cannot read is the caller's overrides (tests pass
    `{"TESTING": True}`), not a configuration source, and leaves the other options as they are."""
    evaluate = Evaluator(mod, names)
    for kw in call.keywords:
        if kw.arg and kw.arg.startswith("CORS_"):
            config.set(call.lineno, kw.arg, evaluate(kw.value), mod.prov(kw))
    for arg in call.args:
        mapping = evaluate(arg)
        if mapping.known and isinstance(mapping.value, dict):
            for key, value in mapping.value.items():
                if isinstance(key, str) and key.startswith("CORS_"):
                    config.set(call.lineno, key, value, value.prov() or mod.prov(arg))


def _parameter_defaults(mod: PyModule, env: ModuleEnv, function: Optional[ast.AST]) -> dict[str, Val]:
    """`create_app(config_class=Config)`: a parameter is its default, the configuration the app runs with unless
    a caller passes another."""
    if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return {}
    arguments = function.args
    positional = arguments.posonlyargs + arguments.args
    pairs = list(zip(positional[len(positional) - len(arguments.defaults):], arguments.defaults))
    pairs += [(a, d) for a, d in zip(arguments.kwonlyargs, arguments.kw_defaults) if d is not None]
    evaluate = Evaluator(mod, env.names)
    found = {}
    for argument, default in pairs:
        value = evaluate(default)
        if value.known and value.value is not None:
            found[argument.arg] = value
    return found


_LOADERS = frozenset({"from_object", "from_pyfile", "from_envvar", "from_prefixed_env", "from_file"})


def _loaded(mod: PyModule, env: ModuleEnv, loader: Optional[ModuleLoader], call: ast.Call, names: dict[str, Val], config: AppConfig) -> None:
    """What one `app.config.from_*` call puts into app.config, as flask does it: the upper-case attributes of an
    object, module or `'dotted.path'`, or the names of a Python file."""
    head = f"`{mod.raw(call)}`"
    namespace = _loaded_namespace(mod, env, loader, call, names)
    if namespace is None:
        config.events.append((call.lineno, None, Val(None, False, call, mod), None))
        return
    use = Related(mod.location(call), f"loaded into app.config by {head}")
    for name, value in namespace.names.items():
        if name.startswith("CORS_") and name.isupper():
            where = namespace.statements.get(name)
            prov = where[0].prov(where[1]) if where is not None else value.prov() or mod.prov(call)
            related = value.via + (use,)
            config.set(call.lineno, name, replace(value, via=related), replace(prov, related=related))


def _loaded_namespace(mod: PyModule, env: ModuleEnv, loader: Optional[ModuleLoader], call: ast.Call, names: dict[str, Val]) -> Optional[Namespace]:
    if call.func.attr not in ("from_object", "from_pyfile") or not call.args:  # type: ignore[attr-defined]
        return None
    value = Evaluator(mod, names)(call.args[0])
    if value.known and isinstance(value.value, Namespace):
        return value.value
    path = value.text()
    if path is None or loader is None:
        return None
    if call.func.attr == "from_pyfile":  # type: ignore[attr-defined]
        found = loader.resolve(mod, path[:-3].replace("/", ".") if path.endswith(".py") else "", 1)
        return _module_namespace(loader, env, found, call)
    found = loader.resolve(mod, path, 0)
    if found is not None:
        return _module_namespace(loader, env, found, call)
    module, _, attribute = path.rpartition(".")
    holder = loader.resolve(mod, module, 0) if module else None
    if holder is None:
        return None
    target = loader.env(holder).names.get(attribute)
    return target.value if target is not None and target.known and isinstance(target.value, Namespace) else None


def _module_namespace(loader: ModuleLoader, env: ModuleEnv, found: Optional[PyModule], call: ast.Call) -> Optional[Namespace]:
    if found is None:
        return None
    value = loader.namespace(found, env, ast.Expr(call, lineno=call.lineno, col_offset=call.col_offset,
                                                   end_lineno=call.end_lineno, end_col_offset=call.end_col_offset))
    return value.value


def imported_names(tree: ast.Module) -> tuple[set[str], set[str]]:
    """The names `CORS` and `cross_origin` go by in one module: as imported, renamed, or through the module."""
    cors, decorator = {"CORS", "flask_cors.CORS"}, {"cross_origin", "flask_cors.cross_origin"}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module in ("flask_cors", "flask_cors.extension", "flask_cors.decorator"):
            for alias in node.names:
                if alias.name == "CORS":
                    cors.add(alias.asname or "CORS")
                elif alias.name == "cross_origin":
                    decorator.add(alias.asname or "cross_origin")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "flask_cors" and alias.asname:
                    cors.add(f"{alias.asname}.CORS")
                    decorator.add(f"{alias.asname}.cross_origin")
    return cors, decorator


def _keyword_options(mod: PyModule, calls: list[ast.Call], names: dict[str, Val], context: str) -> tuple[Options, list[WiringFact]]:
    options = Options()
    facts: list[WiringFact] = []
    evaluate = Evaluator(mod, names)
    for call in calls:
        for kw in call.keywords:
            if kw.arg is None:
                mapping = evaluate(kw.value)
                if mapping.known and isinstance(mapping.value, dict):
                    for key, value in mapping.value.items():
                        options.values[str(key)] = (value, value.prov(context) or mod.prov(kw, context))
            else:
                options.values[kw.arg] = (evaluate(kw.value), mod.prov(kw, context))
        facts.extend(unknown_keywords(call, OPTIONS, mod, context))
    return options, facts


def _cors_call(mod: PyModule, call: ast.Call, calls: list[ast.Call], names: dict[str, Val], app_config: AppConfig) -> Iterator[CorsPolicy]:
    head = f"flask-cors `{mod.raw(calls[0].func)}(...)`"
    keywords, facts = _keyword_options(mod, calls, names, head)
    merged = keywords.over(app_config.options(before=call.lineno))
    resources, resources_prov = merged.get("resources")
    call_prov = mod.prov(call, head)
    for pattern, resource_opts, prov in _resources(resources, resources_prov, call_prov, head, mod, facts):
        context = f"{head} > resource {pattern}"
        options = resource_opts.over(merged)
        preflight = Preflight(PreflightKind.LIBRARY, call_prov, note="flask-cors answers OPTIONS through Flask's automatic OPTIONS")
        yield _policy(mod, call, context, options, call_prov, preflight, (pattern,), facts)


def _resources(
    val: Optional[Val], prov: Optional[Provenance], call_prov: Provenance, head: str, mod: PyModule, facts: list[WiringFact]
) -> Iterator[tuple[str, Options, Provenance]]:
    if val is None or not val.known:
        yield DEFAULT_RESOURCE, Options(), call_prov
        return
    if isinstance(val.value, dict):
        for key, sub in val.value.items():
            options = Options()
            if sub.known and isinstance(sub.value, dict):
                for name, value in sub.value.items():
                    where = value.prov(head) or call_prov
                    options.values[str(name)] = (value, where)
                    if name not in OPTIONS:
                        facts.append(WiringFact(UNKNOWN_OPTION, where, "", str(name), close_name(str(name), OPTIONS, 0.6)))
            yield str(key), options, sub.prov(head) or call_prov
        return
    for item in val.items():
        text = item.text()
        if text is not None:
            yield text, Options(), item.prov(head) or call_prov


def _decorated(mod: PyModule, func: ast.AST, decorator: ast.AST, names: dict[str, Val], app_config: AppConfig) -> CorsPolicy:
    context = f"flask-cors `@cross_origin` on {func.name}()"  # type: ignore[attr-defined]
    calls = [decorator] if isinstance(decorator, ast.Call) else []
    keywords, facts = _keyword_options(mod, calls, names, context)
    options = keywords.over(app_config.options())
    prov = mod.prov(decorator, context)
    automatic, automatic_prov = options.get("automatic_options")
    if automatic is not None and automatic.known and automatic.value is False:
        preflight = Preflight(
            PreflightKind.NOT_HANDLED,
            automatic_prov,
            status=200,
            note="`automatic_options=False`: Flask's own automatic OPTIONS answer bypasses the decorated view, so it "
            "carries no CORS headers",
        )
    else:
        preflight = Preflight(PreflightKind.LIBRARY, prov, note="@cross_origin answers OPTIONS (automatic_options)")
    policy = _policy(mod, decorator, context, options, prov, preflight, route_paths(func), facts)
    policy.path_match = "route" if policy.paths else ""
    return policy


def _policy(
    mod: PyModule,
    anchor: ast.AST,
    context: str,
    options: Options,
    default_prov: Provenance,
    preflight: Preflight,
    paths: tuple[str, ...],
    facts: list[WiringFact],
) -> CorsPolicy:
    send_wildcard, _ = options.get("send_wildcard")
    wildcard = bool(send_wildcard and send_wildcard.known and send_wildcard.value is True)
    origins_val, _ = options.get("origins")
    builder = FlaskOrigins(wildcard)
    if origins_val is None:
        origins = builder.string("*", default_prov)
    else:
        origins = builder(origins_val, context, options.get("origins")[1])
    methods, methods_prov = options.get("methods")
    headers, headers_prov = options.get("allow_headers")
    expose, expose_prov = options.get("expose_headers")
    creds, creds_prov = options.get("supports_credentials")
    max_age, max_age_prov = options.get("max_age")
    vary, vary_prov = options.get("vary_header")
    vary_origin = bool_setting(vary, vary_prov, True, default_prov)
    if len(origins) == 1 and origins[0].kind is OriginKind.EXACT and not origins[0].env_fallback:
        # flask-cors adds `Vary: Origin` only for several origins or a regex; a lone literal origin is sent to
        # that origin (and to requests without Origin) and to no one else, without Vary (checked on 6.0.5)
        origins = [replace(origins[0], only_on_match=True)]
        vary_origin = Setting.known(False, default_prov, default=True)
    private, private_prov = options.get("allow_private_network")
    return CorsPolicy(
        source=SOURCE,
        scope=context,
        location=mod.location(anchor),
        origins=origins,
        credentials=bool_setting(creds, creds_prov, False, default_prov),
        methods=list_setting(methods, methods_prov, default=DEFAULT_METHODS, default_prov=default_prov),
        allow_headers=(
            list_setting(headers, headers_prov, star=ListKind.REFLECT)
            if headers is not None
            else ListSetting(ListKind.REFLECT, ("*",), default_prov, default=True)
        ),
        expose_headers=list_setting(expose, expose_prov),
        max_age=scalar_setting(max_age, max_age_prov, None, None),
        vary_origin=vary_origin,
        private_network=bool_setting(private, private_prov, False, default_prov),
        preflight=preflight,
        wiring=list(facts),
        paths=paths,
    )
