"""docker-compose files: each service's name and aliases, the tree folder it is built from, its command and the
ports it listens on inside its container. Read with PyYAML's safe composer (nodes with positions, no objects built,
anchors shared rather than expanded)."""

from __future__ import annotations

import posixpath
from typing import Iterator, Optional

from corslint.model import Provenance, Service
from corslint.sources.deploy.commands import port_of
from corslint.sources.yaml_nodes import items as _items, mapping as _mapping, prov as _prov, scalar as _scalar

_MAX_SERVICES = 500


class ComposeError(Exception):
    """The file is not YAML a compose tool would read."""


def services(path: str, text: str) -> list[Service]:
    import yaml

    try:
        documents = list(yaml.compose_all(text, Loader=yaml.SafeLoader))
    except RecursionError:
        raise ComposeError("nested too deeply to read") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ComposeError(f"{problem}{where}") from None
    found: list[Service] = []
    for document in documents:
        for name_node, body in _service_nodes(document):
            found.append(_service(path, name_node, body))
            if len(found) >= _MAX_SERVICES:
                return found
    return found


def _service_nodes(document: object) -> Iterator[tuple[object, object]]:
    top = _mapping(document)
    if "services" in top:
        for _, (key, value) in _mapping(top["services"][1]).items():
            yield key, value
        return
    if "version" in top or not top:
        return
    for _, (key, value) in top.items():  # the version-1 format: services at the top level
        entries = _mapping(value)
        if "build" in entries or "image" in entries:
            yield key, value


def _list_entries(entry: Optional[tuple[object, object]], key: str) -> Iterator[tuple[object, str, bool]]:
    """The entries of a list setting (`ports`, `volumes`) as (node, text, written short): a short entry's text, or the
    text of `key` in a long one (`{target: 80, published: 8080}`, `{source: ./x, target: /y}`)."""
    for item in _items(entry[1]) if entry is not None else []:
        text = _scalar(item)
        if text is not None:
            yield item, text, True
            continue
        long = _mapping(item).get(key)
        value = _scalar(long[1]) if long is not None else None
        if value is not None:
            yield item, value, False


def _service(path: str, name_node: object, body: object) -> Service:
    name = str(name_node.value)  # type: ignore[attr-defined]
    context = f"services > {name}"
    entries = _mapping(body)
    folder, dockerfile = _build(path, entries.get("build"))
    aliases = [value for key in ("container_name", "hostname") if key in entries and (value := _scalar(entries[key][1]))]
    aliases.extend(_network_aliases(entries.get("networks")))
    ports = [*_ports(path, entries.get("expose"), context, target_only=False), *_ports(path, entries.get("ports"), context, target_only=True)]
    command, command_prov = "", None
    if "command" in entries:
        node = entries["command"][1]
        scalar = _scalar(node)
        command = (scalar if scalar is not None else " ".join(s for item in _items(node) if (s := _scalar(item)) is not None)).strip()
        command_prov = _prov(path, node, command, context)
    mode = _scalar(entries["network_mode"][1]) if "network_mode" in entries else None
    return Service(
        "compose", name, _prov(path, name_node, name, "services"), folder, tuple(dict.fromkeys(aliases)),
        tuple(ports), command, command_prov, dockerfile, mode == "host", tuple(_mounts(path, entries.get("volumes"))),
        tuple(_links(entries.get("links"))), tuple(_environment(path, entries.get("environment"), context)), "env_file" in entries,
    )


def _environment(path: str, entry: Optional[tuple[object, object]], context: str) -> list[tuple[str, str, Provenance]]:
    """`environment:` as a mapping or a list of `NAME=value`; a value that itself reads the environment is left out."""
    if entry is None:
        return []
    pairs: list[tuple[str, str, object]] = []
    mapping = _mapping(entry[1])
    if mapping:
        pairs = [(name, _scalar(value) or "", value) for name, (_, value) in mapping.items()]
    else:
        for item in _items(entry[1]):
            text = _scalar(item) or ""
            name, eq, value = text.partition("=")
            if eq:
                pairs.append((name.strip(), value, item))
    return [(name, value, _prov(path, node, f"{name}={value}", context)) for name, value, node in pairs if "$" not in value]


def _links(entry: Optional[tuple[object, object]]) -> list[tuple[str, str]]:
    """`links: ["db_prod:db", "cache"]` as (service, alias) pairs; a bare name is its own alias."""
    if entry is None:
        return []
    found = []
    for item in _items(entry[1]):
        text = _scalar(item)
        if text:
            service, _, alias = text.partition(":")
            found.append((service.strip(), (alias or service).strip()))
    return found


def _mounts(path: str, entry: Optional[tuple[object, object]]) -> list[str]:
    """The tree paths a service bind-mounts: `./nginx/site.conf:/etc/nginx/conf.d/default.conf:ro`, `{source: ./x}`."""
    found = []
    for _, text, short in _list_entries(entry, "source"):
        if short:
            text = text.split(":", 1)[0] if ":" in text else ""
        if text.startswith("."):  # a named volume has no path; an absolute one is outside the tree
            inside = _inside(posixpath.join(posixpath.dirname(path), text))
            if inside is not None:
                found.append(inside)
    return found


def _build(path: str, entry: Optional[tuple[object, object]]) -> tuple[str, str]:
    """The tree folder a service is built from (display path) and its Dockerfile, "" when it is not built here."""
    if entry is None:
        return "", ""
    node = entry[1]
    context = _scalar(node)
    dockerfile = "Dockerfile"
    if context is None:
        entries = _mapping(node)
        context = _scalar(entries["context"][1]) if "context" in entries else "."
        if "dockerfile" in entries:
            dockerfile = _scalar(entries["dockerfile"][1]) or dockerfile
    if context is None or "://" in context or context.startswith(("git@", "$")) or "${" in context:
        return "", ""
    base = posixpath.dirname(path)
    folder = _inside(posixpath.join(base, context))
    if folder is None:
        return "", ""
    file = _inside(posixpath.join(folder, dockerfile)) if not posixpath.isabs(dockerfile) else None
    return folder, file or ""


def _inside(joined: str) -> Optional[str]:
    """A normalized display path, or None when it leaves the tree."""
    if posixpath.isabs(joined):
        return None
    normal = posixpath.normpath(joined)
    if normal == ".." or normal.startswith("../"):
        return None
    return normal


def _network_aliases(entry: Optional[tuple[object, object]]) -> list[str]:
    if entry is None:
        return []
    found = []
    for _, (_, network) in _mapping(entry[1]).items():
        aliases = _mapping(network).get("aliases")
        if aliases is not None:
            found.extend(s for item in _items(aliases[1]) if (s := _scalar(item)))
    return found


def _ports(path: str, entry: Optional[tuple[object, object]], context: str, *, target_only: bool) -> list[tuple[int, Provenance]]:
    """Container ports: `expose` entries, and the container side of `ports` (`"8080:80"`, `{target: 80}`)."""
    found = []
    for item, text, _ in _list_entries(entry, "target"):
        port_text = text.rpartition(":")[2] if target_only else text
        port = port_of(port_text.partition("/")[0])
        if port is not None:
            found.append((port, _prov(path, item, text, context)))
    return found
