"""nginx: configuration files parsed with crossplane's token rules, one CorsPolicy per place a request is answered.

`source` claims files and drives the rest: `tree` (parse), `files` (includes), `levels` (scopes and inheritance),
`values` (variables and maps), `flow` (`if`/`set` evaluation) and `policy` (the policy builder). `names` says which
file names may be nginx configuration; `source` is imported when discovery first hands the source a file.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from corslint.lazy_exports import lazy_exports

_HOME = {
    "NginxSource": "source",
}

__all__ = ["NginxSource"]

if TYPE_CHECKING:
    from corslint.sources.nginx.source import NginxSource


__getattr__, __dir__ = lazy_exports(__name__, _HOME)
