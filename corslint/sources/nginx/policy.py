"""nginx source, policy layer: turns settled levels and their request flows into CorsPolicy objects, stating facts only.

One policy per place a request can be answered: each location, each `if` with its own headers, and a
server/http/fragment root whose CORS headers no nested level inherits.
"""

from __future__ import annotations

from typing import Iterable, NamedTuple, Optional

from corslint.lazy_regex import lazy
from corslint.model import (
    ABSENT,
    ABSENT_LIST,
    CorsPolicy,
    DeliveryFact,
    DeliveryKind,
    FixedAnswer,
    HeaderEmission,
    ListKind,
    ListSetting,
    Location,
    MatchMode,
    OriginKind,
    OriginRule,
    Preflight,
    PreflightKind,
    Provenance,
    Related,
    Setting,
    WiringFact,
)
from corslint.sources.nginx.flow import Bound, Flow, State
from corslint.sources.nginx.values import ORIGIN, Var, parse_value
from corslint.sources.nginx.levels import Entry, Level
from corslint.sources.nginx.tree import Node

ACAO = "Access-Control-Allow-Origin"
ACAC = "Access-Control-Allow-Credentials"
ACAM = "Access-Control-Allow-Methods"
ACAH = "Access-Control-Allow-Headers"
ACEH = "Access-Control-Expose-Headers"
MAX_AGE = "Access-Control-Max-Age"
ACAPN = "Access-Control-Allow-Private-Network"
_CANONICAL = {name.lower(): name for name in (ACAO, ACAC, ACAM, ACAH, ACEH, MAX_AGE, ACAPN, "Vary")}
SUCCESS_STATUSES = frozenset({200, 201, 204, 206, 301, 302, 303, 304, 307, 308})
_REFLECTING = {ACAM: "http_access_control_request_method", ACAH: "http_access_control_request_headers"}
_STATIC_EXTENSIONS = frozenset(
    "woff woff2 ttf otf eot sfnt svg svgz png jpg jpeg gif ico cur webp avif bmp tif tiff jxl apng "
    "css js mjs map mp4 webm ogg ogv mp3 wav m4a flac htc".split()
)
_STATIC_FOLDERS = frozenset({"fonts", "font", "static", "assets", "images", "img", "media", "css", "js"})
_EXTENSION_GROUP = lazy(r"\\\.\((?:\?:)?([A-Za-z0-9|?]+)\)\$?$")
_EXTENSION_SINGLE = lazy(r"\\\.([A-Za-z0-9]+\??)\$?$")
_FOLDER_REGEX = lazy(r"^\^?/\(?(?:\?:)?((?:[A-Za-z0-9_-]+\|)*[A-Za-z0-9_-]+)\)?/")
_OPTIONAL_CHAR = lazy(r"^([a-z0-9]*)([a-z0-9])\?([a-z0-9]*)$")


def canonical(name: str) -> str:
    low = name.lower()
    return _CANONICAL.get(low) or "-".join(part[:1].upper() + part[1:] for part in low.split("-"))


def is_cors_name(name: str) -> bool:
    return name.lower().startswith("access-control-")


class Header(NamedTuple):
    """A CORS/Vary header a directive sends, with the value as written and the level that declares it."""

    emission: HeaderEmission
    bound: Bound
    node: Node
    level: Level

    @property
    def name(self) -> str:
        return self.emission.name


class PreflightResult(NamedTuple):
    preflight: Preflight
    headers: list[Header]
    states: list[Optional[State]]


