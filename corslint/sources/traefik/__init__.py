"""Traefik outside Kubernetes: the file provider's dynamic configuration (YAML and TOML, `dynamic`) and docker labels
(`labels`, read for the deployment source's compose files), both turned into the fields of a `headers` middleware
that `middleware` reads (the Kubernetes `Middleware` goes through it too); `nodes` builds the YAML nodes the TOML and
label values become, `names` says which files may be dynamic configuration, and `source` is imported when discovery
first hands the source a file.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from corslint.lazy_exports import lazy_exports

_HOME = {
    "TraefikSource": "source",
}

__all__ = ["TraefikSource"]

if TYPE_CHECKING:
    from corslint.sources.traefik.source import TraefikSource


__getattr__, __dir__ = lazy_exports(__name__, _HOME)
