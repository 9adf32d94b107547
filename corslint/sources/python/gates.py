"""Python source, origin gates: `if` tests of the request's Origin that decide access (reject, allow, log) rather
than what Access-Control-Allow-Origin says — `origin.startswith(...)`, `origin.endswith(...)`, `'x' in origin`,
`origin == ...`, `origin in ALLOWED`, `re.match(pattern, origin)` — stated as origin rules for the origin checks."""

from __future__ import annotations

import ast
import re
from typing import Iterator, Optional

from corslint.model import CorsPolicy, MatchMode, OriginKind, OriginRule
from corslint.sources.python.common import local_names
from corslint.sources.python.manual import label, request_value
from corslint.sources.python.module import PyModule
from corslint.sources.python.values import Evaluator, ModuleEnv, Req, Val, dotted

_NOTE = "`{test}` tests the request's Origin; it is an access gate, not a CORS header"
_RE_MODES = {"match": MatchMode.MATCH, "search": MatchMode.SEARCH, "fullmatch": MatchMode.FULLMATCH}


def extract_gates(mod: PyModule, env: ModuleEnv) -> list[CorsPolicy]:
    """One policy per function whose `if` statements test the Origin without deciding a CORS header."""
    policies = []
    source = label(mod)
    for func in [n for n in ast.walk(mod.tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]:
        evaluate = Evaluator(mod, local_names(env, func, request_value), request_value)
        gates = [rule for test in _tests(func) for rule in _rules(mod, evaluate, test)]
        if gates:
            scope = f"{func.name}()"
            policies.append(CorsPolicy(source, scope, mod.location(func), gates=gates))
    return policies


def _tests(func: ast.AST) -> Iterator[ast.expr]:
    """The conditions of the function's own `if` statements whose branches write no Access-Control header."""
    for node in ast.walk(func):
        if isinstance(node, ast.If) and node is not func:
            branches = ast.Module(body=node.body + node.orelse, type_ignores=[])
            if not any(isinstance(c, ast.Constant) and isinstance(c.value, str) and c.value.lower().startswith("access-control-")
                       for c in ast.walk(branches)):
                yield node.test


def _is_origin(evaluate: Evaluator, node: ast.AST) -> bool:
    value: Val = evaluate(node)
    return value.known and value.value == Req("origin")


def _rules(mod: PyModule, evaluate: Evaluator, test: ast.expr) -> Iterator[OriginRule]:
    for node in ast.walk(test):
        rule = _comparison(mod, evaluate, node)
        if rule is not None:
            yield rule


def _comparison(mod: PyModule, evaluate: Evaluator, node: ast.AST) -> Optional[OriginRule]:
    prov = mod.prov(node, "origin gate")
    note = _NOTE.format(test=prov.raw)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.args:
        method = node.func.attr
        if method in ("startswith", "endswith") and _is_origin(evaluate, node.func.value):
            text = evaluate(node.args[0]).text()
            if text is None:
                return None
            pattern = "^" + re.escape(text) if method == "startswith" else re.escape(text) + "$"
            return OriginRule(OriginKind.PATTERN, pattern, prov, MatchMode.SEARCH, False, "python", note=note)
        if dotted(node.func) in ("re.match", "re.search", "re.fullmatch") and len(node.args) >= 2 and _is_origin(evaluate, node.args[1]):
            text = evaluate(node.args[0]).text()
            ignore_case = any("IGNORECASE" in dotted(a) or dotted(a).endswith(".I") for a in node.args[2:])
            if text is None:
                return None
            return OriginRule(OriginKind.PATTERN, text, prov, _RE_MODES[node.func.attr], ignore_case, "python", note=note)
    if isinstance(node, ast.Compare) and len(node.ops) == 1:
        left, right, op = node.left, node.comparators[0], node.ops[0]
        if isinstance(op, (ast.In, ast.NotIn)) and _is_origin(evaluate, right):
            text = evaluate(left).text()  # `'example.com' in origin`: a substring test
            if text is not None:
                return OriginRule(OriginKind.PATTERN, re.escape(text), prov, MatchMode.SEARCH, False, "python", note=note)
        if isinstance(op, (ast.Eq, ast.NotEq)) and (_is_origin(evaluate, left) or _is_origin(evaluate, right)):
            text = evaluate(right if _is_origin(evaluate, left) else left).text()
            if text is not None:
                return OriginRule(OriginKind.EXACT, text, prov, note=note)
    return None