class PolicyBuilder:
    """Builds the policies of one root file's levels."""

    def __init__(self, flow: Flow) -> None:
        self.flow = flow
        self._headers: dict[tuple[int, int], list[Header]] = {}

    def build(self, levels: Iterable[Level]) -> list[CorsPolicy]:
        policies: list[CorsPolicy] = []
        every = list(levels)
        for level in every:
            if level.is_place:
                policies.extend(self._place(level))
        return policies + self._gates(every, policies)

    def _gates(self, levels: list[Level], policies: list[CorsPolicy]) -> list[CorsPolicy]:
        """`if ($http_origin ~ …)` tests that no Access-Control-Allow-Origin value depends on: access gates."""
        used = {rule.prov.location for policy in policies for rule in policy.origins}
        found = []
        for level in levels:
            if level.kind != "if" or level.node is None:
                continue
            cond = self.flow.condition(level)
            if cond.var != ORIGIN or cond.positive_op not in ("~", "~*", "=") or not cond.rhs:
                continue
            prov = cond.prov()
            if prov.location in used:
                continue
            note = f"`{level.node.raw()}` tests the request's Origin; it is an access gate, not a CORS header"
            if cond.positive_op == "=":
                rule = OriginRule(OriginKind.EXACT, cond.rhs, prov, note=note)
            else:
                rule = OriginRule(OriginKind.PATTERN, cond.rhs, prov, MatchMode.SEARCH, cond.positive_op == "~*", "pcre", note=note)
            scope = level.parent.scope() if level.parent is not None else ""
            found.append(CorsPolicy("nginx", f"{scope} > {level.node.raw()}" if scope else level.node.raw(), prov.location, gates=[rule]))
        return found

    # --- places --------------------------------------------------------------------------------

    def _place(self, place: Level) -> list[CorsPolicy]:
        headers = self.headers(place.eff_add, place.eff_more)
        delivery = self._dropped(place) + self._duplicates(place.eff_add)
        header_ifs = [level for level in place.ifs if level.own_headers]
        has_cors = any(is_cors_name(h.name) for h in headers)
        if place.kind == "location":
            # a location that hides an application's CORS headers is a scope too: what it hides may be all there is
            wanted = has_cors or bool(delivery) or (bool(place.passes) and _hides_cors(place))
        else:
            wanted = (has_cors and not self._covered(place)) or bool(delivery)
        if not wanted and not header_ifs:
            return []
        phases = self._phases(place)
        main = self.flow.run(phases, preflight=False)
        pre = self.flow.run(phases, preflight=True)
        preflight = self._preflight(place, pre)
        policies = []
        if wanted:
            states = _select(main, lambda s: (s.conf is None or not s.conf.own_headers) and not _error_return(s))
            policy = self._policy(place, place, headers, states, preflight, delivery, [place])
            policy.answers = _fixed_answers(main, pre)
            policies.append(policy)
        for level in header_ifs:
            branch = self._if_policy(place, level, main, pre, preflight)
            if branch is not None:
                policies.append(branch)
        return policies

    def _if_policy(self, place: Level, level: Level, main, pre, preflight: PreflightResult) -> Optional[CorsPolicy]:
        """The response of requests whose last matching `if` is `level` (a later matching `if` replaces its headers)."""
        states = _select(main, lambda s: _answered_by(s, level)) + _select(pre, lambda s: _answered_by(s, level))
        if not states:
            return None
        headers = self.headers(level.eff_add, level.eff_more)
        delivery = self._in_if(level) + self._dropped(level) + self._duplicates(level.eff_add)
        own = [s for s in pre or [] if s.ret is not None and s.ret.conf is level]
        if own:
            preflight = self._answered(own[0])
        condition = self.flow.condition(level).text
        return self._policy(place, level, headers, states, preflight, delivery, [level, place], condition)

    @staticmethod
    def _phases(place: Level) -> list[Level]:
        if place.kind == "location":
            return [place.home, place] if place.home is not None else [place]
        return [place] if place.kind in ("server", "root") else []

    @staticmethod
    def _covered(place: Level) -> bool:
        """True when nested levels answer for the place's CORS headers, so the place needs no policy of its own.

        An http block never answers a request itself once it has servers, more_set_headers always reach the
        nested levels, and a server or fragment root is covered when one of its locations inherits its add_header list.
        """
        if place.kind == "http" or not any(node.args and is_cors_name(node.args[0]) for node, _ in place.eff_add):
            return bool(place.children)
        size = len(place.eff_add)
        return any(child.eff_add is place.eff_add or child.eff_add[:size] == place.eff_add for child in place.children)

    # --- the policy ----------------------------------------------------------------------------

    def _policy(
        self,
        place: Level,
        level: Level,
        headers: list[Header],
        states: list[Optional[State]],
        preflight: PreflightResult,
        delivery: list[DeliveryFact],
        wiring_levels: list[Level],
        condition: str = "",
    ) -> CorsPolicy:
        answer = preflight.headers if preflight.preflight.kind is PreflightKind.ANSWERED else []
        node = level.node
        location = node.location() if node is not None else Location(level.root.path, 1, 1)
        return CorsPolicy(
            source="nginx",
            scope=level.scope(),
            location=location,
            origins=self._origins(headers, states),
            credentials=self._credentials(_first(headers, ACAC), states),
            methods=self._list_or(headers, answer, ACAM, states, preflight.states),
            allow_headers=self._list_or(headers, answer, ACAH, states, preflight.states),
            expose_headers=self._list(_first(headers, ACEH), states),
            max_age=self._scalar_or(headers, answer, MAX_AGE, states, preflight.states, lambda text: text),
            vary_origin=self._vary(headers, states),
            private_network=self._scalar_or(headers, answer, ACAPN, states, preflight.states, lambda text: text == "true"),
            preflight=preflight.preflight,
            emissions=[h.emission for h in headers],
            delivery=delivery,
            wiring=self._wiring(wiring_levels),
            paths=_paths(place),
            static_assets=place.kind == "location" and place.node is not None and is_static_location(place.node.args),
            condition=condition,
            content=_content_of(place),
        )

    def _origins(self, headers: list[Header], states: list[Optional[State]]) -> list[OriginRule]:
        rules: list[OriginRule] = []
        for header in headers:
            if header.name == ACAO:
                rules.extend(self.flow.origin_rules(header.bound, states, header.node))
        return rules

    def _credentials(self, header: Optional[Header], states: list[Optional[State]]) -> Setting:
        if header is None:
            return ABSENT
        values, unknown = self.flow.literal_values(header.bound, states)
        for text, bound in values:
            if text == "true":
                return Setting.known(True, bound.prov())
        if values:
            return Setting.known(False, values[0][1].prov())
        return Setting.unknown(header.bound.prov()) if unknown else ABSENT

    def _list_or(self, headers, answer, name, states, answer_states) -> ListSetting:
        setting = self._list(_first(headers, name), states)
        if setting.present or not answer:
            return setting
        return self._list(_first(answer, name), answer_states)

    def _list(self, header: Optional[Header], states: list[Optional[State]]) -> ListSetting:
        if header is None:
            return ABSENT_LIST
        prov = header.bound.prov()
        reflecting = _REFLECTING.get(header.name)
        if reflecting and header.bound.value == (Var(reflecting),):
            return ListSetting(ListKind.REFLECT, (), prov)
        values, unknown = self.flow.literal_values(header.bound, states)
        if unknown or len(values) != 1:
            return ListSetting(ListKind.UNKNOWN, (), prov) if unknown or values else ABSENT_LIST
        text, bound = values[0]
        items, provs = _split_items(text, bound)
        kind = ListKind.ANY if items == ("*",) else ListKind.EXPLICIT
        return ListSetting(kind, items, bound.prov(), provs)

    def _scalar_or(self, headers, answer, name, states, answer_states, convert) -> Setting:
        header = _first(headers, name)
        if header is None and answer:
            header, states = _first(answer, name), answer_states
        if header is None:
            return ABSENT
        values, unknown = self.flow.literal_values(header.bound, states)
        if len(values) == 1 and not unknown:
            text, bound = values[0]
            return Setting.known(convert(text), bound.prov())
        return Setting.unknown(header.bound.prov()) if unknown or values else ABSENT

    def _vary(self, headers: list[Header], states: list[Optional[State]]) -> Setting:
        unknown: Optional[Header] = None
        for header in headers:
            if header.name != "Vary":
                continue
            values, dynamic = self.flow.literal_values(header.bound, states)
            for text, _ in values:
                if any(part.strip().lower() in ("origin", "*") for part in text.split(",")):
                    return Setting.known(True, header.emission.prov)
            if dynamic and unknown is None:
                unknown = header
        return Setting.unknown(unknown.emission.prov) if unknown is not None else ABSENT

    # --- preflight -----------------------------------------------------------------------------

    def _preflight(self, place: Level, pre: Optional[list[State]]) -> PreflightResult:
        if pre is None:
            return _result(Preflight(PreflightKind.UNKNOWN, note="too many `if` conditions to follow how OPTIONS is answered"))
        for state in pre:
            if state.ret is not None and state.ret.success:
                return self._answered(state)
            redirected = self._error_page(state)
            if redirected is not None:
                return self._answered(redirected)
        live = [state for state in pre if state.ret is None]
        if not live:
            ret = pre[0].ret
            assert ret is not None
            note = f"OPTIONS is answered with status {ret.code}"
            return _result(Preflight(PreflightKind.NOT_HANDLED, _prov(ret.node, ret.level), status=ret.code, note=note))
        return self._content(place, live[0])

    def _error_page(self, state: State) -> Optional[State]:
        """The 2xx answer of a named location an `error_page CODE @name` sends a returned status to, if any."""
        ret = state.ret
        if ret is None or ret.code is None:
            return None
        for node in ret.level.eff_error_pages:
            if len(node.args) < 2 or str(ret.code) not in node.args[:-1] or not node.args[-1].startswith("@"):
                continue
            named = ret.level.named_location(node.args[-1])
            answers = self.flow.run([named], preflight=True) if named is not None else None
            return next((s for s in answers or [] if s.ret is not None and s.ret.success), None)
        return None

    def _answered(self, state: State) -> PreflightResult:
        ret = state.ret
        assert ret is not None
        where = ret.answer_level
        headers = [h for h in self.headers(where.eff_add, where.eff_more) if ret.code in SUCCESS_STATUSES or h.emission.always]
        conf = ret.conf
        prov = _prov(conf.node, conf.parent) if conf is not None and conf.node and conf.parent else _prov(ret.node, ret.level)
        preflight = Preflight(PreflightKind.ANSWERED, prov, tuple(h.emission for h in headers), ret.code)
        return PreflightResult(preflight, headers, [state])

    def _content(self, place: Level, state: State) -> PreflightResult:
        """What answers an OPTIONS request that no `return` ended: auth, limit_except, an upstream or static files."""
        conf = state.conf
        auth = place.eff_auth
        if auth is not None and auth[0].args and auth[0].args[0] != "off":
            note = f"`{auth[0].raw()}` applies to OPTIONS too, and preflights carry no credentials"
            return _result(Preflight(PreflightKind.NOT_HANDLED, _prov(auth[0], auth[1]), note=note))
        for node in place.limit_except:
            if _denies_options(node):
                return _result(Preflight(PreflightKind.NOT_HANDLED, _prov(node, place), status=403, note=f"`{node.raw()}` denies OPTIONS"))
        passes = (conf.passes if conf is not None else []) + place.passes
        if passes:
            node = passes[0]
            headers = self.headers(conf.eff_add, conf.eff_more) if conf is not None and conf.own_headers else []
            preflight = Preflight(PreflightKind.DELEGATED, _prov(node, conf or place), tuple(h.emission for h in headers), note=node.args[0] if node.args else node.name)
            return PreflightResult(preflight, headers, [state])
        if place.handlers:
            node = place.handlers[0]
            return _result(Preflight(PreflightKind.UNKNOWN, _prov(node, place), note=f"`{node.name}` answers requests here"))
        if place.kind == "root":
            note = "this file is not included by any scanned file; how OPTIONS is answered depends on where it is included"
            return _result(Preflight(PreflightKind.UNKNOWN, note=note))
        prov = _prov(place.node, place) if place.node is not None else None
        return _result(Preflight(PreflightKind.NOT_HANDLED, prov, note="nginx answers OPTIONS for static files with 405"))

    # --- delivery and wiring -------------------------------------------------------------------

    def _dropped(self, level: Level) -> list[DeliveryFact]:
        parent = level.parent
        if not level.own_add or level.inherit_mode != "on" or parent is None:
            return []
        own = {node.args[0].lower() for node in level.own_add if node.args}
        own_vary = any(_varies_on_origin(node) for node in level.own_add)
        reaches_preflight = self._admits_options(level)
        first = level.own_add[0]
        facts: list[DeliveryFact] = []
        seen: set[str] = set()
        for node, owner in parent.eff_add:
            name = node.args[0].lower() if node.args else ""
            dropped = (is_cors_name(name) and name not in own) or (name == "vary" and _varies_on_origin(node) and not own_vary)
            if not dropped or name in seen:
                continue
            seen.add(name)
            related = Related(node.location(), f"`{node.raw()}` ({owner.scope()}) is not inherited here")
            prov = Provenance(first.location(), first.raw(), level.scope(), (related,))
            detail = f"the add_header directives of `{level.label}` replace the inherited ones, so `{node.raw()}` from {owner.scope()} is not sent here"
            facts.append(DeliveryFact(DeliveryKind.DROPPED_INHERITED, canonical(node.args[0]), prov, detail, reaches_preflight))
        return facts

    def _admits_options(self, level: Level) -> bool:
        """False when an `if ($request_method …)` around `level` provably refuses OPTIONS."""
        current: Optional[Level] = level
        while current is not None and current.kind == "if":
            cond = self.flow.condition(current)
            if cond.var == "request_method" and cond.test("OPTIONS") is False:
                return False
            current = current.parent
        return True

    @staticmethod
    def _duplicates(entries: list[Entry]) -> list[DeliveryFact]:
        facts: list[DeliveryFact] = []
        first: dict[str, Node] = {}
        for node, owner in entries:
            if not node.args or not is_cors_name(node.args[0]):
                continue
            name = node.args[0].lower()
            if name not in first:
                first[name] = node
                continue
            earlier = first[name]
            related = Related(earlier.location(), f"first added by `{earlier.raw()}` here")
            prov = Provenance(node.location(), node.raw(), owner.scope(), (related,))
            facts.append(DeliveryFact(DeliveryKind.DUPLICATE, canonical(node.args[0]), prov, "added twice on one response path"))
        return facts

    @staticmethod
    def _in_if(level: Level) -> list[DeliveryFact]:
        detail = "returns" if level.returns else ""
        return [
            DeliveryFact(DeliveryKind.IN_IF, canonical(node.args[0]), Provenance(node.location(), node.raw(), level.scope()), detail)
            for node in level.own_add
            if node.args and is_cors_name(node.args[0])
        ]

    @staticmethod
    def _wiring(levels: list[Level]) -> list[WiringFact]:
        facts: list[WiringFact] = []
        for level in levels:
            for node in level.passes:
                target = node.args[0] if node.args else ""
                group = level.upstream_group(_group_name(target))
                facts.append(WiringFact("upstream", _prov(node, level), node.name, target, servers=tuple(group or ())))
        place = levels[-1]
        for entries in place.eff_hides.values():
            for node, owner in entries:
                if node.name.endswith("_hide_header") and node.args and (is_cors_name(node.args[0]) or node.args[0].lower() == "vary"):
                    facts.append(WiringFact("proxy-hides-header", _prov(node, owner), node.name, canonical(node.args[0])))
        return facts

    # --- headers -------------------------------------------------------------------------------

    def headers(self, add: list[Entry], more: list[Entry]) -> list[Header]:
        found: list[Header] = []
        for node, level in add:
            found.extend(self._headers_of(node, level))
        for node, level in more:
            found.extend(self._headers_of(node, level))
        return found

    def _headers_of(self, node: Node, level: Level) -> list[Header]:
        key = (id(node), id(level))
        cached = self._headers.get(key)
        if cached is None:
            cached = self._headers[key] = list(_read_headers(node, level))
        return cached


