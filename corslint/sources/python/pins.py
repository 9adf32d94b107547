"""Which django CORS package a project pins: django-cors-headers, or its fork django-cors-middleware, which reads
only the pre-3.5 setting names. Looks at the dependency files from the settings module's folder up to the tree root."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

from corslint.lazy_regex import lazy
from corslint.model import Location
from corslint.workspace import Workspace

DEPENDENCY_FILES = ("requirements.txt", "requirements-prod.txt", "requirements/base.txt", "requirements/production.txt",
                    "pyproject.toml", "Pipfile", "setup.py", "setup.cfg")
FORK = "django-cors-middleware"
_FORK_RE = lazy(r"(?i)(?<![\w-])django[-_]cors[-_]middleware(?![\w-])")
_HEADERS_RE = lazy(r"(?i)(?<![\w-])django[-_]cors[-_]headers(?![\w-])")
_MAX_FOLDERS = 8


def fork_pin(workspace: Workspace, settings_path: Optional[Path]) -> Optional[Location]:
    """Where django-cors-middleware is pinned, when the nearest dependency file that names a django CORS package
    names the fork (and not django-cors-headers)."""
    if settings_path is None:
        return None
    folder = Path(workspace.realpath(settings_path)).parent
    for _ in range(_MAX_FOLDERS):
        if not workspace.inside(folder):
            return None
        for name in DEPENDENCY_FILES:
            found = _named_in(workspace, folder / name)
            if found is not None:
                return found if found.line else None
        if folder.parent == folder:
            return None
        folder = folder.parent
    return None


def _named_in(workspace: Workspace, path: Path) -> Optional[Location]:
    """None when the file names no django CORS package; a Location with line 0 for django-cors-headers."""
    try:
        if not path.is_file():
            return None
        text = workspace.open_file(path).read().decode("utf-8", "replace")
    except (OSError, ValueError):
        return None
    if _HEADERS_RE.search(text):
        return Location(workspace.display(path), 0)
    match = _FORK_RE.search(text)
    if match is None:
        return None
    line = text.count("\n", 0, match.start()) + 1
    return Location(workspace.display(path), line, match.start() - text.rfind("\n", 0, match.start()))
