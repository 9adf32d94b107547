"""Istio: each HTTP route of a `VirtualService` with a `corsPolicy` becomes one policy, as Istio translates it for
Envoy's CORS filter (Envoy echoes the allowed Origin, never `*`; `prefix` is a plain string prefix; `regex` must match
the whole Origin; no `Vary` unless the route adds it)."""

from __future__ import annotations

import re
from typing import Optional

from corslint.model import (
    DEPRECATED_OPTION,
    CorsPolicy,
    ListKind,
    MatchMode,
    OriginKind,
    OriginRule,
    Preflight,
    PreflightKind,
    Provenance,
    Setting,
    WiringFact,
)
from corslint.sources import yaml_nodes as Y
from corslint.sources.kubernetes.fields import Where, boolean, entries, string_list, unknown_fields
from corslint.sources.templates import is_placeholder

SOURCE = "istio"
FIELDS = (
    "allowOrigins", "allowOrigin", "allowCredentials", "allowMethods", "allowHeaders", "exposeHeaders", "maxAge",
    "unmatchedPreflights",
)
_DURATION = re.compile(r"(?:(\d+(?:\.\d+)?)(h|ms|m|s))")
_UNITS = {"h": 3600, "m": 60, "s": 1, "ms": 0.001}
ECHO_NOTE = "Envoy never sends `*`: it echoes the request's Origin for every origin a matcher allows"


def route_policies(spec: object, scope: str, where: Where) -> list[CorsPolicy]:
    policies = []
    for index, route in enumerate(Y.items(Y.child(spec, "http"))):
        cors = Y.child(route, "corsPolicy")
        if cors is None or not Y.mapping(cors):
            continue
        name = Y.scalar(Y.child(route, "name"))
        label = f"{scope} > http[{index}]" + (f" {name}" if name else "")
        policies.append(_policy(cors, route, label, where))
    return policies


def _policy(cors: object, route: object, scope: str, where: Where) -> CorsPolicy:
    fields = Y.mapping(cors)
    anchor = where(fields[next(iter(fields))][0])
    credentials = boolean(Y.child(cors, "allowCredentials"), where)
    if credentials.is_known and not credentials.value:
        credentials = Setting()
    unmatched = (Y.scalar(Y.child(cors, "unmatchedPreflights")) or "").upper()
    note = (
        "Envoy answers a preflight from an allowed origin with 200; "
        + ("other origins' preflights get 200 without Access-Control-Allow-Origin (`unmatchedPreflights: IGNORE`)"
           if unmatched == "IGNORE" else "other origins' preflights go to the backend (Istio's default)")
    )
    paths = _paths(route)
    return CorsPolicy(
        source=SOURCE,
        scope=scope,
        location=anchor.location,
        origins=_origins(cors, where, anchor),
        credentials=credentials,
        methods=string_list(Y.child(cors, "allowMethods"), where, star=ListKind.REFLECT),
        allow_headers=string_list(Y.child(cors, "allowHeaders"), where, star=ListKind.REFLECT),
        expose_headers=string_list(Y.child(cors, "exposeHeaders"), where),
        max_age=_max_age(Y.child(cors, "maxAge"), where),
        vary_origin=_vary(route, where),
        preflight=Preflight(PreflightKind.LIBRARY, anchor, status=200, note=note),
        wiring=_wiring(fields, where),
        paths=paths,
        path_match="prefix" if paths else "",
    )


def _origins(cors: object, where: Where, anchor: Provenance) -> list[OriginRule]:
    matchers = Y.items(Y.child(cors, "allowOrigins"))
    rules: list[OriginRule] = []
    if not matchers:
        for value, prov in entries(Y.child(cors, "allowOrigin"), where):
            rules.append(_matcher("exact", value, prov))
        return rules
    for matcher in matchers:
        for kind, (_, node) in Y.mapping(matcher).items():
            value = Y.scalar(node)
            if value is not None and kind in ("exact", "prefix", "regex"):
                rules.append(_matcher(kind, value, where(node)))
    return rules


def _matcher(kind: str, value: str, prov: Provenance) -> OriginRule:
    if is_placeholder(value):
        return OriginRule(OriginKind.UNKNOWN, value, prov, note="filled in by a template")
    if _matches_star(kind, value):
        note = (ECHO_NOTE if kind == "exact" else
                f"Envoy also tests each matcher against the literal string `*`, which `{kind}: {value}` matches, so "
                "every origin is allowed and echoed")
        return OriginRule(OriginKind.REFLECT, value, prov, allow_all=True, note=note)
    if kind == "exact":
        if value == "null":
            return OriginRule(OriginKind.NULL, value, prov, only_on_match=True)
        return OriginRule(OriginKind.EXACT, value, prov, only_on_match=True, note=f"Envoy `exact`; {ECHO_NOTE}")
    if kind == "prefix":
        return OriginRule(
            OriginKind.PATTERN, re.escape(value) + ".*", prov, MatchMode.FULLMATCH, False, "go",
            note=f"Envoy `prefix: {value}` is a plain string prefix: any Origin that starts with it is echoed",
        )
    return OriginRule(OriginKind.PATTERN, value, prov, MatchMode.FULLMATCH, False, "go",
                      note="Envoy `regex` (RE2) must match the whole Origin; the matched Origin is echoed")


def _matches_star(kind: str, value: str) -> bool:
    """Does the matcher accept the literal string `*`? Envoy allows every origin then (`isOriginAllowed`)."""
    if kind == "exact":
        return value == "*"
    if kind == "prefix":
        return "*".startswith(value)
    try:
        return re.fullmatch(value, "*") is not None
    except (re.error, RecursionError, OverflowError):
        return False


def _max_age(node: Optional[object], where: Where) -> Setting:
    if node is None:
        return Setting()
    text = (Y.scalar(node) or "").strip()
    parts = _DURATION.findall(text)
    if not parts or "".join(n + u for n, u in parts) != text:
        return Setting.unknown(where(node))
    return Setting.known(int(sum(float(number) * _UNITS[unit] for number, unit in parts)), where(node))


def _vary(route: object, where: Where) -> Setting:
    """`Vary: Origin` the route adds to its responses itself (`headers.response.add` or `set`)."""
    for action in ("add", "set"):
        for name, (key, value) in Y.mapping(Y.child(route, "headers", "response", action)).items():
            if name.lower() == "vary" and "origin" in (Y.scalar(value) or "").lower():
                return Setting.known(True, where(key))
    return Setting()


def _paths(route: object) -> tuple[str, ...]:
    found: list[str] = []
    for match in Y.items(Y.child(route, "match")):
        uri = Y.mapping(Y.child(match, "uri"))
        for how in ("prefix", "exact"):
            if how in uri and (value := Y.scalar(uri[how][1])) and value not in found:
                found.append(value)
    return tuple(found)


def _wiring(fields: dict[str, tuple[object, object]], where: Where) -> list[WiringFact]:
    facts = []
    if "allowOrigin" in fields:
        detail = "Istio still reads it while `allowOrigins` is absent" if "allowOrigins" not in fields else "It is ignored: `allowOrigins` is set"
        facts.append(WiringFact(DEPRECATED_OPTION, where(fields["allowOrigin"][0]), detail, "allowOrigin", "allowOrigins"))
    detail = "It is not a corsPolicy field: the API server drops it (or strict validation refuses the manifest)"
    return facts + unknown_fields(fields, FIELDS, where, detail)
