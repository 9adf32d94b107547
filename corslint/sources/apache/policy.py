"""Apache source, policy layer: one CorsPolicy per scope that writes CORS headers, with how OPTIONS is answered.

A scope's directives are merged with those of the scopes around it (outer first, as httpd merges per-directory
configuration); a nested scope gets its own policy when it adds headers or changes how requests are answered.
"""

from __future__ import annotations

import re
from typing import Callable, Optional

from corslint.lazy_regex import lazy
from corslint.model import (
    ABSENT,
    ABSENT_LIST,
    CorsPolicy,
    HeaderEmission,
    ListKind,
    ListSetting,
    Location,
    OriginRule,
    Preflight,
    PreflightKind,
    Provenance,
    Setting,
    WiringFact,
)
from corslint.sources.apache.headers import (
    ACAC,
    ACAH,
    ACAM,
    ACAO,
    ACAPN,
    ACEH,
    MAX_AGE,
    EnvDefinition,
    Sent,
    env_definitions,
    parse_header,
    relevant,
    replay,
)
from corslint.records import replace
from corslint.sources.apache.origins import origin_rules
from corslint.sources.apache.urls import directory_urls
from corslint.sources.apache.redirects import alias_answers, fixed_answers, rule_flags, rule_status
from corslint.sources.apache.scopes import Entry, Scope
from corslint.sources.apache.tree import Node

_PROXY = frozenset({"proxypass", "proxypassmatch"})
_ENV_READ = lazy(r"%\{([^}]+)\}e")
# mod_wsgi hands requests to a Python application, whose headers Apache treats as a backend's (checked on Apache 2.4)
_WSGI = frozenset({"wsgiscriptalias", "wsgiscriptaliasmatch"})
_SCRIPTS = frozenset({"fallbackresource"}) | _WSGI
_AUTH_REQUIRE = lazy(r"^(?:valid-user|user|group|ldap-\S+|file-owner|file-group)$", re.IGNORECASE)
_OPTIONS_TEST = lazy(r"^!?(?:=OPTIONS|\^?\(?OPTIONS\)?\$?)$", re.IGNORECASE)
# paths a RewriteRule pattern sees in a directory (.htaccess: no leading slash) and a server context
_SAMPLE_PATHS = ("", "index.html", "api/v1/items", "/", "/api/v1/items")
_MAX_RULE_PATTERN = 200
_PHP_HANDLER = lazy(r"php|proxy:|fcgi|cgi-script|wsgi|passenger|perl|python", re.IGNORECASE)
_PREFLIGHT_KEYS = _PROXY | _SCRIPTS | {"sethandler", "script", "require", "rewriterule", "deny", "authtype"}
STATIC_NOTE = (
    "Apache's default handler answers OPTIONS for files itself (200 with an Allow header), and the Header directives "
    "of both tables apply to it as to every other response here (from the httpd source, not run)"
)
REWRITE_NOTE = (
    "a RewriteRule with a non-3xx R= status ends the request through Apache's error-response path, which sends only "
    "the `Header always` table (inferred from mod_headers' two tables; not run)"
)


def build_policies(root: Scope) -> list[CorsPolicy]:
    policies: list[CorsPolicy] = []
    for scope in root.walk():
        policy = _policy(scope)
        if policy is not None:
            policies.append(policy)
    return policies


def _own_relevant(scope: Scope) -> bool:
    for entry in scope.own:
        if entry.node.key == "header":
            directive = parse_header(entry)
            if directive is not None and relevant(directive.name):
                return True
    return False


def _own_answering(scope: Scope) -> bool:
    return bool(scope.limits) or any(entry.node.key in _PREFLIGHT_KEYS for entry in scope.own)


