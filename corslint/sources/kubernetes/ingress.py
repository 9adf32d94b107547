"""ingress-nginx: the `nginx.ingress.kubernetes.io/*-cors*` annotations of an Ingress become one policy, as controller
v1.15 validates them (its fall-backs included) and as its template renders them (`more_set_headers` on every status,
a 204 answer to an allowed preflight, no `Vary`)."""

from __future__ import annotations

import re
from typing import Optional

from corslint.model import (
    NOT_INSTALLED,
    UNKNOWN_OPTION,
    CorsPolicy,
    ListKind,
    ListSetting,
    Location,
    MatchMode,
    OriginKind,
    OriginRule,
    Related,
    Preflight,
    PreflightKind,
    Provenance,
    Setting,
    WiringFact,
)
from corslint.sources.templates import is_placeholder

SOURCE = "ingress-nginx"
PREFIX = "nginx.ingress.kubernetes.io/"
OPTIONS = (
    "enable-cors", "cors-allow-origin", "cors-allow-credentials", "cors-allow-methods", "cors-allow-headers",
    "cors-expose-headers", "cors-max-age",
)
SNIPPETS = ("server-snippet", "configuration-snippet")
DEFAULT_METHODS = ("GET", "PUT", "POST", "DELETE", "PATCH", "OPTIONS")
DEFAULT_HEADERS = (
    "DNT", "Keep-Alive", "User-Agent", "X-Requested-With", "If-Modified-Since", "Cache-Control", "Content-Type", "Range",
    "Authorization",
)
DEFAULT_MAX_AGE = 1728000
_GO_TRUE = frozenset({"1", "t", "T", "TRUE", "true", "True"})
_GO_FALSE = frozenset({"0", "f", "F", "FALSE", "false", "False"})
_MAX_VALUE = 16 * 1024
# the controller's checks (internal/ingress/annotations/cors/main.go, parser/validators.go), rewritten without nested
# repetition so that Python's backtracking matcher stays linear; the tests compare them with the originals
_WHOLE_ORIGINS = re.compile(r"(?:[A-Za-z0-9.,-]|(?<=[a-z])://|:\d|\*\.)*")
_ENTRY = re.compile(r"(?:[a-z]+://(?:\*\.)?[A-Za-z0-9\-.]*(?::\d+)?|\*|null)?")
_METHODS = re.compile(r"[A-Za-z]+(?:(?:,\s?|\s)[A-Za-z]+)*(?:,\s?|\s)?")
_HEADERS = re.compile(r"[A-Za-z0-9_, -]*")
_EXPOSE = re.compile(r"[A-Za-z0-9_*-]+(?:(?:,\s?|\s)[A-Za-z0-9_*-]+)*(?:,\s?|\s)?")
FALL_BACK_NOTE = (
    "the value fails ingress-nginx's validation (only `scheme://host[:port]` entries, `*.` before the host, `null`, "
    "or `*` alone), so the controller logs a warning and uses `*`"
)


class Annotation:
    """One annotation as written: its name without the prefix, its text, and where key and value stand."""

    __slots__ = ("name", "value", "key_prov", "value_prov", "value_node")

    def __init__(self, name: str, value: str, key_prov: Provenance, value_prov: Provenance, value_node: object) -> None:
        self.name = name
        self.value = value
        self.key_prov = key_prov
        self.value_prov = value_prov
        self.value_node = value_node

    @property
    def templated(self) -> bool:
        return is_placeholder(self.value)


def cors_annotations(annotations: dict[str, Annotation]) -> bool:
    return any(name in annotations for name in OPTIONS) or any(_near_miss(name) for name in annotations)


