"""Traefik's docker labels in a docker-compose file (`traefik.http.middlewares.NAME.headers.FIELD=value`, in a
service's `labels` or swarm `deploy.labels`, as a list or a mapping): each middleware's fields become a `headers`
mapping that `middleware` reads, every value at its label's line."""

from __future__ import annotations

import re
from typing import Iterator

from corslint.model import CorsPolicy
from corslint.sources import yaml_nodes as Y
from corslint.sources.templates import TEMPLATE_VARIABLE
from corslint.sources.traefik import nodes
from corslint.sources.traefik.dynamic import where_in
from corslint.sources.traefik.middleware import canonical, middleware_policy

_PREFIX = "traefik.http.middlewares."
# what docker compose interpolates in a value: `$$` is a `$`, a variable is unknown here
_INTERPOLATION = re.compile(r"\$\$|\$\{[^}]{0,200}\}|\$[A-Za-z_][A-Za-z0-9_]*")
MAX_LABELS = 20_000


def label_policies(path: str, text: str) -> list[CorsPolicy]:
    """The policies of the header middlewares the compose file's labels define; [] when it is not YAML."""
    lines = text.splitlines()
    found: list[CorsPolicy] = []
    try:
        for document in Y.documents(text):
            for service, labels in _service_labels(document):
                found.extend(_policies(path, lines, service, labels))
    except Y.YamlProblem:
        return found  # the deployment source reports a compose file that is not YAML
    return found


def _service_labels(document: object) -> Iterator[tuple[str, list[tuple[str, object, object]]]]:
    for service, (_, body) in Y.mapping(Y.child(document, "services")).items():
        labels: list[tuple[str, object, object]] = []
        for node in (Y.child(body, "labels"), Y.child(body, "deploy", "labels")):
            labels.extend(_labels(node))
        if labels:
            yield service, labels[:MAX_LABELS]


def _labels(node: object) -> Iterator[tuple[str, object, object]]:
    """(label name, key node, value node) for each `traefik.http.middlewares.` label."""
    for key, (key_node, value) in Y.mapping(node).items():
        text = Y.scalar(value)
        if key.lower().startswith(_PREFIX) and text is not None:
            mark = value.start_mark  # type: ignore[attr-defined]
            yield key, key_node, nodes.scalar(interpolated(text), mark.line + 1, mark.column + (1 if Y.quoted(value) else 0))
    for item in Y.items(node):
        text = Y.scalar(item)
        if text is None or not text.lower().startswith(_PREFIX):
            continue
        name, _, value = text.partition("=")
        mark = item.start_mark  # type: ignore[attr-defined]
        column = mark.column + (1 if Y.quoted(item) else 0) + len(name) + 1
        yield name, item, nodes.scalar(interpolated(value), mark.line + 1, column)


def interpolated(text: str) -> str:
    """The value docker compose hands Docker: `$$` becomes `$`, a variable the placeholder of an unknown value."""
    return _INTERPOLATION.sub(lambda m: "$" if m.group() == "$$" else "$" + TEMPLATE_VARIABLE, text)


def _policies(path: str, lines: list[str], service: str, labels: list[tuple[str, object, object]]) -> list[CorsPolicy]:
    middlewares: dict[str, list[tuple[object, object]]] = {}
    for name, key_node, value in labels:
        middleware, _, rest = name[len(_PREFIX):].partition(".")
        section, _, field = rest.partition(".")
        if section.lower() != "headers" or not field or "." in field:
            continue
        mark = key_node.start_mark  # type: ignore[attr-defined]
        key = nodes.scalar(canonical(field), mark.line + 1, mark.column)
        middlewares.setdefault(middleware, []).append((key, value))
    found = []
    for middleware, pairs in middlewares.items():
        headers = nodes.pairs_mapping(pairs, pairs[0][0].start_mark.line + 1)  # type: ignore[attr-defined]
        scope = f"Traefik middleware {middleware} (docker labels of service {service})"
        policy = middleware_policy(headers, scope, where_in(path, lines, f"{scope} headers"))
        if policy is not None:
            found.append(policy)
    return found