def _policy(scope: Scope) -> Optional[CorsPolicy]:
    own = _own_relevant(scope)
    if not own and not (_own_answering(scope) and scope.parent is not None):
        return None
    effective = scope.effective()
    played = replay(effective)
    sent = played.sent
    if not any(s.emission.name.lower().startswith("access-control-") for s in sent) and not played.delivery:
        return None
    if not own and scope.parent is not None and not _differs(scope, effective):
        return None
    env = env_definitions(effective)
    gates = [s.condition for s in scope.chain() if s.kind == "if" and s.condition]
    # a second ACAO added on top of the first is a delivery fact (CORS404), not another trusted origin
    doubled = {fact.prov.location for fact in played.delivery if fact.header == ACAO}
    origins: list[OriginRule] = []
    for item in sent:
        if item.emission.name == ACAO and item.emission.prov.location not in doubled:
            origins.extend(origin_rules(item, env, gates))
    preflight = preflight_of(scope, effective, sent)
    return CorsPolicy(
        source="apache",
        scope=scope.scope(),
        location=scope.location,
        origins=origins,
        credentials=_scalar(sent, ACAC, lambda text: text == "true"),
        methods=_list(sent, ACAM),
        allow_headers=_list(sent, ACAH),
        expose_headers=_list(sent, ACEH),
        max_age=_scalar(sent, MAX_AGE, lambda text: text),
        vary_origin=_vary(sent),
        private_network=_scalar(sent, ACAPN, lambda text: text == "true"),
        preflight=preflight,
        emissions=_gated_by_origin(sent, env),
        delivery=played.delivery,
        wiring=_wiring(effective),
        **_served(scope),
        static_assets=scope.static,
        condition=" and ".join(s.condition for s in scope.chain() if s.condition),
        content="upstream" if preflight.kind is PreflightKind.DELEGATED or _handler(effective) is not None else "",
        answers=fixed_answers(scope, _rewrite_entries(scope)),
    )


def _gated_by_origin(sent: list[Sent], env: dict[str, list[EnvDefinition]]) -> list[HeaderEmission]:
    """The emissions, those under `env=VAR` marked when VAR is set only by an Origin test and Allow-Origin reads it."""
    origin_vars = {d.variable for s in sent if s.emission.name == ACAO for d in _env_used(s, env)}
    marked = []
    for item in sent:
        variable = item.directive.condition[4:] if item.directive.condition.lower().startswith("env=") else ""
        gated = variable in origin_vars and all(d.on_origin for d in env.get(variable, ()))
        marked.append(replace(item.emission, with_allowed_origin=True) if gated and item.emission.name != ACAO else item.emission)
    return marked


def _env_used(item: Sent, env: dict[str, list[EnvDefinition]]) -> list[EnvDefinition]:
    """The variable definitions an Allow-Origin line reads (`%{VAR}e`) or is gated by (`env=VAR`)."""
    directive = item.directive
    names = set(_ENV_READ.findall(directive.value))
    if directive.condition.lower().startswith("env="):
        names.add(directive.condition[4:])
    return [d for name in names for d in env.get(name, ())]


def _differs(scope: Scope, effective: list[Entry]) -> bool:
    """A scope without own headers still answers differently when its own directives change the OPTIONS answer."""
    parent = scope.parent
    assert parent is not None
    return preflight_of(scope, effective, replay(effective).sent) != preflight_of(parent, parent.effective(), replay(parent.effective()).sent)


# --- values ------------------------------------------------------------------------------------------


def _first(sent: list[Sent], name: str) -> Optional[Sent]:
    return next((s for s in sent if s.emission.name == name), None)


def _value_prov(item: Sent) -> Provenance:
    return item.directive.prov(item.directive.value_index)


def _dynamic(value: str) -> bool:
    return "%{" in value or value.lower().startswith("expr=")


def _scalar(sent: list[Sent], name: str, convert: Callable[[str], object]) -> Setting:
    item = _first(sent, name)
    if item is None:
        return ABSENT
    value = item.directive.value.strip()
    if item.edited or _dynamic(value):
        return Setting.unknown(_value_prov(item))
    return Setting.known(convert(value), _value_prov(item))


def _list(sent: list[Sent], name: str) -> ListSetting:
    item = _first(sent, name)
    if item is None:
        return ABSENT_LIST
    prov = _value_prov(item)
    value = item.directive.value
    if item.edited or _dynamic(value):
        return ListSetting(ListKind.UNKNOWN, (), prov)
    arg = item.directive.node.args[item.directive.value_index]
    column = arg.column + (1 if arg.quoted else 0)
    items: list[str] = []
    provs: list[Provenance] = []
    offset = 0
    for part in value.split(","):
        text = part.strip()
        start = offset + len(part) - len(part.lstrip())
        offset += len(part) + 1
        if text:
            items.append(text)
            provs.append(Provenance(Location(prov.location.path, prov.location.line, column + start), prov.raw, prov.context))
    kind = ListKind.ANY if items == ["*"] else ListKind.EXPLICIT
    return ListSetting(kind, tuple(items), prov, tuple(provs))


