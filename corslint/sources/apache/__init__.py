"""Apache httpd: httpd.conf, vhosts and .htaccess, one CorsPolicy per scope that sends CORS headers.

`source` claims files and drives the rest: `tree` (parse), `files` (includes), `scopes` (sections and .htaccess
nesting), `headers` (the two header tables), `origins` (origin values) and `policy` (the policy builder). `names`
says which file names may be Apache configuration; `source` is imported when discovery first hands the source a
file.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_HOME = {
    "ApacheSource": "source",
}

__all__ = ["ApacheSource"]

if TYPE_CHECKING:
    from corslint.sources.apache.source import ApacheSource


def __getattr__(name: str) -> Any:
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value
