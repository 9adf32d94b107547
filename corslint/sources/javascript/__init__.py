"""JavaScript and TypeScript: Express `cors`, @fastify/cors, @koa/cors, NestJS, socket.io and hand-written headers.

`source` claims files and drives the rest: `syntax` (tree-sitter trees), `app` (apps, routers and middleware order),
`libraries` (the CORS packages' options), `manual` (headers written by hand) and `origins` (origin values). `names`
says which file names are JavaScript or TypeScript; `source` is imported when discovery first hands the source a
file.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_HOME = {
    "JavaScriptSource": "source",
}

__all__ = ["JavaScriptSource"]

if TYPE_CHECKING:
    from corslint.sources.javascript.source import JavaScriptSource


def __getattr__(name: str) -> Any:
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value