def _read_headers(node: Node, level: Level) -> Iterable[Header]:
    conditional = level.kind == "if"
    context = level.scope()
    if node.name == "add_header":
        if len(node.args) < 2 or not _relevant(node.args[0]) or node.args[1] == "":
            return
        always = len(node.args) > 2 and node.args[2] == "always"
        prov = Provenance(node.location(), node.raw(), context)
        emission = HeaderEmission(canonical(node.args[0]), node.args[1], prov, always, conditional, "add")
        yield Header(emission, Bound(parse_value(node.args[1]), node, 2, context), node, level)
        return
    restricted = False
    index = 0
    while index < len(node.args):
        token = node.args[index]
        if token in ("-s", "-t"):
            restricted = restricted or token == "-s"
            index += 2
            continue
        index += 1
        name, colon, value = token.partition(":")
        name, value = name.strip(), value.strip()
        if not colon or not value or not _relevant(name):
            continue
        prov = Provenance(node.location(index), node.raw(), context)
        emission = HeaderEmission(canonical(name), value, prov, not restricted, conditional, "replace")
        yield Header(emission, Bound(parse_value(value), node, index, context), node, level)


def _relevant(name: str) -> bool:
    return is_cors_name(name) or name.lower() == "vary"


def _varies_on_origin(node: Node) -> bool:
    return len(node.args) > 1 and node.args[0].lower() == "vary" and "origin" in node.args[1].lower()


