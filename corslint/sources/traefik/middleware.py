"""Traefik: the CORS fields of a `headers` middleware (a Kubernetes `Middleware`, a file-provider middleware, docker
labels) become one policy, as Traefik v3.7 applies them (string equality or an unanchored Go regex, `Access-Control-Allow-Credentials`
on every response, its own 200 answer to a preflight, `Vary` only with `addVaryHeader`)."""

from __future__ import annotations

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
    State,
    WiringFact,
)
from corslint.sources import yaml_nodes as Y
from corslint.sources.kubernetes.fields import Where, boolean, entries, integer, string_list, unknown_fields
from corslint.sources.templates import is_placeholder

SOURCE = "traefik"
FIELDS = (
    "accessControlAllowOriginList", "accessControlAllowOriginListRegex", "accessControlAllowCredentials",
    "accessControlAllowMethods", "accessControlAllowHeaders", "accessControlExposeHeaders", "accessControlMaxAge",
    "addVaryHeader",
)
REMOVED = {"accessControlAllowOrigin": "accessControlAllowOriginList"}
_BY_LOWER = {name.lower(): name for name in (*FIELDS, *REMOVED, "customResponseHeaders", "customRequestHeaders")}
STAR_WITH_CREDENTIALS = (
    "Traefik v3.6.22 and v3.7.6 onwards echo the request's Origin for a `*` entry when credentials are on; earlier "
    "releases send `*`, which browsers refuse with credentials"
)


def canonical(name: str) -> str:
    """A field's name as Traefik's documentation spells it, for a name its file and label decoders accept in any case."""
    return _BY_LOWER.get(name.lower(), name)


def middleware_policy(headers: object, scope: str, where: Where) -> CorsPolicy | None:
    """The policy of a `headers` middleware's fields; None when it sets no CORS field."""
    fields = {name: entry for name, entry in Y.mapping(headers).items() if _cors_field(name)}
    if not fields:
        return None
    anchor = where(fields[next(iter(fields))][0])
    credentials = boolean(Y.child(headers, "accessControlAllowCredentials"), where)
    if credentials.is_known and not credentials.value:
        credentials = Setting()
    vary = boolean(Y.child(headers, "addVaryHeader"), where)
    # with credentials, Traefik v3.6.22/v3.7.6 onwards echo the preflight's method and headers for a `*` list
    star = ListKind.REFLECT if credentials.is_true() else ListKind.ANY
    return CorsPolicy(
        source=SOURCE,
        scope=scope,
        location=anchor.location,
        origins=_origins(headers, where, credentials.is_true()),
        credentials=credentials,
        methods=string_list(Y.child(headers, "accessControlAllowMethods"), where, star=star),
        allow_headers=string_list(Y.child(headers, "accessControlAllowHeaders"), where, star=star),
        expose_headers=string_list(Y.child(headers, "accessControlExposeHeaders"), where),
        max_age=integer(Y.child(headers, "accessControlMaxAge"), where),
        vary_origin=vary if vary.is_true() or vary.state is State.UNKNOWN else Setting(),
        preflight=Preflight(
            PreflightKind.LIBRARY, anchor, status=200,
            note="Traefik answers every preflight itself (200) once a CORS field is set, and never forwards it",
        ),
        wiring=_wiring(fields, where),
    )


def _cors_field(name: str) -> bool:
    low = name.lower()
    return low.startswith("accesscontrol") or low == "addvaryheader"


def _origins(headers: object, where: Where, credentials: bool) -> list[OriginRule]:
    rules: list[OriginRule] = []
    for value, prov in entries(Y.child(headers, "accessControlAllowOriginList"), where):
        rules.append(_listed(value, prov, credentials))
    for value, prov in entries(Y.child(headers, "accessControlAllowOriginListRegex"), where):
        if is_placeholder(value):
            rules.append(OriginRule(OriginKind.UNKNOWN, value, prov, note="filled in by a template"))
            continue
        rules.append(OriginRule(OriginKind.PATTERN, value, prov, MatchMode.SEARCH, False, "go",
                                note="Traefik searches the Origin for the regex (Go `MatchString`, unanchored) and echoes it"))
    return rules


def _listed(value: str, prov: Provenance, credentials: bool) -> OriginRule:
    if is_placeholder(value):
        return OriginRule(OriginKind.UNKNOWN, value, prov, note="filled in by a template")
    if value == "*":
        if credentials:
            return OriginRule(OriginKind.REFLECT, value, prov, allow_all=True, assumption=STAR_WITH_CREDENTIALS)
        return OriginRule(OriginKind.ANY, value, prov)
    if value == "null":
        return OriginRule(OriginKind.NULL, value, prov, only_on_match=True, note="Traefik compares `null` as a string")
    return OriginRule(OriginKind.EXACT, value, prov, only_on_match=True,
                      note="Traefik compares the Origin with each entry as a string and echoes it when equal")


def _wiring(fields: dict[str, tuple[object, object]], where: Where) -> list[WiringFact]:
    detail = (
        "Removed in Traefik v2.5: the file and Docker providers refuse the whole configuration (\"field not "
        "found\"), and the Kubernetes API server drops the field"
    )
    removed = [WiringFact(DEPRECATED_OPTION, where(key), detail, name, REMOVED[name])
               for name, (key, _) in fields.items() if name in REMOVED]
    rest = {name: entry for name, entry in fields.items() if name not in REMOVED}
    return removed + unknown_fields(rest, FIELDS, where, "It is not a field of Traefik's headers middleware")
