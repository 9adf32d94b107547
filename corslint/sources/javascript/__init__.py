"""JavaScript and TypeScript: Express `cors`, @fastify/cors, @koa/cors, NestJS, socket.io and hand-written headers.

`source` claims files and drives the rest: `syntax` (tree-sitter trees), `app` (apps, routers and middleware
order), `libraries` (the CORS packages' options), `manual` (headers written by hand) and `origins` (origin values).
Only `source` is imported before a file of this kind is met.
"""

from corslint.sources.javascript.source import JavaScriptSource

__all__ = ["JavaScriptSource"]