def _first(headers: list[Header], name: str) -> Optional[Header]:
    return next((h for h in headers if h.name == name), None)


def _select(states: Optional[list[State]], keep) -> list[Optional[State]]:
    if states is None:
        return [None]
    chosen: list[Optional[State]] = [state for state in states if keep(state)]
    return chosen


def _answered_by(state: State, level: Level) -> bool:
    """True when the request ends with `level` as its configuration, and not with an error page."""
    conf = state.ret.conf if state.ret is not None else state.conf
    return conf is level and not _error_return(state)


_REDIRECTS = frozenset({301, 302, 303, 307, 308})


def _fixed_answers(main: Optional[list[State]], pre: Optional[list[State]]) -> list[FixedAnswer]:
    """The `return` (or redirecting `rewrite`) outside any `if` that ends every request here, OPTIONS included."""
    if not main or not pre or any(state.ret is None or state.ret.conf is not None for state in main):
        return []
    ret = main[0].ret
    assert ret is not None
    if ret.code is None or any(state.ret is None or state.ret.node is not ret.node for state in main + pre):
        return []
    args = ret.node.args
    if ret.node.name == "rewrite":  # its pattern matches every URI (the flow took it as ending every request)
        return [FixedAnswer(ret.code, args[1], _prov(ret.node, ret.level), "regex", args[0])]
    target = args[-1] if ret.code in _REDIRECTS and args and not args[-1].isdigit() else ""  # `return [301] URL`
    return [FixedAnswer(ret.code, target, _prov(ret.node, ret.level))]


