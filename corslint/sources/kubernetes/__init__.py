"""Kubernetes manifests and Helm charts: ingress-nginx annotations (`ingress`) and their snippets (`snippets`, read by
the nginx source), Istio VirtualService `corsPolicy` (`istio`), Traefik `Middleware` headers (read by `corslint.sources.traefik.middleware`).

`source` claims files and hands each to `manifests`, which reads the YAML documents; `names` says which file names
may be manifests; `source` is imported when discovery first hands the source a file.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from corslint.lazy_exports import lazy_exports

_HOME = {
    "KubernetesSource": "source",
}

__all__ = ["KubernetesSource"]

if TYPE_CHECKING:
    from corslint.sources.kubernetes.source import KubernetesSource


__getattr__, __dir__ = lazy_exports(__name__, _HOME)