def ingress_policy(
    annotations: dict[str, Annotation], scope: str, anchor: Location, paths: tuple[str, ...], assumption: str = "",
    complete: bool = False,
) -> Optional[CorsPolicy]:
    """The policy the annotations give the Ingress's locations; None when they set no CORS at all. `complete` says
    the annotations are all the Ingress has (no template or values file can add `enable-cors`)."""
    facts = [
        WiringFact(UNKNOWN_OPTION, a.key_prov, "", PREFIX + a.name, PREFIX + _near_miss(a.name))
        for a in annotations.values() if _near_miss(a.name)
    ]
    enable = annotations.get("enable-cors")
    if enable is None and complete:
        facts += _without_enable(annotations)
    if enable is None or enable.templated:
        if enable is None and not facts:
            return None
        prov = enable.value_prov if enable is not None else facts[0].prov
        return CorsPolicy(SOURCE, scope, prov.location, origins=_unknown_origins(enable, prov), wiring=facts,
                          paths=paths, path_match="prefix" if paths else "")
    if enable.value not in _GO_TRUE:
        if not facts:
            return None
        return CorsPolicy(SOURCE, scope, enable.value_prov.location, wiring=facts, paths=paths,
                          path_match="prefix" if paths else "")
    anchor_prov = enable.key_prov
    credentials = _credentials(annotations.get("cors-allow-credentials"), anchor_prov)
    return CorsPolicy(
        source=SOURCE,
        scope=scope,
        location=enable.key_prov.location,
        origins=_origins(annotations.get("cors-allow-origin"), anchor_prov, assumption),
        credentials=credentials,
        methods=_list(annotations.get("cors-allow-methods"), _METHODS, DEFAULT_METHODS, anchor_prov),
        allow_headers=_list(annotations.get("cors-allow-headers"), _HEADERS, DEFAULT_HEADERS, anchor_prov),
        expose_headers=_list(annotations.get("cors-expose-headers"), _EXPOSE, (), anchor_prov),
        max_age=_max_age(annotations.get("cors-max-age"), anchor_prov),
        preflight=Preflight(
            PreflightKind.LIBRARY, anchor_prov, status=204,
            note="ingress-nginx answers a preflight from an allowed origin itself (`return 204`); the OPTIONS of other "
                 "origins go to the backend",
        ),
        wiring=facts,
        paths=paths,
        path_match="prefix" if paths else "",
    )


def _without_enable(annotations: dict[str, Annotation]) -> list[WiringFact]:
    """`cors-*` annotations on an Ingress without `enable-cors`: the controller reads none of them."""
    written = [a for a in annotations.values() if a.name in OPTIONS]
    if not written:
        return []
    names = ", ".join(f"`{a.name}`" for a in written)
    detail = (
        f"ingress-nginx applies the CORS annotations only when `enable-cors` is \"true\"; this Ingress sets {names} "
        "without it, so they do nothing and no CORS header comes from them"
    )
    prov = written[0].key_prov.with_related(*(Related(a.key_prov.location, "ignored as well") for a in written[1:]))
    return [WiringFact(NOT_INSTALLED, prov, detail, "enable-cors", f'Add `{PREFIX}enable-cors: "true"`')]


def _unknown_origins(enable: Optional[Annotation], prov: Provenance) -> list[OriginRule]:
    if enable is None:
        return []
    return [OriginRule(OriginKind.UNKNOWN, enable.value, prov, note="enable-cors is filled in by a template")]


def _origins(annotation: Optional[Annotation], anchor: Provenance, assumption: str) -> list[OriginRule]:
    if annotation is None:
        return [OriginRule(OriginKind.ANY, "*", anchor, note="ingress-nginx's default cors-allow-origin is `*`",
                           assumption=assumption)]
    prov = annotation.value_prov
    value = annotation.value
    if annotation.templated:
        return [OriginRule(OriginKind.UNKNOWN, value, prov, note="filled in by a template", assumption=assumption)]
    spaceless = value.replace(" ", "")
    whole_ok = (
        len(value) <= _MAX_VALUE and (spaceless == "*" or _WHOLE_ORIGINS.fullmatch(spaceless) is not None)
        and "\n" not in spaceless and "\r" not in spaceless
    )
    if not whole_ok or not _normal(value):
        return [OriginRule(OriginKind.ANY, "*", prov, note=FALL_BACK_NOTE, assumption=assumption,
                           invalid_fallback=value.strip())]
    if spaceless == "*":
        return [OriginRule(OriginKind.ANY, "*", prov, note="cors-allow-origin is `*`", assumption=assumption)]
    rules: list[OriginRule] = []
    for entry, entry_prov in _entries(annotation, prov):
        if _ENTRY.fullmatch(entry) is None:
            rules.append(OriginRule(
                OriginKind.EXACT, entry, entry_prov, only_on_match=True, assumption=assumption,
                note="ingress-nginx drops this entry (it fails the controller's check of one origin), so it admits no origin",
            ))
        elif entry == "null":
            rules.append(OriginRule(OriginKind.NULL, "null", entry_prov, only_on_match=True, assumption=assumption))
        elif "*" in entry:
            rules.append(_wildcard(entry, entry_prov, assumption))
        else:
            rules.append(OriginRule(
                OriginKind.EXACT, entry, entry_prov, ignore_case=True, only_on_match=True, assumption=assumption,
                note="ingress-nginx echoes the request's Origin when it ends with this entry (`~*`, any case)",
            ))
    return rules


