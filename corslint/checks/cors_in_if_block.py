"""CORS405: nginx: CORS headers set inside `if` in a location (the OPTIONS `return` idiom excepted), one finding per `if`."""

from __future__ import annotations

from typing import Iterator

from corslint.findings import Finding, Severity
from corslint.model import CorsPolicy, DeliveryFact, DeliveryKind, Related
from corslint.rule import Rule, RuleContext

RETURNS = "returns"


class CorsInIfBlock(Rule):
    code = "CORS405"
    name = "cors-in-if-block"
    summary = (
        "nginx: CORS headers are set inside an `if` block, where `if` changes the configuration context in "
        "surprising ways."
    )
    severity = Severity.INFO
    tags = ("correctness",)
    sources = frozenset({"nginx"})

    def check(self, policy: CorsPolicy, ctx: RuleContext) -> Iterator[Finding]:
        groups: dict[object, list[DeliveryFact]] = {}
        for fact in policy.delivery:
            if fact.kind is DeliveryKind.IN_IF and fact.detail.strip().lower() != RETURNS:
                groups.setdefault(fact.prov.context or fact.prov.location, []).append(fact)
        for facts in groups.values():
            names = list(dict.fromkeys(fact.header for fact in facts))
            verb = "is" if len(names) == 1 else "are"
            message = (
                f"{', '.join(names)} {verb} set inside an `if` block. In a location, `if` is an implicit nested "
                "location: its add_header lines replace every outer one, only the last matching `if` applies, and only `return` and `rewrite ... last` are reliably safe inside it (\"If is Evil\"). "
                "Compute the value with a `map` and set the header once, unconditionally."
            )
            yield self.finding(
                policy,
                facts[0].prov,
                message,
                related=tuple(Related(f.prov.location, f"{f.header} is also set in this `if`") for f in facts[1:]),
                hint="map $http_origin $cors_origin { ... } + add_header Access-Control-Allow-Origin $cors_origin always;",
            )
