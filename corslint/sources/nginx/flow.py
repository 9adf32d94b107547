"""nginx source, request-flow layer: runs `if`/`set`/`return` symbolically and resolves header values through `set`/`map`.

Conditions on `$request_method` are decided for an OPTIONS preflight or an ordinary request; conditions on the
request Origin (directly, through a flag variable or through a `map`) split the state and become the guards of
origin rules. Never recursive except for `map` chains, which are bounded; the number of states is bounded too.
"""

from __future__ import annotations

from typing import NamedTuple, Optional, Union

from corslint.model import MatchMode, OriginKind, OriginRule, Provenance, Related
from corslint.records import replace
from corslint.sources.nginx.files import Loader
from corslint.sources.nginx.levels import Level
from corslint.sources.nginx.tree import Node
from corslint.sources.templates import TEMPLATE_VARIABLE
from corslint.sources.nginx.values import (
    ORIGIN,
    ORIGIN_VALUE,
    MapEntry,
    MapInfo,
    Value,
    Var,
    VarIndex,
    compile_regex,
    key_rule,
    literal,
    parse_map,
    parse_value,
    show,
    static_type_key,
    variable_name,
)

MAX_STATES = 64
MAX_MAP_DEPTH = 6
NORMAL_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
_ALWAYS_MATCHES = frozenset({"^", "^.*$", "^(.*)$", ".*", "(.*)", "^/?(.*)$"})
_UNDECIDED = object()
# variables nginx fills from the request or the connection (prefixes and names)
_REQUEST_PREFIXES = ("http_", "arg_", "cookie_", "sent_http_", "upstream_", "request_", "remote_", "server_", "ssl_")
_REQUEST_NAMES = frozenset({"uri", "host", "hostname", "scheme", "args", "query_string", "document_uri", "request", "is_args"})


def return_code(args: list[str]) -> Optional[int]:
    if args and args[0].isdigit() and len(args[0]) <= 4:  # nginx takes codes up to 999
        return int(args[0])
    return 302 if args else None


class Bound(NamedTuple):
    """A value and where it was written: the directive, the token index and the scope it is written in."""

    value: Value
    node: Node
    index: int
    context: str
    # for a copy of $http_origin: the Origin test that held when the copy was made
    guard: Optional["Atom"] = None

    def prov(self) -> Provenance:
        return Provenance(self.node.location(self.index), self.node.raw(), self.context)


class Return(NamedTuple):
    """A `return` (or redirecting `rewrite`) that ended a request: status, directive, the `if` in force, where written."""

    code: Optional[int]
    node: Node
    conf: Optional[Level]
    level: Level

    @property
    def answer_level(self) -> Level:
        """The level whose headers go out with this answer."""
        return self.conf or self.level

    @property
    def success(self) -> bool:
        return self.code is not None and 200 <= self.code < 300

    @property
    def error(self) -> bool:
        return self.code is not None and self.code >= 400


class Cond(NamedTuple):
    """An `if` condition: `var op rhs`, `op` "truthy" for a bare variable or "other" for anything else."""

    var: str
    op: str
    rhs: str
    rhs_index: int
    level: Level
    text: str

    @property
    def negated(self) -> bool:
        return self.op.startswith("!")

    @property
    def positive_op(self) -> str:
        return self.op.lstrip("!")

    def test(self, value: str) -> Optional[bool]:
        """The condition's truth for a concrete value of its variable, None when it cannot be told."""
        op = self.positive_op
        if op == "truthy":
            result: Optional[bool] = value not in ("", "0")
        elif op == "=":
            rhs = parse_value(self.rhs)
            text = literal(rhs)
            result = None if text is None else value == text
        elif op in ("~", "~*"):
            compiled = compile_regex(self.rhs, op == "~*")
            result = None if compiled is None else compiled.search(value) is not None
        else:
            return None
        return None if result is None else result != self.negated

    def prov(self) -> Provenance:
        """Where the tested value (the regex or text compared with) is written."""
        node = self.level.node
        assert node is not None
        parent = self.level.parent
        return Provenance(node.location(self.rhs_index), node.raw(), parent.scope() if parent else "")