def _wildcard(entry: str, prov: Provenance, assumption: str) -> OriginRule:
    """`https://*.example.com` as the template renders it: the entry quoted, its `*` one DNS label, `$`-anchored."""
    scheme, _, rest = entry.partition("://")
    pattern = re.escape(scheme + "://") + r"[A-Za-z0-9\-]+" + re.escape(rest[1:]) + "$"
    return OriginRule(
        OriginKind.PATTERN, pattern, prov, MatchMode.SEARCH, True, "pcre", assumption=assumption,
        note=f"ingress-nginx renders `{entry}` as `$http_origin ~* ({pattern[:-1]})$`: one DNS label for the `*`",
    )


def _entries(annotation: Annotation, prov: Provenance) -> list[tuple[str, Provenance]]:
    """The list's entries, each placed at its column when the value stands on one line."""
    from corslint.sources.yaml_nodes import quoted

    found = []
    offset = 0
    one_line = "\n" not in annotation.value
    start = prov.location.column + (1 if quoted(annotation.value_node) else 0)
    for part in annotation.value.split(","):
        entry = part.strip()
        if entry:
            column = start + offset + (len(part) - len(part.lstrip())) if one_line else prov.location.column
            location = Location(prov.location.path, prov.location.line, column)
            found.append((entry, Provenance(location, prov.raw, prov.context)))
        offset += len(part) + 1
    return found


def _normal(value: str) -> str:
    """The controller's reading of a string annotation: each line trimmed."""
    return "\n".join(line.strip() for line in value.split("\n"))


def _credentials(annotation: Optional[Annotation], anchor: Provenance) -> Setting:
    if annotation is None:
        return Setting.known(True, anchor, default=True)
    if annotation.templated:
        return Setting.unknown(annotation.value_prov)
    value = annotation.value  # strconv.ParseBool, untrimmed
    if value in _GO_FALSE:
        return Setting.known(False, annotation.value_prov)
    # anything else, `true` or not a boolean, is `true`: the controller's fall-back for an invalid value
    return Setting.known(True, annotation.value_prov, default=value not in _GO_TRUE)


def _list(
    annotation: Optional[Annotation], check: re.Pattern, default: tuple[str, ...], anchor: Provenance,
) -> ListSetting:
    """A list annotation as the controller reads it: its validator sees the value without spaces, the parser as
    written; a value failing either is the default."""
    if annotation is None:
        return ListSetting(ListKind.DEFAULT, default, anchor, default=True) if default else ListSetting()
    prov = annotation.value_prov
    if annotation.templated:
        return ListSetting(ListKind.UNKNOWN, (), prov)
    value = _normal(annotation.value)
    valid = bool(value) and len(value) <= _MAX_VALUE and check.fullmatch(value.replace(" ", ""))
    if not valid or check.fullmatch(value) is None:
        return ListSetting(ListKind.DEFAULT, default, prov, default=True) if default else ListSetting()
    items = tuple(item.strip() for item in value.replace("\n", ",").split(",") if item.strip())
    if items == ("*",):
        return ListSetting(ListKind.ANY, items, prov)
    return ListSetting(ListKind.EXPLICIT, items, prov)


def _max_age(annotation: Optional[Annotation], anchor: Provenance) -> Setting:
    if annotation is None:
        return Setting.known(DEFAULT_MAX_AGE, anchor, default=True)
    if annotation.templated:
        return Setting.unknown(annotation.value_prov)
    text = annotation.value.strip()
    if re.fullmatch(r"[+-]?\d{1,18}", text):
        return Setting.known(int(text), annotation.value_prov)
    return Setting.known(DEFAULT_MAX_AGE, annotation.value_prov, default=True)


def _near_miss(name: str) -> str:
    """The CORS annotation a name that ingress-nginx does not know was probably meant to be, or ""."""
    if name in OPTIONS or "cors" not in name:
        return ""
    from corslint.sources.spelling import close_name

    return close_name(name, OPTIONS)
