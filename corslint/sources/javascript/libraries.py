"""What the Node CORS libraries do with their options (npm `cors` 2.8.6, @fastify/cors 11, @koa/cors 5,
per cors-semantics.md 2.1/2.2), and the CorsPolicy one options object produces."""

from __future__ import annotations

from typing import Optional

from corslint.model import UNKNOWN_OPTION
from corslint.model import (
    CorsPolicy,
    ListKind,
    ListSetting,
    OriginKind,
    OriginRule,
    Preflight,
    PreflightKind,
    Provenance,
    Setting,
    WiringFact,
)
from corslint.records import field, record, replace
from corslint.sources.javascript.origins import OriginReader
from corslint.sources.javascript.syntax import Bindings, Doc, Node, ObjectProps, env_read, object_props, string_value, unwrap


@record(frozen=True)
class Library:
    """One library's option names, which option plays which part, and its defaults."""

    key: str  # "express" (npm cors), "fastify", "koa"
    display: str
    options: tuple[str, ...]
    origin: str = "origin"
    methods: str = "methods"
    allow_headers: tuple[str, ...] = ("allowedHeaders",)
    expose_headers: str = "exposedHeaders"
    credentials: str = "credentials"
    max_age: str = "maxAge"
    private_network: str = ""
    default_methods: tuple[str, ...] = ()
    disable_preflight: str = ""  # an option whose `false` turns the OPTIONS answer off
    aliases: dict[str, str] = field(default_factory=dict)


NPM_CORS = Library(
    "express",
    "npm `cors`",
    ("origin", "methods", "allowedHeaders", "headers", "exposedHeaders", "credentials", "maxAge", "preflightContinue",
     "optionsSuccessStatus"),
    allow_headers=("allowedHeaders", "headers"),
    default_methods=("GET", "HEAD", "PUT", "PATCH", "POST", "DELETE"),
)
FASTIFY_CORS = Library(
    "fastify",
    "@fastify/cors",
    ("origin", "methods", "allowedHeaders", "exposedHeaders", "credentials", "maxAge", "cacheControl",
     "preflightContinue", "optionsSuccessStatus", "preflight", "strictPreflight", "hideOptionsRoute", "hook",
     "delegator", "logLevel", "prefix", "logSerializers"),
    default_methods=("GET", "HEAD", "POST"),
    disable_preflight="preflight",
)
KOA_CORS = Library(
    "koa",
    "@koa/cors",
    ("origin", "allowMethods", "exposeHeaders", "allowHeaders", "maxAge", "credentials", "keepHeadersOnError",
     "secureContext", "privateNetworkAccess"),
    methods="allowMethods",
    allow_headers=("allowHeaders",),
    expose_headers="exposeHeaders",
    private_network="privateNetworkAccess",
    default_methods=("GET", "HEAD", "PUT", "POST", "DELETE", "PATCH"),
)
LIBRARIES = {lib.key: lib for lib in (NPM_CORS, FASTIFY_CORS, KOA_CORS)}


@record
class Use:
    """One place a CORS library is configured: the options node (or None), the call that enables it, and where."""

    library: Library
    label: str
    anchor: Node
    options: Optional[Node]
    scope: str
    preflight: Preflight = field(default_factory=Preflight)
    paths: tuple[str, ...] = ()
    wiring: list[WiringFact] = field(default_factory=list)
    defaults: bool = False  # `{ cors: true }`: the library defaults, options not read
    legacy_default: bool = False  # kcors / @koa/cors < 5: no `origin` means the request Origin is echoed


