"""The typed fields of a custom resource's spec as corslint reads them: strings, booleans, integers and string lists,
each with where it is written; a value a Helm template fills in reads as unknown."""

from __future__ import annotations

from typing import Callable, Optional

from corslint.model import UNKNOWN_OPTION, ListKind, ListSetting, Provenance, Setting, WiringFact
from corslint.sources import yaml_nodes as Y
from corslint.sources.spelling import close_name
from corslint.sources.templates import is_placeholder

Where = Callable[[object], Provenance]
# the entries of one list read (a longer list is hostile: no real allowlist comes near)
MAX_ENTRIES = 1_000


def entries(node: object, where: Where) -> list[tuple[str, Provenance]]:
    """A list of strings (or one string, split on commas, as Traefik's labels write lists) with each item's place."""
    text = Y.scalar(node)
    if text is not None:
        parts = [part.strip() for part in text.split(",", MAX_ENTRIES)[:MAX_ENTRIES]] if not Y.is_null(node) else []
        return [(part, where(node)) for part in parts if part]
    return [(value, where(item)) for item in Y.items(node)[:MAX_ENTRIES] if (value := Y.scalar(item)) is not None]


def boolean(node: Optional[object], where: Where) -> Setting:
    """A YAML boolean as Go and Kubernetes read it (`true`/`false`, any case); unknown when templated."""
    if node is None:
        return Setting()
    text = Y.scalar(node)
    if text is None or is_placeholder(text):
        return Setting.unknown(where(node))
    low = text.strip().lower()
    if low in ("true", "false"):
        return Setting.known(low == "true", where(node))
    return Setting.unknown(where(node))


def string_list(node: Optional[object], where: Where, star: ListKind = ListKind.ANY) -> ListSetting:
    """A methods or headers list; `star` is what a lone `*` means to the product (sent as is, or echoed)."""
    if node is None:
        return ListSetting()
    found = entries(node, where)
    if any(is_placeholder(value) for value, _ in found):
        return ListSetting(ListKind.UNKNOWN, (), where(node))
    if not found:
        return ListSetting()
    items = tuple(value for value, _ in found)
    kind = star if items == ("*",) else ListKind.EXPLICIT
    return ListSetting(kind, items, where(node), tuple(prov for _, prov in found))


def integer(node: Optional[object], where: Where) -> Setting:
    if node is None:
        return Setting()
    text = (Y.scalar(node) or "").strip()
    if text.lstrip("+-").isdigit() and len(text) < 19:
        return Setting.known(int(text), where(node))
    return Setting.unknown(where(node))


def unknown_fields(fields: dict[str, tuple[object, object]], known: tuple[str, ...], where: Where, detail: str) -> list[WiringFact]:
    """A fact for each field the resource does not have, with the field it was probably meant to be."""
    return [
        WiringFact(UNKNOWN_OPTION, where(key), detail, name, close_name(name, known))
        for name, (key, _) in fields.items() if name not in known
    ]
