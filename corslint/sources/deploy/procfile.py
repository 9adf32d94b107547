"""Procfiles (Heroku, Dokku, foreman): one process type and its command per line."""

from __future__ import annotations

import posixpath

from corslint.lazy_regex import lazy
from corslint.model import Location, Provenance, Service

_LINE = lazy(r"^([A-Za-z0-9_-]+):[ \t]*(.+?)[ \t]*$")


def services(path: str, text: str) -> list[Service]:
    found = []
    folder = posixpath.dirname(path) or "."
    for number, line in enumerate(text.splitlines()[:1000], 1):
        match = _LINE.match(line)
        if match is None or line.lstrip().startswith("#"):
            continue
        name, command = match.groups()
        prov = Provenance(Location(path, number, 1), line.strip(), "Procfile")
        found.append(Service("procfile", name, prov, folder, (), (), command, prov))
    return found
