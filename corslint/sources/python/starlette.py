"""Python source, Starlette/FastAPI `CORSMiddleware`: `app.add_middleware(CORSMiddleware, ...)` and
`Middleware(CORSMiddleware, ...)` entries, with full-match origin regexes and the middleware's defaults."""

from __future__ import annotations

import ast
from typing import Optional

from corslint.model import (
    CorsPolicy,
    DeliveryFact,
    DeliveryKind,
    ListKind,
    ListSetting,
    MatchMode,
    OriginKind,
    OriginRule,
    Preflight,
    PreflightKind,
    Provenance,
    Setting,
    WiringFact,
)
from corslint.model import ROUTE_METHOD
from corslint.sources.python.common import OriginBuilder, bool_setting, functions_and_module, list_setting, local_names, scalar_setting, unknown_keywords
from corslint.sources.python.module import PyModule
from corslint.sources.python.values import Evaluator, ModuleEnv, Val, dotted

OPTIONS = frozenset(
    {
        "allow_origins", "allow_methods", "allow_headers", "allow_credentials", "allow_origin_regex",
        "expose_headers", "max_age", "allow_private_network",
    }
)
DEFAULT_METHODS = ("GET",)
ROUTE_VERBS = frozenset({"get", "post", "put", "patch", "delete", "head"})
# what `allow_methods=["*"]` expands to (Starlette 1.10 `middleware/cors.py`; QUERY since the 1.x line)
ALL_METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "QUERY")
SAFELISTED_HEADERS = ("Accept", "Accept-Language", "Content-Language", "Content-Type")
REFLECT_NOTE = "Starlette's CORSMiddleware echoes the request origin when allow_origins has '*' and allow_credentials=True"


class StarletteOrigins(OriginBuilder):
    def __init__(self, credentials: bool) -> None:
        self.credentials = credentials

    def string(self, text: str, prov: Provenance) -> list[OriginRule]:
        if text == "*":
            if self.credentials:
                return [OriginRule(OriginKind.REFLECT, "*", prov, note=REFLECT_NOTE)]
            return [OriginRule(OriginKind.ANY, "*", prov)]
        return [OriginRule(OriginKind.EXACT, text, prov, note="CORSMiddleware compares allow_origins literally")]

    def pattern(self, text: str, prov: Provenance) -> OriginRule:
        return OriginRule(OriginKind.PATTERN, text, prov, MatchMode.FULLMATCH, False, "python",
                          note="CORSMiddleware applies allow_origin_regex with re.fullmatch")


def label(mod: PyModule) -> str:
    """fastapi when the module uses FastAPI (or shows no import at all), starlette when it only imports Starlette."""
    imports = [n for n in ast.walk(mod.tree) if isinstance(n, (ast.Import, ast.ImportFrom))]
    modules = [(n.module or "") if isinstance(n, ast.ImportFrom) else " ".join(a.name for a in n.names) for n in imports]
    if any("fastapi" in m for m in modules):
        return "fastapi"
    if any("starlette" in m for m in modules):
        return "starlette"
    return "fastapi"


def extract_starlette(mod: PyModule, env: ModuleEnv) -> list[CorsPolicy]:
    policies = []
    source = label(mod)
    for owner, node in functions_and_module(mod.tree):
        if not isinstance(node, ast.Call):
            continue
        name = dotted(node.func)
        if name.rsplit(".", 1)[-1] == "CORSMiddleware":  # `app = CORSMiddleware(app, ...)`: outside everything
            policies.append(_policy(mod, node, local_names(env, owner), source, outermost=True))
            continue
        if not node.args or dotted(node.args[0]).rsplit(".", 1)[-1] != "CORSMiddleware":
            continue
        if name.endswith(".add_middleware") or name.rsplit(".", 1)[-1] == "Middleware":
            policies.append(_policy(mod, node, local_names(env, owner), source))
    if policies:
        routes = _route_methods(mod, source)
        for policy in policies:
            policy.wiring.extend(routes)
    return policies


