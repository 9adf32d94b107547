"""Which file names may hold nginx configuration: asked of every file in a walk, so kept apart from the source and
cheap to import (the registry loads the source itself only once discovery hands it a file)."""

from __future__ import annotations

from functools import lru_cache

from corslint.sources.base import content_named

_NAME_SUFFIXES = (".conf", ".nginx", ".conf.template", ".conf.tpl")
_FOLDERS = frozenset({"nginx", "sites-available", "sites-enabled", "conf.d", "snippets"})


def may_claim(path: str) -> bool:
    return nginx_named(path) or content_named(path.rpartition("/")[2].lower())


def nginx_named(path: str) -> bool:
    """Named like nginx configuration: `nginx.conf`, `*.conf` and the like, or anything in an nginx folder."""
    folders, _, name = path.rpartition("/")  # strings, not PurePosixPath: discovery asks this of every file
    lower = name.lower()
    return lower == "nginx.conf" or lower.endswith(_NAME_SUFFIXES) or _nginx_folder(folders)


@lru_cache(maxsize=4096)
def _nginx_folder(folders: str) -> bool:
    """Is this folder path (remembered: discovery asks it of every file in the folder) an nginx configuration folder?"""
    return not _FOLDERS.isdisjoint(folders.split("/"))