def parse_condition(level: Level) -> Cond:
    node = level.node
    assert node is not None
    args = list(node.args)
    indexes = list(range(1, len(args) + 1))
    if args and args[0].startswith("(") and args[-1].endswith(")"):
        args[0] = args[0][1:].lstrip()
        args[-1] = args[-1][:-1].rstrip()
        if args and not args[-1]:
            args, indexes = args[:-1], indexes[:-1]
        if args and not args[0]:
            args, indexes = args[1:], indexes[1:]
    text = node.raw()[2:].strip()
    if text.startswith("(") and text.endswith(")"):
        text = text[1:-1].strip()
    if len(args) == 1 and args[0].startswith("$"):
        return Cond(variable_name(args[0]), "truthy", "", 0, level, text)
    if len(args) == 3 and args[0].startswith("$") and args[1] in ("=", "!=", "~", "~*", "!~", "!~*"):
        return Cond(variable_name(args[0]), args[1], args[2], indexes[2], level, text)
    return Cond("", "other", text, 0, level, text)


class Atom(NamedTuple):
    """A fact a state assumes about the request: a condition (positive form) or the map entries an Origin fell into."""

    key: tuple
    cond: Optional[Cond]
    origin: bool = False
    entries: tuple[MapEntry, ...] = ()
    info: Optional[MapInfo] = None


class State:
    """One way through the rewrite directives: variables, assumptions, entered `if` blocks, the `return` met."""

    __slots__ = ("env", "atoms", "entered", "conf", "ret", "done")

    def __init__(self) -> None:
        self.env: dict[str, Bound] = {}
        self.atoms: dict[tuple, tuple[Atom, bool]] = {}
        self.entered: tuple[Level, ...] = ()
        self.conf: Optional[Level] = None
        self.ret: Optional[Return] = None
        self.done = False

    def fork(self) -> "State":
        other = State()
        other.env, other.atoms, other.entered = self.env, self.atoms, self.entered
        other.conf, other.ret, other.done = self.conf, self.ret, self.done
        return other

    def assuming(self, atom: Atom, holds: bool) -> "State":
        other = self.fork()
        other.atoms = {**self.atoms, atom.key: (atom, holds)}
        return other

    def binding(self, name: str, bound: Bound) -> "State":
        other = self.fork()
        other.env = {**self.env, name: bound}
        return other

    def origin_guard(self) -> Optional[Atom]:
        """The latest Origin test this state assumes to hold, if any."""
        for atom, holds in reversed(self.atoms.values()):
            if holds and atom.origin and (atom.entries or (atom.cond is not None and _is_guard(atom.cond))):
                return atom
        return None


