"""nginx: configuration files parsed with crossplane's token rules, one CorsPolicy per place a request is answered.

`source` claims files and drives the rest: `tree` (parse), `files` (includes), `levels` (scopes and inheritance),
`values` (variables and maps), `flow` (`if`/`set` evaluation) and `policy` (the policy builder). `names` says which
file names may be nginx configuration; `source` is imported when discovery first hands the source a file.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_HOME = {
    "NginxSource": "source",
}

__all__ = ["NginxSource"]

if TYPE_CHECKING:
    from corslint.sources.nginx.source import NginxSource


def __getattr__(name: str) -> Any:
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value
