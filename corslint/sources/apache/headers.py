"""Apache source, header layer: `Header` directives replayed on mod_headers' two tables, and `SetEnvIf` definitions.

`onsuccess` (the default) writes `r->headers_out`, `always` writes `r->err_headers_out`; an action only touches its
own table, so a name present in both is sent twice. Facts only; the origin meaning of values is in origins.
"""

from __future__ import annotations

import re
from typing import Optional

from corslint.lazy_regex import lazy
from corslint.model import DeliveryFact, DeliveryKind, HeaderEmission, Location, Provenance, Related
from corslint.records import field, record, replace
from corslint.sources.apache.scopes import Entry
from corslint.sources.apache.tree import Node

ACAO = "Access-Control-Allow-Origin"
ACAC = "Access-Control-Allow-Credentials"
ACAM = "Access-Control-Allow-Methods"
ACAH = "Access-Control-Allow-Headers"
ACEH = "Access-Control-Expose-Headers"
MAX_AGE = "Access-Control-Max-Age"
ACAPN = "Access-Control-Allow-Private-Network"
_CANONICAL = {name.lower(): name for name in (ACAO, ACAC, ACAM, ACAH, ACEH, MAX_AGE, ACAPN, "Vary")}
_ADDING = frozenset({"set", "add", "append", "merge", "setifempty"})
_CONDITION = lazy(r"^(?:env=|expr=)", re.IGNORECASE)


def canonical(name: str) -> str:
    low = name.lower()
    return _CANONICAL.get(low) or "-".join(part[:1].upper() + part[1:] for part in low.split("-"))


def relevant(name: str) -> bool:
    low = name.lower()
    return low.startswith("access-control-") or low == "vary"


@record(frozen=True)
class HeaderDirective:
    """One parsed `Header` line: table, action, header name, value (with its argument index) and condition."""

    node: Node
    context: str
    table: str  # "onsuccess" or "always"
    action: str
    name: str
    value: str
    value_index: int
    condition: str

    def prov(self, index: Optional[int] = None) -> Provenance:
        return Provenance(self.node.location(index), self.node.raw, self.context)


@record
class Sent:
    """A header that survives the replay, with the directive that wrote it."""

    emission: HeaderEmission
    directive: HeaderDirective
    edited: bool = False


def parse_header(entry: Entry) -> Optional[HeaderDirective]:
    node = entry.node
    words = node.words
    index = 0
    table = "onsuccess"
    if words and words[0].lower() in ("always", "onsuccess"):
        table, index = words[0].lower(), 1
    if len(words) < index + 2:
        return None
    action = words[index].lower()
    name = words[index + 1].rstrip(":")
    rest = words[index + 2 :]
    value, value_index, condition = "", -1, ""
    if action in _ADDING or action.startswith("edit"):
        if rest:
            value, value_index = rest[0], index + 2
        tail = rest[1:] if action in _ADDING else rest[2:]
        condition = next((word for word in tail if _CONDITION.match(word)), "")
    elif action == "unset":
        condition = next((word for word in rest if _CONDITION.match(word)), "")
    else:
        return None
    return HeaderDirective(node, entry.context, table, action, name, value, value_index, condition)


@record
class Replay:
    """The result of replaying a scope's Header directives: what is sent, and duplicate deliveries."""

    sent: list[Sent] = field(default_factory=list)
    delivery: list[DeliveryFact] = field(default_factory=list)


def replay(entries: list[Entry]) -> Replay:
    tables: dict[str, dict[str, list[Sent]]] = {"onsuccess": {}, "always": {}}
    result = Replay()
    order: list[Sent] = []
    cleared: set[str] = set()  # headers an unconditional `Header unset` removes from the backend's response
    for entry in entries:
        if entry.node.key != "header":
            continue
        directive = parse_header(entry)
        if directive is None or not relevant(directive.name):
            continue
        low = directive.name.lower()
        table = tables[directive.table]
        other = tables["always" if directive.table == "onsuccess" else "onsuccess"]
        present = table.get(low, [])
        action = directive.action
        if action == "unset":
            if not directive.condition:
                table[low] = []
                if directive.table == "onsuccess":
                    cleared.add(low)
            continue
        if action.startswith("edit"):
            for sent in present:
                sent.edited = True
            continue
        if action == "setifempty" and present:
            continue
        if action == "merge" and any(sent.emission.value == directive.value for sent in present):
            continue
        sent = Sent(_emission(directive, low in cleared), directive)
        clash = _clash(directive, present, same_table=True) or _clash(directive, other.get(low, []), same_table=False)
        if clash is not None:
            result.delivery.append(_duplicate(directive, clash))
        if action == "set" and not directive.condition:
            table[low] = [sent]
        else:
            table[low] = present + [sent]
        order.append(sent)
    alive = {id(sent) for named in tables.values() for sents in named.values() for sent in sents}
    result.sent = [_unset_later(sent, cleared) for sent in order if id(sent) in alive]
    return result


