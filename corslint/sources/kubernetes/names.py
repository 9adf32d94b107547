"""Which files may be Kubernetes manifests or Helm values: asked of every file in a walk, so kept cheap and apart from
the source (which discovery imports only once it hands the source a file)."""

from __future__ import annotations

from corslint.lazy_regex import lazy

_ENDINGS = (".yaml", ".yml", ".tpl")
_VALUES = lazy(r"(?:^|[._-])values(?:[._-]|$)")
# an object: `apiVersion:` and `kind:` at the start of a line (any indentation: a `List`'s items, a Helm template)
_API_VERSION = lazy(rb"(?m)^[ \t-]*apiVersion:[ \t]*['\"]?[A-Za-z{$]")
_KIND = lazy(rb"(?m)^[ \t-]*kind:[ \t]*['\"]?[A-Za-z{$]")


def may_claim(path: str) -> bool:
    return path.lower().endswith(_ENDINGS)


def helm_values(path: str) -> bool:
    """A Helm chart's values file: `values.yaml`, `values-prod.yaml`, `prod.values.yaml`, `helm_values.yaml`."""
    name = path.rpartition("/")[2].lower()
    return name.endswith((".yaml", ".yml")) and _VALUES.search(name.rsplit(".", 1)[0]) is not None


def manifest_head(head: bytes) -> bool:
    """The first bytes show a Kubernetes object."""
    return _API_VERSION.search(head) is not None and _KIND.search(head) is not None