class Flow:
    """Request-flow evaluation for one root file (maps defined in the root's own include tree win)."""

    def __init__(self, index: VarIndex, loader: Loader, files: set[str], fragment: bool) -> None:
        self.index = index
        self.loader = loader
        self.files = files
        # a snippet included by nothing: variables it reads but does not set may come from its includer
        self.fragment = fragment
        self._maps: dict[str, Optional[MapInfo]] = {}
        self._conds: dict[int, Cond] = {}
        self._map_cache: dict[tuple, list[OriginRule]] = {}
        self._phases: dict[tuple[int, bool], Optional[list[State]]] = {}
        self._methods: dict[tuple[int, bool], object] = {}

    def map_info(self, name: str) -> Optional[MapInfo]:
        if name not in self._maps:
            nodes = self.index.maps.get(name, [])
            local = [node for node in nodes if node.file.path in self.files]
            chosen = (local or nodes or [None])[-1]
            self._maps[name] = parse_map(chosen, self.loader) if chosen is not None else None
        return self._maps[name]

    def condition(self, level: Level) -> Cond:
        cond = self._conds.get(id(level))
        if cond is None:
            cond = self._conds[id(level)] = parse_condition(level)
        return cond

    # --- the interpreter -------------------------------------------------------------------------

    def run(self, phases: list[Level], preflight: bool) -> Optional[list[State]]:
        """Final states after the rewrite directives of each phase (server, then location); None when too many.

        A phase's result only depends on the states it starts from, so a server's phase is run once and
        shared by all its locations (states are never changed in place).
        """
        states: Optional[list[State]] = [State()]
        for index, phase in enumerate(phases):
            if states is None:
                return None
            if index == 0:
                key = (id(phase), preflight)
                if key not in self._phases:
                    self._phases[key] = self._phase(phase, states, preflight)
                states = self._phases[key]
            else:
                states = self._phase(phase, states, preflight)
        return states

    def _phase(self, phase: Level, states: list[State], preflight: bool) -> Optional[list[State]]:
        """Run one level's rewrite directives; a phase starts with no `break` in force and no `if` entered."""
        current = [_fresh(state) for state in states]
        for item in phase.rewrite:
            following: list[State] = []
            for state in current:
                if state.ret is not None or state.done:
                    following.append(state)
                else:
                    following.extend(self._step(item, state, phase, preflight))
            if len(following) > MAX_STATES:
                return None
            current = following
        return current

    def _step(self, item: object, state: State, phase: Level, preflight: bool) -> list[State]:
        if isinstance(item, Node):
            return [self._simple(item, state, phase)]
        assert isinstance(item, Level)
        results = []
        for branch, taken in self._decide(self.condition(item), state, preflight):
            if taken:
                branch = branch.fork()
                branch.entered = branch.entered + (item,)
                branch.conf = item
                for body in item.rewrite:
                    if branch.ret is not None or branch.done:
                        break
                    if isinstance(body, Node):
                        branch = self._simple(body, branch, item)
            results.append(branch)
        return results

    def _simple(self, node: Node, state: State, level: Level) -> State:
        name, args = node.name, node.args
        if name == "set" and len(args) >= 2 and args[0].startswith("$"):
            raw = parse_value(args[1])
            if len(raw) == 1 and isinstance(raw[0], Var) and raw[0].name in state.env:
                return state.binding(variable_name(args[0]), state.env[raw[0].name])
            value = self.substitute(raw, state)
            guard = state.origin_guard() if value == ORIGIN_VALUE else None
            return state.binding(variable_name(args[0]), Bound(value, node, 2, level.scope(), guard))
        if name == "return" or (name == "rewrite" and len(args) >= 3 and args[2] in ("redirect", "permanent") and args[0] in _ALWAYS_MATCHES):
            other = state.fork()
            code = return_code(args) if name == "return" else (301 if args[2] == "permanent" else 302)
            other.ret = Return(code, node, state.conf, level)
            return other
        if name == "break":
            other = state.fork()
            other.done = True
            return other
        return state

    def unset(self, name: str) -> bool:
        """True when a variable missing from the state is known to be empty: `set` elsewhere, never on this path."""
        return name in self.index.set_names and not self.fragment

    def unreadable(self, name: str, state: Optional[State]) -> str:
        """Why the value of variable `name` is unknown, for an OriginRule note."""
        if name.startswith(TEMPLATE_VARIABLE) and not name[len(TEMPLATE_VARIABLE) :].strip("_"):
            return "the value is a template expression, filled in before nginx reads the file"
        if name in _REQUEST_NAMES or name.startswith(_REQUEST_PREFIXES) or name.isdigit():
            return f"`${name}` is filled from the request at run time"
        if name in self.index.set_names:
            if state is None:
                return f"`${name}` is set through `if`/`set` logic with too many conditions to follow"
            return f"`${name}` is set outside this file, which no scanned file includes"
        return f"`${name}` is not set in the scanned configuration"

    def substitute(self, value: Value, state: State) -> Value:
        """The value with the variables this state knows replaced by their values (unset ones by "")."""
        parts: list[Union[str, Var]] = []
        for part in value:
            replacement: Value = (part,)
            if isinstance(part, Var):
                if part.name in state.env:
                    replacement = state.env[part.name].value
                elif self.unset(part.name):
                    replacement = ("",)
            for piece in replacement:
                if isinstance(piece, str) and parts and isinstance(parts[-1], str):
                    parts[-1] = parts[-1] + piece
                else:
                    parts.append(piece)
        return tuple(parts)

    def _decide(self, cond: Cond, state: State, preflight: bool) -> list[tuple[State, bool]]:
        var = cond.var
        if cond.op == "other" or not var:
            return self._split(state, Atom(("other", cond.text), cond), cond.negated)
        if var == "request_method":
            return self._decide_method(cond, state, preflight, cond.test)
        bound = state.env.get(var)
        if bound is not None:
            text = literal(bound.value)
            decided = cond.test(text) if text is not None else None
            if decided is not None:
                return [(state, decided)]
            return self._split(state, self._atom(cond, bound.value == ORIGIN_VALUE), cond.negated)
        info = self.map_info(var)
        if info is not None:
            return self._decide_map(cond, info, state, preflight)
        if self.unset(var):
            decided = cond.test("")
            if decided is not None:
                return [(state, decided)]
        return self._split(state, self._atom(cond, var == ORIGIN), cond.negated)

    @staticmethod
    def _atom(cond: Cond, origin: bool) -> Atom:
        return Atom(("cond", cond.var if not origin else ORIGIN, cond.positive_op, cond.rhs), cond, origin)

    def _decide_method(self, cond: Cond, state: State, preflight: bool, check) -> list[tuple[State, bool]]:
        """Decide a test of the request method: for OPTIONS, or for every ordinary method at once when they agree."""
        key = (id(cond), preflight)
        decided = self._methods.get(key, _UNDECIDED)
        if decided is _UNDECIDED:
            if preflight:
                decided = check("OPTIONS")
            else:
                results = {check(method) for method in NORMAL_METHODS}
                decided = results.pop() if len(results) == 1 else None
            self._methods[key] = decided
        if decided is not None:
            return [(state, decided)]
        return self._split(state, Atom(("method", cond.var, cond.positive_op, cond.rhs), cond), cond.negated)

    def _decide_map(self, cond: Cond, info: MapInfo, state: State, preflight: bool) -> list[tuple[State, bool]]:
        if info.source == (Var("request_method"),):
            return self._decide_method(cond, state, preflight, lambda method: self._entry_test(cond, info.lookup(method)))
        if info.source != ORIGIN_VALUE:
            return self._split(state, Atom(("cond", cond.var, cond.positive_op, cond.rhs), cond), cond.negated)
        chosen = state.atoms.get(("map", id(info.node)))
        if chosen is not None:
            atom, holds = chosen
            results = {self._entry_test(cond, entry) for entry in atom.entries}
            if holds and len(results) == 1 and None not in results:
                return [(state, results.pop())]
        matching, other = [], False
        for entry in info.all_entries() or []:
            result = self._entry_test(cond, entry)
            if result is not False:
                matching.append(entry)
            if result is not True:
                other = True
        if info.default is None and cond.test("") is not True:
            other = True
        elif info.default is None:
            matching.append(MapEntry(info.node, "default", "default", "", False, ("",)))
        branches = []
        if matching:
            atom = Atom(("map", id(info.node)), cond, True, tuple(matching), info)
            branches.append((state.assuming(atom, True), True))
        if other:
            branches.append((state.assuming(Atom(("mapcond", id(info.node), cond.op, cond.rhs), cond), True), False))
        return branches

    @staticmethod
    def _entry_test(cond: Cond, entry: Optional[MapEntry]) -> Optional[bool]:
        text = literal(entry.value) if entry is not None else ""
        return cond.test(text) if text is not None else None

    @staticmethod
    def _split(state: State, atom: Atom, negated: bool) -> list[tuple[State, bool]]:
        known = state.atoms.get(atom.key)
        if known is not None:
            return [(state, known[1] != negated)]
        branches = []
        for holds in (True, False):
            if holds and _contradicts(state, atom):
                continue
            branches.append((state.assuming(atom, holds), holds != negated))
        return branches

    # --- values --------------------------------------------------------------------------------

    def origin_rules(self, bound: Bound, states: list[Optional[State]], sender: Node) -> list[OriginRule]:
        """How the value of an Access-Control-Allow-Origin header trusts origins, over the request states that send it.

        A copy of `$http_origin` admits, per state, the origins passing that state's Origin test; once one
        state echoes every origin, the narrower tests of other states say nothing more and are left out.
        """
        related = Related(sender.location(), f"sent by {sender.raw()} here")
        plain: list[OriginRule] = []
        guarded: list[OriginRule] = []
        for state in states:
            rules, from_guard = self._value_rules(bound, state, related, 0)
            (guarded if from_guard else plain).extend(rules)
        if any(rule.kind is OriginKind.REFLECT for rule in guarded):
            guarded = [rule for rule in guarded if rule.kind is OriginKind.REFLECT]
        unique: dict[tuple, OriginRule] = {}
        for rule in plain + guarded:
            unique.setdefault((rule.kind, rule.value, rule.prov.location, rule.mode, rule.ignore_case), rule)
        return list(unique.values())

    def _value_rules(self, bound: Bound, state: Optional[State], related: Related, depth: int) -> tuple[list[OriginRule], bool]:
        """The origin rules of one value in one state, and whether they come from testing a copy of `$http_origin`."""
        value = bound.value
        source = bound
        if state is not None:
            if len(value) == 1 and isinstance(value[0], Var) and value[0].name in state.env:
                source = state.env[value[0].name]
                value = source.value
            else:
                value = self.substitute(value, state)
        prov = _with(source.prov(), related)
        text = literal(value)
        if text is not None:
            return _literal_rule(text, prov), False
        if value == ORIGIN_VALUE:
            if state is None:
                return [_unknown("$http_origin", prov, "too many `if` conditions to follow which origins are echoed")], False
            return self._guarded(source.guard or state.origin_guard(), prov, related), True
        if len(value) == 1 and isinstance(value[0], Var):
            name = value[0].name
            info = self.map_info(name)
            if info is not None and depth < MAX_MAP_DEPTH:
                return self._map_rules(info, related, depth + 1), False
            if state is not None and self.unset(name):
                return [], False
            return [_unknown(show(value), prov, self.unreadable(name, state), _NOT_AN_ORIGIN.get(name, ""))], False
        return [_unknown(show(value), prov, f"the value `{show(value)}` is built from variables corslint cannot read")], False

    @staticmethod
    def _guarded(guard: Optional[Atom], prov: Provenance, related: Related) -> list[OriginRule]:
        """The origins a copy of `$http_origin` admits: those passing the guarding Origin test, else every one."""
        if guard is None:
            return [OriginRule(OriginKind.REFLECT, "$http_origin", prov)]
        if guard.entries and guard.info is not None:
            return [replace(key_rule(guard.info, entry, related), only_on_match=True) for entry in guard.entries]
        assert guard.cond is not None
        cond = guard.cond
        rule_prov = _with(cond.prov(), related)
        if cond.positive_op == "=":
            if literal(parse_value(cond.rhs)) is None:
                return [_unknown(cond.rhs, rule_prov, f"the Origin is compared with `{cond.rhs}`, built from variables")]
            return [OriginRule(OriginKind.EXACT, cond.rhs, rule_prov, only_on_match=True)]
        return [OriginRule(OriginKind.PATTERN, cond.rhs, rule_prov, MatchMode.SEARCH, cond.positive_op == "~*", "pcre")]

    def _map_rules(self, info: MapInfo, related: Related, depth: int) -> list[OriginRule]:
        key = (id(info), related, depth)
        rules = self._map_cache.get(key)
        if rules is None:
            rules = [rule for entry in info.all_entries() for rule in self._entry_rules(info, entry, related, depth)]
            if info.source == ORIGIN_VALUE:  # the answer depends on the request's Origin whatever the entries say
                rules = [replace(rule, only_on_match=True) for rule in rules]
            self._map_cache[key] = rules
        return rules

    def _entry_rules(self, info: MapInfo, entry: MapEntry, related: Related, depth: int) -> list[OriginRule]:
        value_prov = Provenance(entry.node.location(1), entry.node.raw(), info.context, (related,))
        captured = len(entry.value) == 1 and isinstance(entry.value[0], Var) and entry.value[0].name.isdigit()
        if entry.value == ORIGIN_VALUE or (captured and entry.kind == "regex"):
            if info.source == ORIGIN_VALUE:
                return [key_rule(info, entry, related, "the value is a capture group of this regex" if captured else "")]
            if any(isinstance(part, Var) and part.name == ORIGIN for part in info.source) or captured:
                return [_unknown("$http_origin", value_prov, "the map key combines $http_origin with other variables")]
            note = f"echoed whenever `{show(info.source)}` matches `{entry.key}`"
            return [OriginRule(OriginKind.REFLECT, "$http_origin", value_prov, note=note)]
        text = literal(entry.value)
        if text is not None:
            rules = _literal_rule(text, value_prov)
            static = static_type_key(info, entry)
            return [replace(rule, static_assets=static) for rule in rules] if static else rules
        if depth >= MAX_MAP_DEPTH:
            return [_unknown(show(entry.value), value_prov, "map chain too deep to follow")]
        return self._value_rules(Bound(entry.value, entry.node, 1, info.context), None, related, depth)[0]

    def literal_values(self, bound: Bound, states: list[Optional[State]]) -> tuple[list[tuple[str, Bound]], bool]:
        """The non-empty literal texts a header value can take (with where each is written), and whether some are unreadable."""
        found: list[tuple[str, Bound]] = []
        unknown = False
        pending: list[tuple[Bound, Optional[State], int]] = [(bound, state, 0) for state in states]
        while pending:
            current, state, depth = pending.pop()
            value, source = current.value, current
            if state is not None:
                if len(value) == 1 and isinstance(value[0], Var) and value[0].name in state.env:
                    source = state.env[value[0].name]
                    value = source.value
                else:
                    value = self.substitute(value, state)
            text = literal(value)
            if text is not None:
                if text and all(text != seen for seen, _ in found):
                    found.append((text, source))
                continue
            if len(value) == 1 and isinstance(value[0], Var):
                info = self.map_info(value[0].name)
                if info is not None and depth < MAX_MAP_DEPTH:
                    pending.extend((Bound(e.value, e.node, 1, info.context), None, depth + 1) for e in reversed(info.all_entries()))
                    continue
                if state is not None and self.unset(value[0].name):
                    continue
            unknown = True
        return found, unknown


