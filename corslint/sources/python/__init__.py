"""Python: Flask (flask-cors and hand-written headers), Django (django-cors-headers), Starlette/FastAPI, and the
dependency files that pin a CORS library.

`source` claims `.py` files and drives `module` (parse), `values` (value resolution), `common`, and one module per
framework (`flask`, `django`, `starlette`, `manual`); `deps` reads requirements files, pyproject.toml, Pipfile and
setup.cfg. `names` says which file names are Python code or dependency files; `source` and `deps` are imported when
discovery first hands the source a file.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from corslint.lazy_exports import lazy_exports

_HOME = {
    "PythonDepsSource": "deps",
    "PythonSource": "source",
}

__all__ = ["PythonDepsSource", "PythonSource"]

if TYPE_CHECKING:
    from corslint.sources.python.deps import PythonDepsSource
    from corslint.sources.python.source import PythonSource


__getattr__, __dir__ = lazy_exports(__name__, _HOME)