def _emission(directive: HeaderDirective, cleared: bool) -> HeaderEmission:
    return HeaderEmission(
        canonical(directive.name),
        directive.value,
        directive.prov(),
        always=directive.table == "always",
        conditional=bool(directive.condition),
        action=directive.action,
        beside_backend=_beside_backend(directive, cleared),
    )


def _beside_backend(directive: HeaderDirective, cleared: bool) -> bool:
    """`add`/`append` keep the backend's value unless a `Header unset` removed it first; the `always` table never
    touches the backend's headers (they live in the other table), so only an onsuccess `unset` removes them."""
    if cleared:
        return False
    return directive.action in ("add", "append") or (directive.table == "always" and directive.action in ("set", "setifempty"))


def _unset_later(sent: Sent, cleared: set[str]) -> Sent:
    """An `always` header whose onsuccess `unset` comes after it: the unset still clears the backend's copy."""
    if sent.directive.table == "always" and sent.emission.beside_backend and sent.directive.name.lower() in cleared:
        sent.emission = replace(sent.emission, beside_backend=False)
    return sent


def _clash(directive: HeaderDirective, present: list[Sent], *, same_table: bool) -> Optional[Sent]:
    """An earlier header this directive adds a second value to (a `set` only clashes across tables)."""
    if same_table and directive.action in ("set", "setifempty"):
        return None
    for sent in present:
        earlier = sent.directive
        if directive.condition and earlier.condition and directive.condition != earlier.condition:
            continue  # two differently gated values may never meet
        return sent
    return None


def _duplicate(directive: HeaderDirective, earlier: Sent) -> DeliveryFact:
    first = earlier.directive
    if first.table != directive.table:
        detail = (
            f"`Header {first.table}` and `Header {directive.table}` write separate tables (onsuccess: headers_out, "
            "always: err_headers_out), so both values are sent"
        )
    elif directive.action == "append":
        detail = "`Header append` joins a second value into the same field"
    elif directive.action == "merge":
        detail = "`Header merge` adds a different value to the same field"
    else:
        detail = "`Header add` sends another field of the same name"
    related = Related(first.node.location(), f"first set by `{first.node.raw}` here")
    prov = Provenance(directive.node.location(), directive.node.raw, directive.context, (related,))
    return DeliveryFact(DeliveryKind.DUPLICATE, canonical(directive.name), prov, detail)


# --- environment variables --------------------------------------------------------------------------


@record(frozen=True)
class EnvDefinition:
    """One way a variable gets its value: `SetEnvIf[NoCase] attribute regex VAR[=value]`, `SetEnv`, a rewrite `E=`."""

    variable: str
    value: str
    node: Node
    attribute: str = ""  # the request attribute SetEnvIf tests ("" for SetEnv)
    regex: str = ""
    ignore_case: bool = False
    column: int = 0

    @property
    def on_origin(self) -> bool:
        return self.attribute.lower() in ("origin", "http_origin")

    def prov(self, context: str) -> Provenance:
        return Provenance(Location(self.node.path, self.node.line, self.column or self.node.column), self.node.raw, context)


def env_definitions(entries: list[Entry]) -> dict[str, list[EnvDefinition]]:
    """Variables set by SetEnvIf/SetEnvIfNoCase/SetEnv in these entries, in order (`!VAR` removes)."""
    found: dict[str, list[EnvDefinition]] = {}
    for entry in entries:
        node = entry.node
        words = node.words
        if node.key in ("setenvif", "setenvifnocase") and len(words) >= 3:
            for arg in node.args[2:]:
                name, _, value = arg.text.partition("=")
                if name.startswith("!"):
                    found.pop(name[1:], None)
                    continue
                definition = EnvDefinition(
                    name, value if "=" in arg.text else "1", node, words[0], words[1],
                    node.key == "setenvifnocase", node.args[1].column,
                )
                found.setdefault(name, []).append(definition)
        elif node.key == "setenv" and words:
            found[words[0]] = [EnvDefinition(words[0], " ".join(words[1:]), node, column=node.args[-1].column)]
    return found
