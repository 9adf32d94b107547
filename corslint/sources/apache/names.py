"""Which file names may hold Apache configuration: asked of every file in a walk, so kept apart from the source and
cheap to import (the registry loads the source itself only once discovery hands it a file)."""

from __future__ import annotations

from functools import lru_cache

from corslint.sources.base import content_named

_FOLDERS = frozenset({"sites-available", "sites-enabled", "conf.d", "conf-available", "conf-enabled", "httpd", "vhosts", "vhosts.d"})
_NAMES = frozenset({"httpd.conf", "apache2.conf", "apache.conf", "httpd-vhosts.conf"})


def may_claim(path: str) -> bool:
    folders, _, name = path.rpartition("/")  # strings, not PurePosixPath: discovery asks this of every file
    lower = name.lower()
    return lower.endswith("htaccess") or apache_named(folders, lower) or content_named(lower)


def apache_named(folders: str, lower: str) -> bool:
    """Named like Apache configuration: `httpd.conf`, `*.conf` and the like, or anything in an Apache folder."""
    return lower in _NAMES or lower.endswith(".conf") or _apache_folder(folders)


@lru_cache(maxsize=4096)
def _apache_folder(folders: str) -> bool:
    """Is this folder path (remembered: discovery asks it of every file in the folder) an Apache configuration folder?"""
    return any(part in _FOLDERS or part.startswith("apache") for part in folders.lower().split("/"))
