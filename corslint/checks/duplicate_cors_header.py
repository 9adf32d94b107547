"""CORS404: the same CORS header is sent twice on one response path."""

from __future__ import annotations

from typing import Iterator

from corslint.checks._http_helpers import ACAC, ACAH, ACAM, ACAO, ACAPN, ACEH, MAX_AGE, describe, SERVER_AND_APPLICATION_SOURCES
from corslint.findings import Finding, Severity
from corslint.model import CorsPolicy, DeliveryFact, DeliveryKind, HeaderEmission
from corslint.rule import Rule, RuleContext

_LIST_HEADERS = frozenset(name.lower() for name in (ACAM, ACAH, ACEH, "Vary"))
_EFFECT = {
    ACAO.lower(): "which equals no origin, so every response fails the CORS check with \"multiple values\"",
    ACAC.lower(): "which is not exactly `true`, so every credentialed request fails",
    ACAPN.lower(): "which is not exactly `true`, so the private-network preflight fails",
    MAX_AGE.lower(): "which is not a number, so browsers do not cache the preflight at all",
}


_ONE_VALUE = {
    "nginx": "to allow several origins, pick the one value per request with a `map $http_origin` allowlist.",
    "apache": "to allow several origins, pick the one value per request with an anchored `SetEnvIf Origin` allowlist.",
    "": "to allow several origins, pick the one value per request from an allowlist in the application.",
}


class DuplicateCorsHeader(Rule):
    code = "CORS404"
    name = "duplicate-cors-header"
    summary = (
        "The same CORS header is sent twice on one response path; browsers join the values, and a joined "
        "Access-Control-Allow-Origin is rejected as \"multiple values\"."
    )
    severity = Severity.ERROR
    tags = ("correctness",)
    sources = SERVER_AND_APPLICATION_SOURCES

    def check(self, policy: CorsPolicy, ctx: RuleContext) -> Iterator[Finding]:
        doubled = set()
        for fact in policy.delivery:
            if fact.kind is DeliveryKind.DUPLICATE:
                doubled.add(fact.header.lower())
                yield self._finding(policy, fact)
        for path in ctx.paths_of(policy):
            if path.proxy is policy:
                from corslint.checks._layers import across_layers

                found = across_layers(self, path, doubled)
                if found is not None:
                    yield found
        if policy.content == "upstream":
            for emission in policy.emissions:
                low = emission.name.lower()
                if emission.beside_backend and low in _EFFECT and low not in doubled:
                    doubled.add(low)
                    yield self._backend_risk(policy, emission)

    def _backend_risk(self, policy: CorsPolicy, emission: HeaderEmission) -> Finding:
        """Apache in front of an application: the application's own copy of the header is kept next to this one."""
        line = f"`{emission.prov.raw}`"
        if emission.action in ("add", "append"):
            how = f"`{emission.action}` {'appends a second field' if emission.action == 'add' else 'joins a second value'}"
            if emission.always:
                fix = f"write `Header unset {emission.name}` and `Header always set {emission.name}` instead, which keep one copy"
                hint = f"Header unset {emission.name}"
            else:
                fix = "use `Header set`, which replaces the application's copy"
                hint = f'Header set {emission.name} "{emission.value}"'
        else:
            how = "the `always` table is kept apart from the headers the backend sent and never replaces them"
            fix = f"add `Header unset {emission.name}` next to it, which removes the application's copy"
            hint = f"Header unset {emission.name}"
        message = (
            f"{line} sends {emission.name} in front of a proxied or scripted application: {how}, so whenever the "
            f"application sends its own {emission.name} the response carries two, {_EFFECT[emission.name.lower()]} "
            f"(checked on Apache 2.4). corslint cannot see whether the application sends it; {fix}."
        )
        return self.finding(policy, emission.prov, message, severity=Severity.INFO, hint=hint)

    def _finding(self, policy: CorsPolicy, fact: DeliveryFact) -> Finding:
        first = fact.prov.related[0] if fact.prov.related else None
        earlier = f" (first set at line {first.location.line})" if first else ""
        this = describe(fact.prov)
        low = fact.header.lower()
        if low in _LIST_HEADERS:
            message = (
                f"{fact.header} is sent a second time by {this}{earlier}. Browsers join both values into one list, "
                "which still works, but the duplicate hides which line is in charge; keep one."
            )
            return self.finding(policy, fact.prov, message, severity=Severity.INFO, hint=f"remove one {fact.header}")
        effect = _EFFECT.get(low, "which browsers do not accept as one value")
        advice = f"Send the header once; {_ONE_VALUE.get(policy.source, _ONE_VALUE[''])}" if low == ACAO.lower() else "Send the header once."
        why = f" {fact.detail.rstrip('.')}." if fact.detail else ""
        message = (
            f"{fact.header} is sent a second time by {this}{earlier}.{why} Browsers join duplicate headers into one "
            f"comma-separated value, {effect}. {advice}"
        )
        severity = Severity.WARNING if low == MAX_AGE.lower() else None
        return self.finding(policy, fact.prov, message, severity=severity, hint=f"remove the second {fact.header}")
