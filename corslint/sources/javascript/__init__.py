"""JavaScript and TypeScript: Express `cors`, @fastify/cors, @koa/cors, NestJS, socket.io and hand-written headers.

`source` claims files and drives the rest: `syntax` (tree-sitter trees), `app` (apps, routers and middleware order),
`libraries` (the CORS packages' options), `manual` (headers written by hand) and `origins` (origin values). `names`
says which file names are JavaScript or TypeScript; `source` is imported when discovery first hands the source a
file.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from corslint.lazy_exports import lazy_exports

_HOME = {
    "JavaScriptSource": "source",
}

__all__ = ["JavaScriptSource"]

if TYPE_CHECKING:
    from corslint.sources.javascript.source import JavaScriptSource


__getattr__, __dir__ = lazy_exports(__name__, _HOME)
