"""YAML nodes built for values that were not YAML (a TOML table, a docker label), each at the line it is written on,
so the middleware reader and the `yaml_nodes` helpers read them as they read a YAML file."""

from __future__ import annotations

from typing import Union

Value = Union[str, bool, int, float, list, dict, None]
_STR = "tag:yaml.org,2002:str"
MAX_ITEMS = 1_000  # items of one list kept, as the YAML reader keeps them


def _mark(line: int, column: int = 0) -> object:
    import yaml

    return yaml.Mark("", 0, line - 1, column, None, None)


def scalar(text: str, line: int, column: int = 0, quoted: bool = True) -> object:
    """A scalar as YAML would read the text; `quoted` keeps an empty string from reading as null."""
    import yaml

    mark = _mark(line, column)
    return yaml.ScalarNode(_STR, text, mark, mark, '"' if quoted else None)


def mapping(entries: list[tuple[str, object]], line: int) -> object:
    """A mapping of these keys, each at its value's line."""
    return pairs_mapping([(scalar(key, getattr(value, "start_mark").line + 1), value) for key, value in entries], line)


def pairs_mapping(pairs: list[tuple[object, object]], line: int) -> object:
    """A mapping of key and value nodes as they are."""
    import yaml

    mark = _mark(line)
    return yaml.MappingNode("tag:yaml.org,2002:map", pairs, mark, mark)


def sequence(values: list[object], line: int) -> object:
    import yaml

    mark = _mark(line)
    return yaml.SequenceNode("tag:yaml.org,2002:seq", values, mark, mark)


def from_value(value: Value, line: int, item_lines: list[int] | None = None) -> object:
    """A TOML value as a node: booleans and numbers as the plain scalars YAML writes them, lists item by item."""
    if isinstance(value, bool):
        return scalar("true" if value else "false", line, quoted=False)
    if isinstance(value, (int, float)):
        return scalar(str(value), line, quoted=False)
    if isinstance(value, list):
        lines = item_lines or []
        kept = value[:MAX_ITEMS]
        return sequence([from_value(item, lines[i] if i < len(lines) else line) for i, item in enumerate(kept)], line)
    if isinstance(value, dict):
        return mapping([(str(key), from_value(item, line)) for key, item in value.items()], line)
    return scalar("" if value is None else str(value), line)
