"""Deployment files: docker-compose, Dockerfile and Procfile. They hold no CORS policy; they say how the processes in
the tree start, in which folder and on which port, so a proxy's upstream can be linked to the application behind it.

`names` says which file names are deployment files; `commands` reads a start command (uvicorn, gunicorn, node...);
`compose`, `dockerfile` and `procfile` read one kind each; `source` drives them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from corslint.lazy_exports import lazy_exports

__all__ = ["DeploySource"]

if TYPE_CHECKING:
    from corslint.sources.deploy.source import DeploySource

__getattr__, __dir__ = lazy_exports(__name__, {"DeploySource": "source"})
