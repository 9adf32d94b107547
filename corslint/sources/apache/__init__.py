"""Apache httpd: httpd.conf, vhosts and .htaccess, one CorsPolicy per scope that sends CORS headers.

`source` claims files and drives the rest: `tree` (parse), `files` (includes), `scopes` (sections and .htaccess
nesting), `headers` (the two header tables), `origins` (origin values) and `policy` (the policy builder). `names`
says which file names may be Apache configuration; `source` is imported when discovery first hands the source a
file.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from corslint.lazy_exports import lazy_exports

_HOME = {
    "ApacheSource": "source",
}

__all__ = ["ApacheSource"]

if TYPE_CHECKING:
    from corslint.sources.apache.source import ApacheSource


__getattr__, __dir__ = lazy_exports(__name__, _HOME)
