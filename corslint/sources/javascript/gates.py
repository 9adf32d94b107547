"""JavaScript/TypeScript origin gates: `if` statements that reject a request (403, an error, `throw`) by testing its
Origin — `if (!allowed.includes(req.headers.origin)) return res.sendStatus(403)` — rather than deciding what
Access-Control-Allow-Origin says. The origins that pass are stated as gate rules for the origin checks."""

from __future__ import annotations

import re
from typing import Optional

from corslint.lazy_regex import lazy
from corslint.model import CorsPolicy, OriginKind
from corslint.records import replace
from corslint.sources.javascript.origins import Guards, OriginReader, is_origin_expression
from corslint.sources.javascript.syntax import Bindings, Doc, Node, is_function, walk

_REJECTS = lazy(r"\b(?:40[013]|429)\b|\bthrow\b|new\s+\w*Error\b|\bForbidden", re.IGNORECASE)
_NOTE = "`{test}` tests the request's Origin and rejects the others; it is an access gate, not a CORS header"


def gate_policies(doc: Doc, bindings: Bindings) -> list[CorsPolicy]:
    """One policy per rejecting Origin test outside CORS origin callbacks (which the library policies read)."""
    found: list[CorsPolicy] = []
    candidates = []
    for node in doc.nodes():
        if node.type == "if_statement":
            condition = node.child_by_field_name("condition")
            # the name tells first: following every condition's bindings through a large file costs too much
            if condition is not None and b"origin" in doc.data[condition.start_byte : condition.end_byte].lower():
                candidates.append((node, condition))
    if not candidates:
        return found
    reader = OriginReader(doc, bindings, "node", "origin gate")
    guards = Guards(reader, lambda n: is_origin_expression(doc, bindings, n))
    for node, condition in candidates:
        if not any(is_origin_expression(doc, bindings, n) for n in walk(condition)) or _in_origin_callback(doc, node):
            continue  # the condition must read the request's Origin itself (directly or through a variable)
        consequence, alternative = node.child_by_field_name("consequence"), node.child_by_field_name("alternative")
        branches = [b for b in (consequence, alternative) if b is not None]
        if any(b"access-control-" in doc.data[b.start_byte : b.end_byte].lower() for b in branches):
            continue  # a CORS header decided here: the manual-header policies read it
        rejects = consequence is not None and _REJECTS.search(doc.text(consequence)) is not None
        if not rejects and not (alternative is not None and _REJECTS.search(doc.text(alternative))):
            continue
        passing = guards.allowed(condition, not rejects)
        rules = [r for r in passing or [] if r.kind in (OriginKind.EXACT, OriginKind.PATTERN, OriginKind.NULL)]
        if not rules:
            continue
        note = _NOTE.format(test=doc.raw(condition))
        scope = f"if ({doc.raw(condition)}) at line {node.start_point[0] + 1}"
        found.append(CorsPolicy("node", scope, doc.location(condition), gates=[replace(r, note=note) for r in rules]))
    return found


def _origin_callback(doc: Doc, function: Node) -> bool:
    """`origin: (origin, callback) => …` or any function whose first parameter is the origin it is asked about."""
    parent = function.parent
    if parent is not None and parent.type == "pair":
        key = parent.child_by_field_name("key")
        if key is not None and doc.text(key).strip("'\"") == "origin":
            return True
    params = function.child_by_field_name("parameters")
    first = params.named_children[0] if params is not None and params.named_children else function.child_by_field_name("parameter")
    return first is not None and doc.text(first).split(":")[0].strip() == "origin"


def _in_origin_callback(doc: Doc, node: Node) -> bool:
    current: Optional[Node] = node.parent
    while current is not None:
        if is_function(current) and _origin_callback(doc, current):
            return True
        current = current.parent
    return False