def _fresh(state: State) -> State:
    if not state.done and state.conf is None:
        return state
    other = state.fork()
    other.done, other.conf = False, None
    return other


def _is_guard(cond: Cond) -> bool:
    """An Origin test that admits only some origins: a regex, or equality with a non-empty text."""
    return cond.positive_op in ("~", "~*") or (cond.positive_op == "=" and bool(cond.rhs))


def _contradicts(state: State, atom: Atom) -> bool:
    """Two `=` tests of one variable against different texts cannot both hold."""
    if atom.cond is None or atom.cond.positive_op != "=":
        return False
    for other, holds in state.atoms.values():
        cond = other.cond
        if holds and cond is not None and other.key[0] == atom.key[0] and cond.positive_op == "=" and cond.var == atom.cond.var and cond.rhs != atom.cond.rhs:
            return True
    return False


def _with(prov: Provenance, related: Related) -> Provenance:
    if prov.location == related.location:
        return prov
    return prov.with_related(related)


def _literal_rule(text: str, prov: Provenance) -> list[OriginRule]:
    if not text:
        return []
    if text == "*":
        return [OriginRule(OriginKind.ANY, "*", prov)]
    if text == "null":
        return [OriginRule(OriginKind.NULL, "null", prov)]
    return [OriginRule(OriginKind.EXACT, text, prov)]


# request variables whose value is never a browser's Origin
_NOT_AN_ORIGIN = {
    "host": "host", "http_host": "host",
    "request_uri": "path", "uri": "path", "document_uri": "path",
    "http_referer": "referer",
}


def _unknown(value: str, prov: Provenance, note: str, request_data: str = "") -> OriginRule:
    return OriginRule(OriginKind.UNKNOWN, value, prov, note=note, request_data=request_data)
