"""Which file names are JavaScript or TypeScript: asked of every file in a walk, so kept apart from the source and
cheap to import (the registry loads the source itself only once discovery hands it a file)."""

from __future__ import annotations

EXTENSIONS = (".js", ".mjs", ".cjs", ".jsx", ".ts", ".mts", ".cts", ".tsx")


def may_claim(path: str) -> bool:
    """By extension; type declarations hold no code. Dependencies, bundles and build output are left to the
    configurable `exclude` defaults (node_modules, dist, build, *.min.js, ...)."""
    name = path.rpartition("/")[2].lower()
    return name.endswith(EXTENSIONS) and not name.endswith(".d.ts")


def listens(data: bytes) -> bool:
    """May the file start a server (`app.listen(...)`)? Such a file is read for its port even without CORS in it."""
    return b".listen(" in data
