"""A Traefik file provider's dynamic configuration, YAML or TOML: every `http.middlewares.NAME.headers` becomes the
middleware's policy. Go template actions (the file provider renders them) read as unknown values; a file that is
not YAML or TOML is CORS001."""

from __future__ import annotations

import re
from typing import Callable, Iterator, Optional

from corslint.model import CorsPolicy, Extraction, Location, ParseProblem, Provenance
from corslint.sources import yaml_nodes as Y
from corslint.sources.hash_comments import hash_comments
from corslint.sources.templates import has_templates, neutralise_templates
from corslint.sources.traefik import nodes
from corslint.sources.traefik.middleware import canonical, middleware_policy

SOURCE = "traefik"
MAX_DOCUMENTS = 10_000
MAX_MIDDLEWARES = 5_000


def read(path: str, text: str, extraction: Extraction) -> None:
    lines = text.splitlines()
    if path.lower().endswith(".toml"):
        _toml(path, text, lines, extraction)
    else:
        _yaml(path, text, lines, extraction)
    extraction.files.add(path)
    extraction.comments.extend(hash_comments(path, lines, SOURCE))


def ci_child(node: object, key: str) -> Optional[object]:
    """The value of a mapping key compared without case (Traefik's decoders accept `HTTP`, `Middlewares`)."""
    low = key.lower()
    for name, (_, value) in Y.mapping(node).items():
        if name.lower() == low:
            return value
    return None


def canonical_headers(headers: object) -> object:
    """The `headers` mapping with each field's name as documented, so a field written in another case reads alike."""
    import yaml

    if not isinstance(headers, yaml.MappingNode):
        return headers
    pairs = []
    for key, value in headers.value:
        if isinstance(key, yaml.ScalarNode):
            key = yaml.ScalarNode(key.tag, canonical(str(key.value)), key.start_mark, key.end_mark, key.style)
        pairs.append((key, value))
    return yaml.MappingNode(headers.tag, pairs, headers.start_mark, headers.end_mark)


def policies(path: str, document: object, lines: list[str], origin: str) -> Iterator[CorsPolicy]:
    """The policies of one document's `http.middlewares`; `origin` names where the middlewares come from."""
    middlewares = ci_child(ci_child(document, "http"), "middlewares")
    for count, (name, (_, body)) in enumerate(Y.mapping(middlewares).items()):
        if count >= MAX_MIDDLEWARES:
            return
        headers = ci_child(body, "headers")
        if headers is None:
            continue
        scope = f"Traefik middleware {name} ({origin})"
        policy = middleware_policy(canonical_headers(headers), scope, where_in(path, lines, f"{scope} headers"))
        if policy is not None:
            yield policy


def where_in(path: str, lines: list[str], context: str) -> Callable[[object], Provenance]:
    def where(node: object) -> Provenance:
        line = node.start_mark.line  # type: ignore[attr-defined]
        return Y.prov(path, node, lines[line].strip() if 0 <= line < len(lines) else "", context)

    return where


def _yaml(path: str, text: str, lines: list[str], extraction: Extraction) -> None:
    templated = has_templates(text)
    try:
        for count, document in enumerate(Y.documents(neutralise_templates(text) if templated else text)):
            if count >= MAX_DOCUMENTS:
                extraction.skipped[path] = f"more than {MAX_DOCUMENTS} YAML documents; the rest not checked"
                return
            extraction.policies.extend(policies(path, document, lines, "file provider"))
    except Y.YamlProblem as problem:
        if templated:
            extraction.skipped[path] = (
                f"Go template that is YAML only once Traefik renders it (line {problem.line}: {problem.problem}); "
                "corslint never renders templates, so what follows that line is not checked"
            )
            return
        where = Location(path, problem.line, problem.column)
        extraction.problems.append(ParseProblem(where, f"YAML syntax error: {problem.problem}", SOURCE))


def _toml(path: str, text: str, lines: list[str], extraction: Extraction) -> None:
    try:
        import tomllib
    except ImportError:  # Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]
    if has_templates(text):
        extraction.skipped[path] = "TOML with Go template actions: corslint never renders templates; not checked"
        return
    try:
        data = tomllib.loads(text)
    except RecursionError:
        extraction.problems.append(ParseProblem(Location(path, 1, 1), "TOML nested too deeply to read", SOURCE))
        return
    except tomllib.TOMLDecodeError as exc:
        line, column = _toml_position(str(exc))
        message = re.sub(r" \(at line \d+, column \d+\)$", "", str(exc))
        extraction.problems.append(ParseProblem(Location(path, line, column), f"TOML syntax error: {message}", SOURCE))
        return
    document = _toml_document(data, lines)
    if document is not None:
        extraction.policies.extend(policies(path, document, lines, "file provider"))


def _toml_position(message: str) -> tuple[int, int]:
    found = re.search(r"at line (\d+), column (\d+)", message)
    return (int(found.group(1)), int(found.group(2))) if found else (1, 1)


def _toml_document(data: dict, lines: list[str]) -> Optional[object]:
    """The `http.middlewares` tables as nodes, each field at the line that writes it."""
    http = next((value for key, value in data.items() if key.lower() == "http" and isinstance(value, dict)), None)
    middlewares = next((v for k, v in (http or {}).items() if k.lower() == "middlewares" and isinstance(v, dict)), None)
    if not middlewares:
        return None
    locate = _Locator(lines)
    entries = []
    for name, body in list(middlewares.items())[:MAX_MIDDLEWARES]:
        headers = next((v for k, v in body.items() if k.lower() == "headers" and isinstance(v, dict)), None) \
            if isinstance(body, dict) else None
        if headers is None:
            continue
        start = locate.table(name)
        fields = []
        for key, value in headers.items():
            line = locate.key(key, start)
            items = locate.items(value, line) if isinstance(value, list) else None
            fields.append((key, nodes.from_value(value, line, items)))
        entries.append((name, nodes.mapping([("headers", nodes.mapping(fields, start))], start)))
    middleware_nodes = nodes.mapping(entries, 1)
    return nodes.mapping([("http", nodes.mapping([("middlewares", middleware_nodes)], 1))], 1)


class _Locator:
    """Finds the line a TOML table, key or list item is written on (tomllib keeps no positions); each search is
    bounded, so a hostile file costs time linear in its size."""

    SPAN = 500  # lines after a table a key of it is looked for in
    ITEMS = 1_000  # list items placed on their own lines; later ones get their key's line

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.tables: dict[str, int] = {}
        for number, line in enumerate(lines, start=1):
            found = _TABLE.match(line)
            if found:
                self.tables.setdefault(found.group(1).lower(), number)

    def table(self, name: str) -> int:
        return self.tables.get(name.lower(), 1)

    def key(self, key: str, start: int) -> int:
        pattern = re.compile(r"(?:^|[\s{,.])[\"']?" + re.escape(key) + r"[\"']?\s*=", re.I)
        for index in range(max(start - 1, 0), min(len(self.lines), start - 1 + self.SPAN)):
            if pattern.search(self.lines[index]):
                return index + 1
        return start

    def items(self, values: list, start: int) -> list[int]:
        found = []
        line = start
        for value in values[: self.ITEMS]:
            text = str(value)
            line = next((number for number in range(line, min(len(self.lines), line + 200) + 1)
                         if text in self.lines[number - 1]), line)
            found.append(line)
        return found


_TABLE = re.compile(r"\s*\[\s*http\.middlewares\.[\"']?([^\"'\].]{1,200})[\"']?(?:\.headers)?\s*\]", re.I)
