"""Which file names are deployment files (docker-compose, Dockerfile, Procfile, mod_wsgi scripts): asked of every file in a walk, so
kept apart from the source and cheap to import."""

from __future__ import annotations

_COMPOSE_STEMS = ("docker-compose", "compose")
_YAML = (".yml", ".yaml")


def kind_of(path: str) -> str:
    """`compose`, `dockerfile`, `procfile`, `wsgi` (a mod_wsgi script), `package` (a Node project's package.json,
    claimed only as the mark of a project's root folder), or "" for any other file."""
    lower = path.rpartition("/")[2].lower()
    if lower.endswith(_YAML) and lower.startswith(_COMPOSE_STEMS):
        stem = lower.rsplit(".", 1)[0]
        if stem in _COMPOSE_STEMS or stem.startswith(tuple(s + sep for s in _COMPOSE_STEMS for sep in ".-_")):
            return "compose"
        return ""
    if lower in ("dockerfile", "containerfile") or lower.startswith("dockerfile.") or lower.endswith(".dockerfile"):
        return "dockerfile"
    if lower == "procfile" or lower.startswith("procfile."):
        return "procfile"
    if lower.endswith(".wsgi"):
        return "wsgi"
    if lower == "package.json":
        return "package"
    return ""


def may_claim(path: str) -> bool:
    return bool(kind_of(path))


# the files that mark a project's root folder (with the Python dependency files the python-deps source claims)
PROJECT_MARKS = frozenset({"compose", "procfile", "package"})
