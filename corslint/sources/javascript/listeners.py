"""The ports a Node server listens on: `app.listen(3000)`, `server.listen(PORT)` with `const PORT = process.env.PORT
|| 3000`, fastify's `listen({ port: 3000 })`. Only literal numbers are facts; an environment fallback is one with
what it assumes."""

from __future__ import annotations

from typing import Iterator

from corslint.model import Listener

_MAX_DEPTH = 8


def listeners(doc, bindings) -> Iterator[Listener]:  # type: ignore[no-untyped-def]
    from corslint.sources.javascript.syntax import args_of, callee_parts

    for node in doc.nodes():
        if node.type != "call_expression":
            continue
        obj, prop = callee_parts(doc, node)
        if prop != "listen" or not obj:
            continue
        args = args_of(node)
        if not args:
            continue
        port, assumed = _port(doc, bindings, args[0], 0)
        if port:
            yield Listener(doc.path, port, doc.prov(node), "node", assumed)


def _port(doc, bindings, node, depth: int) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    from corslint.sources.javascript.syntax import env_read, object_props, operator, string_value, unwrap

    node = unwrap(node)
    if node is None or depth > _MAX_DEPTH:
        return 0, ""
    if node.type == "number":
        return _number(doc.text(node)), ""
    if node.type == "string":
        return _number(string_value(doc, node) or ""), ""
    if node.type == "identifier":
        target = bindings.lookup(doc.text(node), node)
        return _port(doc, bindings, target, depth + 1) if target is not None and target is not node else (0, "")
    if node.type == "object":
        props = object_props(doc, bindings, node)
        entry = props.get("port") if props is not None else None
        return _port(doc, bindings, entry[1], depth + 1) if entry is not None else (0, "")
    if node.type == "call_expression" and doc.text(node.child_by_field_name("function") or node) in ("Number", "parseInt"):
        args = [c for c in (node.child_by_field_name("arguments") or node).named_children]
        return _port(doc, bindings, args[0], depth + 1) if args else (0, "")
    if node.type == "binary_expression" and operator(doc, node) in ("||", "??"):
        variable = env_read(doc, node.child_by_field_name("left"))
        port, _ = _port(doc, bindings, node.child_by_field_name("right"), depth + 1)
        if variable and port:
            return port, f"{port} while ${variable} is unset"
    return 0, ""


def _number(text: str) -> int:
    text = text.strip()
    return int(text) if text.isdigit() and len(text) <= 5 and 0 < int(text) < 65536 else 0