def _error_return(state: State) -> bool:
    """A request ended by `return 4xx/5xx`: an error page, whatever CORS headers it carries."""
    return state.ret is not None and state.ret.error


def _result(preflight: Preflight) -> PreflightResult:
    return PreflightResult(preflight, [], [None])


def _prov(node: Node, level: Level) -> Provenance:
    return Provenance(node.location(), node.raw(), level.scope())


def _denies_options(node: Node) -> bool:
    methods = {arg.upper() for arg in node.args}
    if "OPTIONS" in methods:
        return False
    return any(child.name == "deny" or (child.name.startswith("auth_") and child.args[:1] != ["off"]) for child in node.children or [])


def _paths(place: Level) -> tuple[str, ...]:
    if place.kind == "location" and place.node is not None and place.node.args:
        return (" ".join(place.node.args),)
    return ()


def _split_items(text: str, bound: Bound) -> tuple[tuple[str, ...], tuple[Provenance, ...]]:
    """Comma-separated items, each with its own column when the value sits on one line of its token."""
    base = bound.prov()
    token = bound.node.args[bound.index - 1] if 0 < bound.index <= len(bound.node.args) else ""
    lead = token.find(text)
    column = base.location.column
    if column and lead >= 0 and "\n" not in token[:lead]:
        column += lead + (1 if bound.node.source_char(bound.index) in ("'", '"') else 0)
    else:
        column = 0
    items: list[str] = []
    provs: list[Provenance] = []
    offset = 0
    for part in text.split(","):
        item = part.strip()
        start = offset + len(part) - len(part.lstrip())
        offset += len(part) + 1
        if not item:
            continue
        items.append(item)
        if column and "\n" not in text[:start]:
            provs.append(Provenance(Location(base.location.path, base.location.line, column + start), base.raw, base.context))
        else:
            provs.append(base)
    return tuple(items), tuple(provs)


