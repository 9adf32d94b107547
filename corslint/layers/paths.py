"""What a linked request path delivers: which of the application's CORS headers the proxy passes, hides or replaces,
which the proxy adds beside them, and whether the two layers allow the same origins.

nginx: `add_header` adds to the upstream's headers and never replaces them; `proxy_hide_header` (per upstream module)
removes the upstream's; headers-more `more_set_headers` replaces. Apache: `Header set` replaces the backend's header,
`add`/`append` and the `always` table keep it (cors-semantics.md F23-F26; checked on nginx 1.22 and Apache 2.4).
"""

from __future__ import annotations

from typing import Optional

from corslint.layers.links import RequestPath
from corslint.model import CorsPolicy, HeaderEmission, OriginKind, OriginRule, Provenance, WiringFact

ACAO = "access-control-allow-origin"
ACAC = "access-control-allow-credentials"
SINGLE_VALUED = (ACAO, ACAC, "access-control-max-age", "access-control-allow-private-network")
_OPEN = frozenset({OriginKind.ANY, OriginKind.REFLECT})


def module_of(upstream: WiringFact) -> str:
    """`proxy` of `proxy_pass`: the prefix of the hide/pass directives that act on this upstream."""
    return upstream.detail.rsplit("_", 1)[0] if upstream.detail.endswith("_pass") else upstream.detail


def hidden(path: RequestPath) -> dict[str, WiringFact]:
    """The upstream headers the proxy removes on this path, lower-cased name -> the directive."""
    if path.proxy.source != "nginx":
        return {}
    prefix = module_of(path.upstream) + "_hide_header"
    return {fact.subject.lower(): fact for fact in path.proxy.wiring if fact.kind == "proxy-hides-header" and fact.detail == prefix}


def beside_application(path: RequestPath, emission: HeaderEmission) -> bool:
    """Does the proxy's `emission` go out next to the application's own copy of the header (when it sends one)?"""
    if path.proxy.source == "nginx":
        return emission.action == "add" and emission.name.lower() not in hidden(path)
    return emission.beside_backend


def proxy_copies(path: RequestPath) -> list[HeaderEmission]:
    return [e for e in path.proxy.emissions if e.name.lower() in SINGLE_VALUED and beside_application(path, e)]


_REGEX_CHARS = frozenset("[](){}?+|\\")


def app_wide(app: CorsPolicy, seen: str = "/") -> bool:
    """A scope that covers, unconditionally and in production, every request the application gets through the proxy:
    `seen` is the path prefix all those requests start with (`/api/` behind `location /api/ { proxy_pass http://api; }`)."""
    if app.condition or app.registered_if or app.development or app.static_assets or app.preflight_only:
        return False
    return all(covers(pattern, seen) for pattern in app.paths)


def covering(path: RequestPath) -> list[CorsPolicy]:
    """The application's CORS scopes that apply to every request this path hands on."""
    seen = seen_prefix(path)
    return [app for app in path.apps if seen and app_wide(app, seen)] if seen else []


def covers(pattern: str, seen: str) -> bool:
    """Does an application path setting (flask-cors `/api/*`, Express `app.use('/api', ...)`, django `^/api/.*$`) hold
    every path that starts with `seen`?"""
    text = pattern.strip()
    if text.startswith("r'") or text.startswith('r"'):
        text = text[2:-1]
    text = text.removeprefix("^").removesuffix("$")
    for tail in ("(.*)", ".*", "*", "/?"):
        text = text.removesuffix(tail)
    if any(char in _REGEX_CHARS for char in text) or "*" in text:
        return False
    text = text.replace("\\.", ".") or "/"
    return seen.startswith(text) or text in ("", "/")