def build_policy(doc: Doc, bindings: Bindings, use: Use) -> Optional[CorsPolicy]:
    """The policy a library use produces, or None when the options disable CORS (`origin: false`)."""
    lib = use.library
    anchor = doc.prov(use.anchor, use.scope)
    props = None if use.defaults or use.options is None else object_props(doc, bindings, use.options)
    policy = CorsPolicy(use.label, use.scope, anchor.location, paths=use.paths, preflight=use.preflight)
    policy.wiring.extend(use.wiring)
    if use.options is not None and props is None and not use.defaults:
        policy.origins = [OriginRule(OriginKind.UNKNOWN, "", anchor, note=f"the {lib.display} options could not be read")]
        return policy
    props = props or ObjectProps()
    reader = OriginReader(doc, bindings, lib.key, use.scope)
    if not _origins(policy, reader, props, lib, anchor, use.legacy_default):
        return None
    policy.credentials = _credentials(doc, bindings, props, lib, use.scope, anchor)
    if lib.key == "koa" and policy.credentials.is_true():
        policy.origins = [_koa_reflect(r, anchor, policy.credentials.prov) if r.kind is OriginKind.ANY else r for r in policy.origins]
    policy.methods = _list(doc, bindings, props.get(lib.methods), use.scope) or ListSetting(
        ListKind.DEFAULT, lib.default_methods, anchor
    )
    headers = next((props.get(name) for name in lib.allow_headers if props.get(name)), None)
    policy.allow_headers = _list(doc, bindings, headers, use.scope) or ListSetting(ListKind.REFLECT, (), anchor, default=True)
    policy.expose_headers = _list(doc, bindings, props.get(lib.expose_headers), use.scope) or ListSetting()
    policy.max_age = _scalar(doc, bindings, props.get(lib.max_age), use.scope)
    if lib.private_network:
        policy.private_network = _scalar(doc, bindings, props.get(lib.private_network), use.scope)
    policy.vary_origin = _vary(policy, lib, props, anchor)
    _preflight_option(doc, bindings, policy, props, lib, use.scope)
    policy.wiring.extend(_unknown_options(doc, props, lib, use.scope))
    return policy


def _origins(
    policy: CorsPolicy, reader: OriginReader, props: ObjectProps, lib: Library, anchor: Provenance, legacy: bool
) -> bool:
    found = props.get(lib.origin)
    if found is None and legacy:
        note = "kcors (@koa/cors before 5.0.0) echoes the request Origin when `origin` is not set"
        policy.origins = [OriginRule(OriginKind.REFLECT, "", anchor, note=note)]
        return True
    if found is None:
        note = f"the {lib.display} default origin `*`"
        policy.origins = [OriginRule(OriginKind.ANY, "*", anchor, note=note)]
        return True
    pair, value = found
    rules, disabled = reader.value(value, pair)
    if disabled:
        return False
    policy.origins = rules
    return True


def _koa_reflect(rule: OriginRule, anchor: Provenance, credentials: Optional[Provenance]) -> OriginRule:
    """@koa/cors 5 sends the request Origin instead of `*` once credentials are on; a defaulted origin points at them."""
    note = "@koa/cors echoes the request Origin instead of `*` when `credentials` is on"
    prov = credentials if rule.prov == anchor and credentials is not None else rule.prov
    return replace(rule, kind=OriginKind.REFLECT, value="", prov=prov, note=note)


def _credentials(doc: Doc, bindings: Bindings, props: ObjectProps, lib: Library, scope: str, anchor: Provenance) -> Setting:
    found = props.get(lib.credentials)
    if found is None:
        return Setting.known(False, anchor, default=True)
    pair, value = found
    resolved = bindings.resolve(value)
    prov = doc.prov(pair, scope)
    if resolved is not None and resolved.type in ("true", "false"):
        return Setting.known(resolved.type == "true", prov)
    text = string_value(doc, resolved)
    if text is not None:
        return Setting.known(lib.key == "koa" and text == "true", prov)  # npm cors and @fastify/cors need `=== true`
    return Setting.unknown(prov)


def _list(doc: Doc, bindings: Bindings, found: Optional[tuple[Node, Node]], scope: str) -> Optional[ListSetting]:
    if found is None:
        return None
    pair, value = found
    prov = doc.prov(pair, scope)
    resolved = bindings.resolve(value)
    if resolved is None or env_read(doc, resolved) is not None:
        return ListSetting(ListKind.UNKNOWN, (), prov)
    text = string_value(doc, resolved)
    if text is not None:
        items = tuple(part.strip() for part in text.split(",") if part.strip())
        return ListSetting(ListKind.EXPLICIT, items, prov, tuple(prov for _ in items))
    if resolved.type == "array":
        items, provs = [], []
        for element in resolved.named_children:
            item = string_value(doc, bindings.resolve(element))
            if item is None:
                return ListSetting(ListKind.UNKNOWN, (), prov)
            items.append(item.strip())
            provs.append(doc.prov(element, scope))
        return ListSetting(ListKind.EXPLICIT, tuple(items), prov, tuple(provs))
    return ListSetting(ListKind.UNKNOWN, (), prov)


