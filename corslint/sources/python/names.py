"""Which file names are Python code or Python dependency files: asked of every file in a walk, so kept apart from
the sources and cheap to import (the registry loads a source itself only once discovery hands it a file)."""

from __future__ import annotations

DEPENDENCY_NAMES = ("pyproject.toml", "pipfile", "setup.cfg")


def may_claim_code(path: str) -> bool:
    return path.lower().endswith(".py")


def may_claim_dependencies(path: str) -> bool:
    """requirements*.txt (or any .txt in a requirements folder), pyproject.toml, Pipfile, setup.cfg."""
    folders, _, name = path.rpartition("/")  # strings, not PurePosixPath: discovery asks this of every file
    lower = name.lower()
    if lower in DEPENDENCY_NAMES:
        return True
    return lower.endswith(".txt") and (lower.startswith("requirements") or "requirements" in folders.split("/"))


def starts_server(data: bytes) -> bool:
    """May the file start a server in code (`uvicorn.run(`, Flask's `app.run(`)? Then it is read for its port."""
    return b"uvicorn.run(" in data or b"run_app(" in data or (b"Flask(" in data and b".run(" in data)
