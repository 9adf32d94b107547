"""Dockerfiles: the final stage's start command (ENTRYPOINT and CMD, exec or shell form) and EXPOSE ports."""

from __future__ import annotations

import json
import posixpath
from typing import Optional

from corslint.model import Location, Provenance, Service
from corslint.sources.deploy.commands import port_of

_MAX_INSTRUCTIONS = 5000


def instructions(text: str) -> list[tuple[int, str, str]]:
    """(line, instruction upper-cased, arguments) for each instruction, continuation lines joined."""
    found: list[tuple[int, str, str]] = []
    pending: list[str] = []
    start = 0
    escape = "`" if text.lstrip().lower().startswith("# escape=`") else "\\"
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if pending and stripped.startswith("#"):
            continue
        if not pending:
            start = number
        if stripped.endswith(escape):
            pending.append(stripped[:-1].rstrip())
            continue
        pending.append(stripped)
        joined = " ".join(pending)
        pending = []
        word, _, rest = joined.partition(" ")
        found.append((start, word.upper(), rest.strip()))
        if len(found) >= _MAX_INSTRUCTIONS:
            break
    return found


def _words(arguments: str) -> "list[str] | str":
    """Exec form (a JSON array) as a list; shell form as the string."""
    if arguments.startswith("["):
        try:
            value = json.loads(arguments)
        except ValueError:
            return arguments
        if isinstance(value, list):
            return [str(item) for item in value]
    return arguments


def service(path: str, text: str) -> Optional[Service]:
    """The process the Dockerfile's final stage starts; None when it has no FROM (not a Dockerfile)."""
    stage: list[tuple[int, str, str]] = []
    seen_from = False
    for entry in instructions(text):
        if entry[1] == "FROM":
            seen_from = True
            stage = []
        stage.append(entry)
    if not seen_from:
        return None
    ports: list[tuple[int, Provenance]] = []
    entrypoint: "list[str] | str" = []
    cmd: "list[str] | str" = []
    command_line = 0
    env: list[tuple[str, str, Provenance]] = []
    for line, word, rest in stage:
        if word == "ENV":
            prov = Provenance(Location(path, line, 1), f"ENV {rest}", "Dockerfile")
            env.extend((name, value, prov) for name, value in _env_pairs(rest))
        elif word == "EXPOSE":
            for item in rest.split():
                port = port_of(item.partition("/")[0])
                if port is not None:
                    ports.append((port, Provenance(Location(path, line, 1), f"EXPOSE {rest}", "Dockerfile")))
        elif word == "CMD":
            cmd, command_line = _words(rest), line
        elif word == "ENTRYPOINT":
            entrypoint, cmd, command_line = _words(rest), [], line
    command = _join(entrypoint, cmd)
    prov = Provenance(Location(path, 1, 1), posixpath.basename(path), "Dockerfile")
    command_prov = Provenance(Location(path, command_line, 1), command, "Dockerfile") if command_line else None
    folder = posixpath.dirname(path) or "."
    return Service("dockerfile", "", prov, folder, (), tuple(ports), command, command_prov, path, env=tuple(env))


def _env_pairs(rest: str) -> list[tuple[str, str]]:
    """`ENV A=1 B="two words"` or the old `ENV A 1`: the names and values."""
    import shlex

    try:
        words = shlex.split(rest)
    except ValueError:
        return []
    if words and "=" not in words[0]:
        return [(words[0], " ".join(words[1:]))] if len(words) > 1 else []
    return [(name, value) for name, eq, value in (word.partition("=") for word in words) if eq and name]


def _join(entrypoint: "list[str] | str", cmd: "list[str] | str") -> str:
    import shlex

    def text(part: "list[str] | str") -> str:
        return part if isinstance(part, str) else shlex.join(part)

    if isinstance(entrypoint, str) and entrypoint:
        return entrypoint  # shell-form ENTRYPOINT ignores CMD
    return " ".join(t for t in (text(entrypoint), text(cmd)) if t)