def seen_prefix(path: RequestPath) -> str:
    """The path prefix every request the proxy scope hands on starts with, as the application sees it; "" when it
    cannot be told (a regex location rewritten by a URI, a variable)."""
    from corslint.layers.targets import written_target

    location = path.proxy.paths[0] if path.proxy.paths else "/"
    words = location.split()
    modifier, prefix = (words[0], words[-1]) if len(words) > 1 else ("", words[0] if words else "/")
    target = written_target(path.upstream)
    rest = target.partition("://")[2] if "://" in target else ""
    uri = "/" + rest.partition("/")[2] if "/" in rest else ""
    if "$" in uri:
        return ""
    if path.proxy.source == "apache":
        return uri or "/"
    if modifier in ("~", "~*"):
        return "" if uri else "/"  # the request's own path goes on unchanged, but a regex says no common prefix
    if uri:
        return uri  # nginx replaces the location's prefix with the URI
    return prefix


def live_origins(policy: CorsPolicy) -> list[OriginRule]:
    """The origin rules that send Access-Control-Allow-Origin in production, as written (no environment fallback)."""
    return [
        rule for rule in policy.origins
        if rule.kind is not OriginKind.UNKNOWN and not rule.development and not rule.env_fallback and not rule.request_data
    ]


def app_sends(app: CorsPolicy) -> dict[str, Provenance]:
    """The single-valued CORS headers the application adds to its responses for the origins it allows."""
    sent: dict[str, Provenance] = {}
    origins = live_origins(app)
    if origins:
        sent[ACAO] = origins[0].prov
        if app.credentials.is_true() and app.credentials.prov is not None:
            sent[ACAC] = app.credentials.prov
    return sent


def overlap(proxy: list[OriginRule], app: list[OriginRule]) -> Optional[bool]:
    """Do some origins get Access-Control-Allow-Origin from both layers? True when certain, False when certainly not
    (two disjoint lists of exact origins), None when patterns make it depend on the origin."""
    if not proxy or not app:
        return False
    kinds = {rule.kind for rule in proxy} | {rule.kind for rule in app}
    if any(rule.kind in _OPEN for rule in proxy) or any(rule.kind in _OPEN for rule in app):
        return True
    if OriginKind.PATTERN in kinds:
        return None
    both = {rule.value.lower().rstrip("/") for rule in proxy} & {rule.value.lower().rstrip("/") for rule in app}
    return bool(both)


_NAMES = {
    ACAO: "Access-Control-Allow-Origin",
    ACAC: "Access-Control-Allow-Credentials",
    "access-control-max-age": "Access-Control-Max-Age",
    "access-control-allow-private-network": "Access-Control-Allow-Private-Network",
}


def combined(path: RequestPath) -> list[tuple[str, str, str, str]]:
    """Per single-valued CORS header either layer sends: (name, what the proxy does, what the application does, what
    the browser receives), for `corslint show`."""
    hides = hidden(path)
    sent_by_app: dict[str, Provenance] = {}
    for app in covering(path):
        for name, prov in app_sends(app).items():
            sent_by_app.setdefault(name, prov)
    rows = []
    for low, name in _NAMES.items():
        mine = [e for e in path.proxy.emissions if e.name.lower() == low]
        theirs = sent_by_app.get(low)
        if not mine and theirs is None and low not in hides:
            continue
        if mine:
            emission = mine[0]
            beside = beside_application(path, emission)
            proxy = f"{'adds' if beside else 'sets'} `{emission.value}` ({emission.prov.location.path}:{emission.prov.location.line})"
        elif low in hides:
            fact = hides[low]
            proxy = f"hides it ({fact.prov.location.path}:{fact.prov.location.line})"
        else:
            proxy = "passes it through"
        app_text = f"sends it ({theirs.location.path}:{theirs.location.line})" if theirs is not None else "-"
        if theirs is not None and mine and beside_application(path, mine[0]):
            outcome = "two values (CORS404)"
        elif mine:
            outcome = "the proxy's value"
        elif theirs is not None and low not in hides:
            outcome = "the application's value"
        else:
            outcome = "none"
        rows.append((name, proxy, app_text, outcome))
    return rows