def _vary(sent: list[Sent]) -> Setting:
    for item in sent:
        if item.emission.name == "Vary":
            names = {part.strip().lower() for part in item.directive.value.split(",")}
            if names & {"origin", "*"}:
                return Setting.known(True, item.emission.prov)
    return ABSENT


def _served(scope: Scope) -> dict:
    """The scope's `paths` and `path_match`; a <Directory> as the URL paths its folder is served at, when known."""
    match = _path_match(scope)
    if match == "directory" and scope.node is not None and scope.node.key == "directory" and scope.node.words[0] != "~":
        urls = directory_urls(scope)
        if urls:
            return {"paths": urls, "path_match": "directory-url"}
    return {"paths": _paths(scope), "path_match": match}


def _paths(scope: Scope) -> tuple[str, ...]:
    if scope.kind == "section" and scope.node is not None and scope.node.words:
        return (scope.node.words[-1],)
    return ()


_PATH_MATCH = {"locationmatch": "regex", "files": "file", "filesmatch": "file-regex", "directory": "directory",
               "directorymatch": "directory"}


def _path_match(scope: Scope) -> str:
    """How the innermost section's argument is matched (a `~` before it makes Files and Location regexes)."""
    node = scope.node if scope.kind == "section" else None
    if node is None or not node.words:
        return ""
    if len(node.words) > 1 and node.words[0] == "~":
        return {"location": "regex", "files": "file-regex"}.get(node.key, _PATH_MATCH.get(node.key, ""))
    return _PATH_MATCH.get(node.key, "")


def _wiring(effective: list[Entry]) -> list[WiringFact]:
    facts = []
    for entry in effective:
        node = entry.node
        if node.key in _WSGI and len(node.words) >= 2:
            facts.append(WiringFact("upstream", Provenance(node.location(), node.raw, entry.context), node.name, node.words[1]))
        elif node.key in _PROXY or (node.key == "sethandler" and node.words and node.words[0].lower().startswith("proxy:")):
            target = node.words[-1] if node.words else ""
            facts.append(WiringFact("upstream", Provenance(node.location(), node.raw, entry.context), node.name, target))
    return facts


# --- preflight ---------------------------------------------------------------------------------------


def preflight_of(scope: Scope, effective: list[Entry], sent: list[Sent]) -> Preflight:
    """How an OPTIONS request to this scope is answered, in httpd's order: rewrite, access control, handler."""
    rewritten = _rewrite(scope, sent)
    if rewritten is not None:
        return rewritten
    everything = next((a for a in alias_answers(scope) if not a.match), None)
    if everything is not None:  # `Redirect URL` in a section: OPTIONS too
        note = f"`{everything.prov.raw}` answers every request here, OPTIONS too, with status {everything.status}"
        return Preflight(PreflightKind.NOT_HANDLED, everything.prov, status=everything.status, note=note)
    denied = _denied(scope, effective)
    if denied is not None:
        return denied
    handler = _handler(effective)
    if handler is not None:
        return handler
    if scope.chain()[0].fragment:
        note = "this file is not included by any scanned file; how OPTIONS is answered depends on where it is included"
        return Preflight(PreflightKind.UNKNOWN, note=note)
    return Preflight(PreflightKind.ANSWERED, None, (), 200, STATIC_NOTE)


def _rewrite_entries(scope: Scope) -> list[Entry]:
    """The rewrite directives that run for this scope: the nearest scope with RewriteRules (rules are not inherited
    by per-directory merges without `RewriteOptions Inherit`), plus the VirtualHost/server-level ones."""
    chain = scope.chain()
    server = [e for s in chain if s.kind in ("file", "virtualhost") for e in s.own if e.node.key.startswith("rewrite")]
    for candidate in reversed(chain):
        if candidate.kind in ("file", "virtualhost"):
            break
        rules = [e for e in candidate.own if e.node.key.startswith("rewrite")]
        if any(e.node.key == "rewriterule" for e in rules):
            engine = [e for s in chain for e in s.own if e.node.key == "rewriteengine"]
            return server + engine + rules
    return server


def _rewrite(scope: Scope, sent: list[Sent]) -> Optional[Preflight]:
    entries = _rewrite_entries(scope)
    engine = False
    conditions: list[Node] = []
    for entry in entries:
        node = entry.node
        if node.key == "rewriteengine":
            engine = bool(node.words) and node.words[0].lower() == "on"
        elif node.key == "rewritecond":
            conditions.append(node)
        elif node.key == "rewriterule":
            found = _rule_outcome(node, conditions, entry.context, sent) if engine else None
            conditions = []
            if found is not None:
                return found
    return None