def _scalar(doc: Doc, bindings: Bindings, found: Optional[tuple[Node, Node]], scope: str) -> Setting:
    if found is None:
        return Setting()
    pair, value = found
    prov = doc.prov(pair, scope)
    resolved = unwrap(bindings.resolve(value))
    if resolved is None:
        return Setting.unknown(prov)
    if resolved.type in ("true", "false"):
        return Setting.known(resolved.type == "true", prov)
    if resolved.type == "number":
        text = doc.text(resolved).replace("_", "")
        return Setting.known(int(text), prov) if text.isdigit() and len(text) <= 18 else Setting.known(text, prov)
    text = string_value(doc, resolved)
    if text is not None:
        return Setting.known(text, prov)
    if resolved.type == "binary_expression" and all(c.type == "number" for c in resolved.named_children):
        return _product(doc, resolved, prov)
    return Setting.unknown(prov)


def _product(doc: Doc, node: Node, prov: Provenance) -> Setting:
    """`60 * 60 * 24`-style arithmetic of number literals (only `*` and `+`)."""
    text = doc.text(node).replace(" ", "").replace("_", "")
    total = 0
    for term in text.split("+"):
        factors = term.split("*")
        if not all(f.isdigit() and len(f) <= 18 for f in factors):
            return Setting.unknown(prov)
        product = 1
        for factor in factors:
            product *= int(factor)
        total += product
    return Setting.known(total, prov)


def _vary(policy: CorsPolicy, lib: Library, props: ObjectProps, anchor: Provenance) -> Setting:
    """npm cors: `Vary: Origin` unless the origin is `*`; @fastify/cors: unless the option is a string; @koa/cors: always."""
    if lib.key == "koa":
        return Setting.known(True, anchor, default=True)
    only_star = all(r.kind is OriginKind.ANY for r in policy.origins)
    if lib.key == "fastify":
        found = props.get(lib.origin)
        is_string = found is None or (found[1].type == "string")
        return Setting.known(not is_string, anchor, default=True)
    return Setting.known(not only_star, anchor, default=True)


def _preflight_option(doc: Doc, bindings: Bindings, policy: CorsPolicy, props: ObjectProps, lib: Library, scope: str) -> None:
    if not lib.disable_preflight:
        return
    found = props.get(lib.disable_preflight)
    if found is not None and (bindings.resolve(found[1]) or found[1]).type == "false":
        prov = doc.prov(found[0], scope)
        policy.preflight = Preflight(PreflightKind.NOT_HANDLED, prov, note=f"`{prov.raw}` turns the {lib.display} OPTIONS answer off")


def _unknown_options(doc: Doc, props: ObjectProps, lib: Library, scope: str) -> list[WiringFact]:
    facts = []
    for name, (pair, _) in props.props.items():
        if name in lib.options:
            continue
        meant = suggest(name, lib)
        default = _what_stays(meant, lib)
        facts.append(WiringFact(UNKNOWN_OPTION, doc.prov(pair, scope), default, name, meant))
    return facts


def suggest(name: str, lib: Library) -> str:
    import difflib

    low = name.lower()
    if "origin" in low:
        return lib.origin
    if "credential" in low:
        return lib.credentials
    close = difflib.get_close_matches(name, lib.options, n=1, cutoff=0.6)
    if close:
        return close[0]
    lowered = {option.lower(): option for option in lib.options}
    close = difflib.get_close_matches(low, list(lowered), n=1, cutoff=0.6)
    return lowered[close[0]] if close else ""


def _what_stays(meant: str, lib: Library) -> str:
    if meant == lib.origin:
        return "The origin stays at the default `*`"
    if meant == lib.credentials:
        return "Credentials stay off"
    return ""
