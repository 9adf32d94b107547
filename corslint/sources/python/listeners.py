"""The ports a Python server started in code listens on: `uvicorn.run(app, port=8000)` (uvicorn's default 8000),
`app.run(port=5000)` on a Flask app (Flask's default 5000), `web.run_app(app, port=8080)`. Literal numbers are facts;
`int(os.environ.get("PORT", 5000))` is one with what it assumes."""

from __future__ import annotations

import ast
from typing import Iterator, Optional

from corslint.model import Listener

def listeners(module) -> Iterator[Listener]:  # type: ignore[no-untyped-def]
    flask_apps = _flask_apps(module.tree)
    for node in ast.walk(module.tree):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        owner = node.func.value
        name = node.func.attr
        if name == "run" and isinstance(owner, ast.Name) and owner.id == "uvicorn":
            framework, default = "uvicorn", 8000
        elif name == "run" and isinstance(owner, ast.Name) and owner.id in flask_apps:
            framework, default = "flask", 5000
        elif name == "run_app" and isinstance(owner, ast.Name) and owner.id == "web":
            framework, default = "aiohttp", 8080
        else:
            continue
        keyword = next((k for k in node.keywords if k.arg == "port"), None)
        if keyword is None:
            if any(k.arg is None for k in node.keywords):
                continue  # `**options` may carry the port
            yield Listener(module.path, default, module.prov(node), framework, f"{framework}'s default port {default}")
            continue
        port, assumed = _port(keyword.value)
        if port:
            yield Listener(module.path, port, module.prov(node), framework, assumed)


def _flask_apps(tree: ast.Module) -> set[str]:
    """Names bound at module level to `Flask(...)`."""
    names = set()
    for statement in tree.body:
        if isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Call):
            func = statement.value.func
            called = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            if called == "Flask":
                names.update(t.id for t in statement.targets if isinstance(t, ast.Name))
    return names


def _port(node: ast.AST) -> tuple[int, str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, int) and not isinstance(node.value, bool):
        return (node.value, "") if 0 < node.value < 65536 else (0, "")
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return _number(node.value), ""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "int" and node.args:
        return _port(node.args[0])
    fallback = _environ_default(node)
    if fallback is not None:
        variable, default = fallback
        port = _number(default)
        return (port, f"{port} while ${variable} is unset") if port else (0, "")
    return 0, ""


def _environ_default(node: ast.AST) -> Optional[tuple[str, str]]:
    """(`PORT`, `5000`) for `os.environ.get("PORT", 5000)` and `os.getenv("PORT", "5000")`."""
    if not isinstance(node, ast.Call) or len(node.args) != 2 or not isinstance(node.func, ast.Attribute):
        return None
    text = ast.unparse(node.func)
    if text not in ("os.environ.get", "os.getenv", "environ.get"):
        return None
    name, default = node.args
    if isinstance(name, ast.Constant) and isinstance(name.value, str) and isinstance(default, ast.Constant):
        return name.value, str(default.value)
    return None


def _number(text: str) -> int:
    text = text.strip()
    return int(text) if text.isdigit() and len(text) <= 5 and 0 < int(text) < 65536 else 0