def _rule_outcome(node: Node, conditions: list[Node], context: str, sent: list[Sent]) -> Optional[Preflight]:
    words = node.words
    flags = rule_flags(words)
    method_tests = [c for c in conditions if c.words and c.words[0].upper() == "%{REQUEST_METHOD}"]
    if any(len(c.words) > 1 and c.words[1].startswith("!") for c in method_tests):
        return None
    for_options = any(len(c.words) > 1 and _OPTIONS_TEST.match(c.words[1]) for c in method_tests)
    prov = Provenance(node.location(), node.raw, context)
    status = rule_status(flags)
    if for_options and status is not None and not _covers_every_path(words[0] if words else ""):
        return None  # a rule for `/` alone says nothing about OPTIONS to /api/…
    if for_options and status is not None:
        if 200 <= status < 300:
            always = tuple(s.emission for s in sent if s.emission.always)
            return Preflight(PreflightKind.ANSWERED, prov, always, status, REWRITE_NOTE)
        return Preflight(PreflightKind.NOT_HANDLED, prov, status=status, note=f"`{node.raw}` answers OPTIONS with status {status}")
    if method_tests:
        return None
    target = words[1] if len(words) > 1 else ""
    if any(flag.upper() == "P" for flag in flags) or re.search(r"\.(?:php|cgi|pl|py)\b", target):
        return Preflight(PreflightKind.DELEGATED, prov, note=target)
    return None


def _covers_every_path(pattern: str) -> bool:
    """True when a RewriteRule pattern (searched, as mod_rewrite does) matches any path: `^`, `.*`, `^(.*)$`."""
    if not pattern or pattern.startswith("!") or len(pattern) > _MAX_RULE_PATTERN:
        return False
    try:
        compiled = re.compile(pattern)
    except (re.error, RecursionError, OverflowError):
        return False
    return all(compiled.search(path) is not None for path in _SAMPLE_PATHS)


def _denied(scope: Scope, effective: list[Entry]) -> Optional[Preflight]:
    for limit in scope.all_limits():
        methods = {word.upper() for word in limit.words}
        covers = ("OPTIONS" not in methods) if limit.key == "limitexcept" else ("OPTIONS" in methods)
        denial = _denial(limit.children or [])
        if covers and denial is not None:
            note = f"`{limit.label()}` with `{denial.raw}` refuses OPTIONS"
            return Preflight(PreflightKind.NOT_HANDLED, Provenance(limit.location(), limit.raw, scope.scope()), status=403, note=note)
    direct = [entry for entry in effective if entry.node.key == "require"]
    if direct and _AUTH_REQUIRE.match(direct[-1].node.words[0] if direct[-1].node.words else ""):
        node = direct[-1].node
        note = f"`{node.raw}` applies to OPTIONS too, and preflights carry no credentials"
        return Preflight(PreflightKind.NOT_HANDLED, Provenance(node.location(), node.raw, direct[-1].context), status=401, note=note)
    return None


def _denial(nodes: list[Node]) -> Optional[Node]:
    """The first directive, in file order at any depth of sections, that refuses the request."""
    stack = [iter(nodes)]
    while stack:
        node = next(stack[-1], None)
        if node is None:
            stack.pop()
            continue
        words = [word.lower() for word in node.words]
        if node.key == "require" and (words[:2] == ["all", "denied"] or (words and _AUTH_REQUIRE.match(words[0]))):
            return node
        if node.key == "deny" and words[:2] == ["from", "all"]:
            return node
        if node.children:
            stack.append(iter(node.children))
    return None


def _handler(effective: list[Entry]) -> Optional[Preflight]:
    found: Optional[Preflight] = None
    for entry in effective:
        node = entry.node
        words = node.words
        prov = Provenance(node.location(), node.raw, entry.context)
        if node.key == "script" and words and words[0].upper() == "OPTIONS":
            found = Preflight(PreflightKind.DELEGATED, prov, note=words[-1])
        elif node.key in _PROXY or node.key in _SCRIPTS:
            found = found or Preflight(PreflightKind.DELEGATED, prov, note=words[-1] if words else node.name)
        elif node.key == "sethandler" and words and _PHP_HANDLER.search(words[0]):
            found = found or Preflight(PreflightKind.DELEGATED, prov, note=words[0])
    return found
