"""CORS401: the allowed origin depends on the request, but responses do not carry `Vary: Origin`."""

from __future__ import annotations

from typing import Iterator, Optional

from corslint.checks._http_helpers import (
    ACAO,
    describe,
    first_emission,
    header_hint,
    is_preflight_answer,
    main_emissions,
    related,
    split_list,
)
from corslint.findings import Finding, Severity
from corslint.model import CorsPolicy, DeliveryKind, OriginKind, OriginRule, State
from corslint.rule import ALL_SOURCES, Rule, RuleContext
from corslint.checks._origin_helpers import exact_origins, host_of, shown
from corslint.origins.hosts import is_local_host, is_private_host

_DYNAMIC = (OriginKind.REFLECT, OriginKind.PATTERN)
_FIXED = (OriginKind.EXACT, OriginKind.NULL)


def _always_varies(proxy: CorsPolicy) -> bool:
    """Does the proxy add `Vary: Origin` to every response, errors included, unconditionally?"""
    return any(
        e.name.lower() == "vary" and "origin" in (v.strip().lower() for v in e.value.split(",")) and e.always and not e.conditional
        for e in proxy.emissions
    ) and not proxy.condition


class MissingVaryOrigin(Rule):
    code = "CORS401"
    name = "missing-vary-origin"
    summary = (
        "The allowed origin depends on the request (allowlist, pattern or reflection), but responses do not "
        "carry `Vary: Origin`, so shared caches can serve one origin's answer to another."
    )
    severity = Severity.WARNING
    security_severity = 4.3
    tags = ("security",)
    sources = ALL_SOURCES

    def check(self, policy: CorsPolicy, ctx: RuleContext) -> Iterator[Finding]:
        if is_preflight_answer(policy) or _varies_on_origin(policy) or policy.vary_origin.state is State.UNKNOWN:
            return  # a Vary value corslint cannot read may well name Origin
        if any(path.service.startswith("WSGI script") and _always_varies(path.proxy) for path in ctx.paths_of(policy)):
            return  # mod_wsgi runs the application inside Apache: its every response leaves with Apache's Vary
        decided_by = _dependency(policy)
        if decided_by is None:
            return
        phrase, rule, severity = decided_by
        acao = first_emission(main_emissions(policy), ACAO)
        prov = acao.prov if acao is not None else rule.prov
        if phrase == ONLY_ON_MATCH:
            origin = f"`{shown(rule.value)}`"
            message = (
                f"Access-Control-Allow-Origin {origin} is sent only to requests from that origin (decided by "
                f"{describe(rule.prov, policy.source)}); requests from other origins get no Access-Control-Allow-Origin, "
                "and the responses do not carry `Vary: Origin`, so a shared cache that keeps such a header-less answer "
                f"can serve it to {origin}, which then sees a CORS error. Send `Vary: Origin` on every response of this scope."
            )
        else:
            message = (
                f"Access-Control-Allow-Origin depends on the request ({phrase}; decided by {describe(rule.prov, policy.source)}) "
                "but the responses do not carry `Vary: Origin`, so a shared or browser cache can serve the answer "
                "computed for one origin to another. Send `Vary: Origin` on every response of this scope."
            )
        yield self.finding(
            policy,
            prov,
            message,
            severity=severity,
            hint=header_hint(policy, "Vary", "Origin"),
            related=related(rule.prov, "the origin is decided here", unless=prov),
        )


def _varies_on_origin(policy: CorsPolicy) -> bool:
    if policy.vary_origin.is_true():
        return True
    for emission in main_emissions(policy):
        if emission.name.lower() == "vary":
            names = {name.lower() for name in split_list(emission.value)}
            if "origin" in names or "*" in names:
                return True
    return False


def _sent_together(policy: CorsPolicy) -> bool:
    """Two fixed Allow-Origin values added on one response path go out together whatever the request: that is a
    duplicate header (CORS404), not a value that depends on the request."""
    return any(fact.kind is DeliveryKind.DUPLICATE and fact.header.lower() == ACAO.lower() for fact in policy.delivery)


def _dependency(policy: CorsPolicy) -> Optional[tuple[str, OriginRule, Optional[Severity]]]:
    """Why the Allow-Origin value differs between requests, the first origin rule that makes it so, and the
    severity when it is lower than the rule's: one origin sent only to itself breaks only when a cache keeps
    another origin's header-less answer."""
    for rule in policy.origins:
        if rule.kind is OriginKind.REFLECT and rule.request_data == "parameter":
            continue  # a query parameter is part of the URL caches key on; a body is not cached
        if rule.kind is OriginKind.REFLECT:
            return "the request's Origin is echoed", rule, None
        if rule.kind is OriginKind.PATTERN:
            return f"origins matching `{shown(rule.value)}` are echoed", rule, None
    fixed: list[OriginRule] = []
    for rule in policy.origins:
        if rule.kind in _FIXED and rule.value not in (r.value for r in fixed):
            fixed.append(rule)
    if len(fixed) >= 2 and not _sent_together(policy):
        listed = ", ".join(r.value for r in fixed[:3]) + (", ..." if len(fixed) > 3 else "")
        return f"one of {len(fixed)} allowed origins is sent back: {listed}", fixed[0], None
    if len(fixed) == 1 and fixed[0].only_on_match and not _local(fixed[0]) and not (policy.development or fixed[0].development):
        return ONLY_ON_MATCH, fixed[0], Severity.INFO
    return None


ONLY_ON_MATCH = "only-on-match"


def _local(rule: OriginRule) -> bool:
    """A development origin: no shared cache stands between it and the API."""
    hosts = [host_of(parsed) for parsed in exact_origins(rule)]
    return any(host and (is_local_host(host) or is_private_host(host)) for host in hosts)