def _expand_extensions(group: str) -> list[str]:
    """`woff2?|ttf` -> woff, woff2, ttf; [] when an alternative is more than letters with optional characters."""
    found: list[str] = []
    for alternative in group.lower().split("|"):
        if alternative.isalnum():
            found.append(alternative)
            continue
        match = _OPTIONAL_CHAR.match(alternative)
        if match is None:
            return []
        head, char, tail = match.groups()
        found.extend([head + char + tail, head + tail])
    return found


def _hides_cors(place: Level) -> bool:
    return any(
        node.name.endswith("_hide_header") and node.args and is_cors_name(node.args[0])
        for entries in place.eff_hides.values()
        for node, _ in entries
    )


def _group_name(target: str) -> str:
    """`backend` of `http://backend/api` or `backend:8000`: what may name an `upstream` group."""
    rest = target.partition("://")[2] or target
    return rest.partition("/")[0]


def _content_of(place: Level) -> str:
    """What answers the place's requests: `static` when nginx does itself (files from disk or a `return`),
    `upstream` when a `*_pass` hands them to an application, empty when a content module or nested level decides."""
    if place.kind not in ("location", "server") or (place.kind == "server" and place.children):
        return ""
    pending, levels = [place], []
    while pending:
        level = pending.pop()
        levels.append(level)
        pending.extend(level.ifs)
    if any(level.passes for level in levels):
        return "upstream"
    if any(level.handlers for level in levels) or place.limit_except:
        return ""
    return "static"


def is_static_location(args: list[str]) -> bool:
    """True when the location only matches font/image/static-asset files or folders."""
    if not args:
        return False
    modifier, path = (args[0], args[-1]) if len(args) > 1 else ("", args[0])
    if modifier in ("~", "~*"):
        match = _EXTENSION_GROUP.search(path) or _EXTENSION_SINGLE.search(path)
        if match is not None:
            extensions = _expand_extensions(match.group(1))
            return bool(extensions) and all(ext in _STATIC_EXTENSIONS for ext in extensions)
        folder = _FOLDER_REGEX.match(path)
        return folder is not None and all(name.lower() in _STATIC_FOLDERS for name in folder.group(1).split("|"))
    segments = [segment for segment in path.lower().split("/") if segment]
    if segments and "." in segments[-1]:
        return segments[-1].rsplit(".", 1)[1] in _STATIC_EXTENSIONS
    return any(segment in _STATIC_FOLDERS for segment in segments)
