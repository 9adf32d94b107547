"""Python: Flask (flask-cors and hand-written headers), Django (django-cors-headers), Starlette/FastAPI, and the
dependency files that pin a CORS library.

`source` claims `.py` files and drives `module` (parse), `values` (value resolution), `common`, and one module per
framework (`flask`, `django`, `starlette`, `manual`); `deps` reads requirements files, pyproject.toml, Pipfile and
setup.cfg. Only `source` and `deps` are imported before a file of this kind is met.
"""

from corslint.sources.python.deps import PythonDepsSource
from corslint.sources.python.source import PythonSource

__all__ = ["PythonDepsSource", "PythonSource"]
