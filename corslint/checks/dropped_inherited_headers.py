"""CORS403: nginx: a nested level with its own `add_header` discards every CORS header inherited from outside."""

from __future__ import annotations

from typing import Iterator

from corslint.checks._http_helpers import ACAC, ACAH, ACAM, ACAO, ACAPN, MAX_AGE, is_cors_header, is_preflight_answer
from corslint.findings import Finding, Severity
from corslint.model import CorsPolicy, DeliveryFact, DeliveryKind, Location, Provenance, Related
from corslint.rule import Rule, RuleContext


class DroppedInheritedHeaders(Rule):
    code = "CORS403"
    name = "dropped-inherited-headers"
    summary = (
        "nginx: a nested block (`location`, `if`, nested level) has its own `add_header`, which discards the "
        "inherited CORS headers that matter to its responses."
    )
    severity = Severity.ERROR
    tags = ("correctness",)
    sources = frozenset({"nginx"})

    def check(self, policy: CorsPolicy, ctx: RuleContext) -> Iterator[Finding]:
        groups: dict[Location, list[DeliveryFact]] = {}
        for fact in policy.delivery:
            if fact.kind is DeliveryKind.DROPPED_INHERITED and _matters(policy, fact) and not _set_again(policy, fact):
                groups.setdefault(fact.prov.location, []).append(fact)
        for facts in groups.values():
            yield self._finding(policy, facts)

    def _finding(self, policy: CorsPolicy, facts: list[DeliveryFact]) -> Finding:
        headers: list[str] = []
        rel: list[Related] = []
        for fact in facts:
            if fact.header not in headers:
                headers.append(fact.header)
            rel.extend(r for r in fact.prov.related if r not in rel)
        first = facts[0].prov
        prov = Provenance(first.location, first.raw, first.context, tuple(rel))
        own = f"`{first.raw}`" if first.raw else "This add_header"
        message = (
            f"{own} gives this level its own add_header list, so nginx discards every add_header inherited from the "
            f"outer level: responses here lose {', '.join(headers)}. nginx inherits add_header only into levels that "
            "have none of their own. Repeat the CORS headers at this level (an included snippet keeps them in one "
            "place), or on nginx 1.29.3+ use `add_header_inherit merge;`."
        )
        return self.finding(
            policy,
            prov,
            message,
            hint="repeat the inherited CORS add_header lines here, e.g. `include snippets/cors.conf;`",
        )


def _set_again(policy: CorsPolicy, fact: DeliveryFact) -> bool:
    """True when the inner level (same scope path as the fact) sets the dropped header itself."""
    context = fact.prov.context
    low = fact.header.lower()
    return bool(context) and any(e.prov.context == context and e.name.lower() == low for e in policy.emissions)


PREFLIGHT_HEADERS = frozenset(h.lower() for h in (ACAO, ACAC, ACAM, ACAH, MAX_AGE, ACAPN))
# read by browsers on preflight answers only: losing them where no OPTIONS request arrives changes nothing
PREFLIGHT_ONLY = frozenset(h.lower() for h in (ACAM, ACAH, MAX_AGE, ACAPN))


def _matters(policy: CorsPolicy, fact: DeliveryFact) -> bool:
    """A dropped header matters where the browser reads it: a preflight answer needs only the preflight headers."""
    header = fact.header.lower()
    if _in_preflight_answer(policy, fact):
        return header in PREFLIGHT_HEADERS
    if not fact.reaches_preflight and header in PREFLIGHT_ONLY:
        return False
    return is_cors_header(fact.header) or header == "vary"


def _in_preflight_answer(policy: CorsPolicy, fact: DeliveryFact) -> bool:
    if is_preflight_answer(policy):
        return True
    return any(e.prov.location == fact.prov.location for e in policy.preflight.headers) and not any(
        e.prov.location == fact.prov.location for e in policy.emissions
    )