def _route_methods(mod: PyModule, source: str) -> list[WiringFact]:
    """The methods the module's routes serve: `@app.post(...)`, `@router.put(...)`, `api_route(methods=[...])`."""
    context = f"{'FastAPI' if source == 'fastapi' else 'Starlette'} routes"
    found = []
    for node in ast.walk(mod.tree):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        verb = node.func.attr
        path = node.args[0].value if node.args and isinstance(node.args[0], ast.Constant) else None
        detail = f"`{path}`" if isinstance(path, str) else ""
        if verb in ROUTE_VERBS:
            methods = [verb.upper()]
        elif verb in ("api_route", "add_api_route", "route", "add_route"):
            listed = next((kw.value for kw in node.keywords if kw.arg == "methods"), None)
            if not isinstance(listed, (ast.List, ast.Tuple, ast.Set)):
                continue
            methods = [e.value.upper() for e in listed.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
        else:
            continue
        found.extend(WiringFact(ROUTE_METHOD, mod.prov(node, context), detail, method) for method in methods)
    return found


SERVER_ERRORS = (
    "Starlette produces it in `ServerErrorMiddleware`, which it always places outside every middleware added "
    "with `add_middleware` or `middleware=[...]`; checked on Starlette 1.10"
)


def _policy(mod: PyModule, call: ast.Call, names: dict[str, Val], source: str, outermost: bool = False) -> CorsPolicy:
    context = f"{'FastAPI' if source == 'fastapi' else 'Starlette'} `CORSMiddleware`"
    evaluate = Evaluator(mod, names)
    options: dict[str, tuple[Val, Provenance]] = {}
    for kw in call.keywords:
        if kw.arg is not None:
            options[kw.arg] = (evaluate(kw.value), mod.prov(kw, context))

    def get(name: str) -> tuple[Optional[Val], Optional[Provenance]]:
        found = options.get(name)
        return found if found else (None, None)

    call_prov = mod.prov(call, context)
    creds, creds_prov = get("allow_credentials")
    credentials = bool_setting(creds, creds_prov, False, call_prov)
    builder = StarletteOrigins(credentials.is_true())
    origins: list[OriginRule] = []
    allow, allow_prov = get("allow_origins")
    if allow is not None:
        origins.extend(builder(allow, context, allow_prov))
    regex, regex_prov = get("allow_origin_regex")
    if regex is not None and regex_prov is not None:
        text = regex.text()
        if text is not None:
            origins.append(builder.pattern(text, regex.prov(context) or regex_prov))
        elif not (regex.known and regex.value is None):
            origins.extend(builder(regex, context))
    methods, methods_prov = get("allow_methods")
    headers, headers_prov = get("allow_headers")
    expose, expose_prov = get("expose_headers")
    max_age, max_age_prov = get("max_age")
    private, private_prov = get("allow_private_network")
    everyone = any(rule.kind is OriginKind.ANY for rule in origins)
    return CorsPolicy(
        source=source,
        scope=context,
        location=mod.location(call),
        origins=origins,
        credentials=credentials,
        methods=_methods(methods, methods_prov, call_prov, credentials),
        allow_headers=_headers(headers, headers_prov, call_prov),
        expose_headers=list_setting(expose, expose_prov),
        max_age=scalar_setting(max_age, max_age_prov, 600, call_prov),
        vary_origin=Setting.known(not everyone, call_prov, default=True),
        private_network=bool_setting(private, private_prov, False, call_prov),
        preflight=Preflight(PreflightKind.LIBRARY, call_prov, note="CORSMiddleware answers preflights before the app"),
        wiring=list(unknown_keywords(call, OPTIONS | {"app"} if outermost else OPTIONS, mod, context)),
        delivery=[] if outermost else [DeliveryFact(DeliveryKind.ERRORS_OUTSIDE, "Access-Control-Allow-Origin", call_prov, SERVER_ERRORS)],
    )


def _methods(val: Optional[Val], prov: Optional[Provenance], call_prov: Provenance, credentials: Setting) -> ListSetting:
    setting = list_setting(val, prov, default=DEFAULT_METHODS, default_prov=call_prov)
    if setting.kind is ListKind.ANY:
        # the middleware sends `*` as the full method list by name, never a literal `*` (with or without credentials)
        return ListSetting(ListKind.EXPLICIT, ALL_METHODS, setting.prov, expanded_star=True)
    return setting


def _headers(val: Optional[Val], prov: Optional[Provenance], call_prov: Provenance) -> ListSetting:
    if val is None:
        return ListSetting(ListKind.DEFAULT, SAFELISTED_HEADERS, call_prov)
    setting = list_setting(val, prov, star=ListKind.REFLECT)
    if setting.kind is ListKind.EXPLICIT:
        extra = tuple(h for h in SAFELISTED_HEADERS if not setting.contains(h))
        return ListSetting(ListKind.EXPLICIT, setting.items + extra, setting.prov, setting.item_provs + (setting.prov,) * len(extra))  # type: ignore[operator]
    return setting
