"""YAML read the safe way for the sources that need positions: PyYAML's safe composer (nodes with their lines, no
object ever built, so no tag can run code; an alias is the node it names, shared, never expanded) and the helpers
that read mappings, sequences and scalars from those nodes."""

from __future__ import annotations

from typing import Iterator, Optional

from corslint.model import Location, Provenance


class YamlProblem(Exception):
    """The text is not YAML: PyYAML's problem, at a 1-based line and column."""

    def __init__(self, problem: str, line: int, column: int) -> None:
        super().__init__(problem)
        self.problem = problem
        self.line = line
        self.column = column


class _DuplicateAnchor(YamlProblem):
    """PyYAML's refusal of an anchor defined twice."""


def documents(text: str) -> Iterator[object]:
    """The documents of a (multi-document) YAML text as node trees, one at a time; YamlProblem where it stops being
    YAML (the documents before it have been handed out). An anchor written twice names its latest node, as in YAML
    1.2 and the Go parsers Kubernetes and Traefik use (PyYAML refuses it: the text is then read again, tolerantly)."""
    import yaml

    handed = 0
    try:
        for node in _composed(text, getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
            handed += 1
            yield node
    except _DuplicateAnchor:
        for index, node in enumerate(_composed(text, _tolerant_loader())):
            if index >= handed:
                yield node


def _composed(text: str, loader_class: type) -> Iterator[object]:
    import yaml

    loader = loader_class(text)
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is not None:
                yield node
    except RecursionError:
        raise YamlProblem("nested too deeply to read", 1, 1) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        kind = _DuplicateAnchor if str(getattr(exc, "context", "")).startswith("found duplicate anchor") else YamlProblem
        raise kind(problem, mark.line + 1 if mark else 1, mark.column + 1 if mark else 1) from None
    finally:
        loader.dispose()


def _tolerant_loader() -> type:
    import yaml

    class TolerantLoader(yaml.SafeLoader):
        """PyYAML's safe loader, but an anchor defined again replaces the earlier one."""

        def compose_node(self, parent: object, index: object) -> object:
            event = self.peek_event()
            if not isinstance(event, yaml.AliasEvent) and getattr(event, "anchor", None) in self.anchors:
                del self.anchors[event.anchor]
            return super().compose_node(parent, index)

    return TolerantLoader


def mapping(node: object) -> dict[str, tuple[object, object]]:
    """A mapping node's entries by key text: key -> (key node, value node); {} for anything else."""
    import yaml

    if not isinstance(node, yaml.MappingNode):
        return {}
    entries = {}
    for key, value in node.value:
        if isinstance(key, yaml.ScalarNode):
            entries[str(key.value)] = (key, value)
    return entries


def child(node: object, *keys: str) -> Optional[object]:
    """The value node at this path of mapping keys, or None."""
    for key in keys:
        entry = mapping(node).get(key)
        if entry is None:
            return None
        node = entry[1]
    return node


def scalar(node: object) -> Optional[str]:
    """A scalar node's text as written (never converted: `true` stays the string "true"); None for a collection."""
    import yaml

    return str(node.value) if isinstance(node, yaml.ScalarNode) else None


def items(node: object) -> list[object]:
    import yaml

    return list(node.value) if isinstance(node, yaml.SequenceNode) else []


def is_null(node: object) -> bool:
    """An empty or `~`/`null` plain scalar: the key is there, its value is not."""
    import yaml

    return isinstance(node, yaml.ScalarNode) and node.style is None and node.value in ("", "~", "null", "Null", "NULL")


def quoted(node: object) -> bool:
    import yaml

    return isinstance(node, yaml.ScalarNode) and node.style in ("'", '"')


def location(path: str, node: object) -> Location:
    mark = node.start_mark  # type: ignore[attr-defined]
    return Location(path, mark.line + 1, mark.column + 1)


def prov(path: str, node: object, raw: str, context: str) -> Provenance:
    return Provenance(location(path, node), raw, context)
