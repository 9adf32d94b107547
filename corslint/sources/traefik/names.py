"""Which files may be a Traefik file provider's dynamic configuration: asked of every file in a walk, so kept cheap
and apart from the source."""

from __future__ import annotations

from corslint.lazy_regex import lazy

_ENDINGS = (".yaml", ".yml", ".toml")
# the dynamic configuration's `http` section with its routers, middlewares or services, in YAML or TOML
_YAML_HTTP = lazy(rb"(?mi)^http:[ \t]*(?:#.*)?$")
_YAML_PARTS = lazy(rb"(?mi)^[ \t]+(?:routers|middlewares|services):")
_TOML_HTTP = lazy(rb"(?mi)^[ \t]*\[[ \t]*http[ \t]*[.\]]")


def may_claim(path: str) -> bool:
    return path.lower().endswith(_ENDINGS)


def dynamic_head(path: str, head: bytes) -> bool:
    """The first bytes show a dynamic configuration's `http` section."""
    if path.lower().endswith(".toml"):
        return _TOML_HTTP.search(head) is not None
    return _YAML_HTTP.search(head) is not None and _YAML_PARTS.search(head) is not None
