"""Python source, shared builders: turn resolved values into model settings, origin rules and wiring facts."""

from __future__ import annotations

import ast
from typing import Callable, Iterator, Optional

from corslint.model import UNKNOWN_OPTION
from corslint.model import (
    ListKind,
    ListSetting,
    OriginKind,
    OriginRule,
    Provenance,
    Setting,
    WiringFact,
)
from corslint.sources.python.module import PyModule
from corslint.sources.spelling import close_name
from corslint.sources.python.values import Evaluator, ModuleEnv, Regex, Req, Val

RequestHook = Callable[[ast.AST], Optional[Req]]


def bool_setting(val: Optional[Val], prov: Optional[Provenance], default: bool, default_prov: Optional[Provenance]) -> Setting:
    if val is None:
        return Setting.known(default, default_prov, default=True)
    if val.known and isinstance(val.value, (bool, int)) and not isinstance(val.value, Req):
        return Setting.known(bool(val.value), prov)
    return Setting.unknown(prov)


def scalar_setting(val: Optional[Val], prov: Optional[Provenance], default: object, default_prov: Optional[Provenance]) -> Setting:
    if val is None:
        if default is None:
            return Setting()
        return Setting.known(default, default_prov, default=True)
    if val.known and isinstance(val.value, (int, str)) and not isinstance(val.value, bool):
        return Setting.known(val.value, prov)
    if val.known and val.value is None:
        return Setting()
    return Setting.unknown(prov)


def list_setting(
    val: Optional[Val],
    prov: Optional[Provenance],
    *,
    default: Optional[tuple[str, ...]] = None,
    default_prov: Optional[Provenance] = None,
    star: ListKind = ListKind.ANY,
) -> ListSetting:
    """A method/header list; `star` says what a `*` item means for this library (ANY or REFLECT)."""
    if val is None:
        if default is None:
            return ListSetting()
        return ListSetting(ListKind.DEFAULT, default, default_prov)
    if not val.known:
        return ListSetting(ListKind.UNKNOWN, (), prov)
    if isinstance(val.value, Req):
        return ListSetting(ListKind.REFLECT, (), prov)
    items: list[str] = []
    provs: list[Provenance] = []
    for item in val.items():
        text = item.text()
        if text is None:
            return ListSetting(ListKind.UNKNOWN, (), prov)
        for part in [p.strip() for p in text.split(",")] if "," in text else [text.strip()]:
            if part:
                items.append(part)
                provs.append(item.prov() or prov)  # type: ignore[arg-type]
    if "*" in items:
        if star is ListKind.REFLECT:
            return ListSetting(ListKind.REFLECT, tuple(items), prov, tuple(provs))
        return ListSetting(ListKind.ANY if items == ["*"] else ListKind.EXPLICIT, tuple(items), prov, tuple(provs))
    return ListSetting(ListKind.EXPLICIT, tuple(items), prov, tuple(provs))


def env_rules(val: Val, context: str, build: "OriginBuilder") -> list[OriginRule]:
    """An environment value: one UNKNOWN rule, plus the fallback's rules marked as such."""
    prov = val.prov(context)
    assert prov is not None
    rules = [OriginRule(OriginKind.UNKNOWN, prov.raw or val.env, prov, note=f"read from the environment variable {val.env}")]
    if val.fallback is not None:
        for item in val.fallback.items():
            for rule in build(item, context):
                rules.append(OriginRule(rule.kind, rule.value, prov, rule.mode, rule.ignore_case, rule.dialect,
                                        rule.note, rule.assumption, env_fallback=val.env))
    return rules


class OriginBuilder:
    """Turns one origin item into rules; subclasses say how `*` and regex strings behave in their library."""

    dialect = "python"

    def __call__(self, item: Val, context: str, owner: Optional[Provenance] = None) -> list[OriginRule]:
        """Rules for `item`; `owner` is the option it was given in, whose text names a lone `*` in messages."""
        prov = item.prov(context)
        if prov is None:
            return []
        if owner is not None and item.text() is not None and item.text().strip() == "*":  # type: ignore[union-attr]
            prov = Provenance(prov.location, owner.raw, context)
        if item.env:
            return env_rules(item, context, self)
        if not item.known:
            return [OriginRule(OriginKind.UNKNOWN, prov.raw, prov, note="computed in a way corslint cannot read")]
        if isinstance(item.value, Regex):
            return [self.pattern(item.value.pattern, prov)]
        if isinstance(item.value, Req):
            return [OriginRule(OriginKind.REFLECT, prov.raw, prov, note="the request's Origin header")]
        if isinstance(item.value, list):
            return [rule for sub in item.value for rule in self(sub, context, owner)]
        text = item.text()
        if text is None:
            return [OriginRule(OriginKind.UNKNOWN, prov.raw, prov)]
        return self.string(text, prov)

    def string(self, text: str, prov: Provenance) -> list[OriginRule]:
        raise NotImplementedError

    def pattern(self, text: str, prov: Provenance) -> OriginRule:
        raise NotImplementedError


def unknown_keywords(call: ast.Call, known: frozenset[str], mod: PyModule, context: str, detail: str = "") -> Iterator[WiringFact]:
    for kw in call.keywords:
        if kw.arg is not None and kw.arg not in known:
            yield WiringFact(UNKNOWN_OPTION, mod.prov(kw, context), detail, kw.arg, close_name(kw.arg, known, 0.6))


def local_names(env: ModuleEnv, function: Optional[ast.AST], request_value: Optional[RequestHook] = None) -> dict[str, Val]:
    """Module names plus the simple assignments of a function body, in source order (last wins)."""
    names = dict(env.names)
    if function is None:
        return names
    evaluate = Evaluator(env.mod, names, request_value)
    assigns = sorted(
        (n for n in ast.walk(function) if isinstance(n, (ast.Assign, ast.AnnAssign)) and n is not function),
        key=lambda n: (n.lineno, n.col_offset),
    )
    for node in assigns:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        for target in targets:
            if isinstance(target, ast.Name) and node.value is not None:
                names[target.id] = evaluate(node.value)
    return names


def functions_and_module(tree: ast.Module) -> list[tuple[Optional[ast.AST], ast.AST]]:
    """(enclosing function or None, node) for every node, the function being the innermost def around it.

    Several extractors walk the same module, so the list is built once and kept on the tree.
    """
    cached = getattr(tree, _OWNERS, None)
    if cached is not None:
        return cached
    found: list[tuple[Optional[ast.AST], ast.AST]] = []
    stack: list[tuple[Optional[ast.AST], ast.AST]] = [(None, tree)]
    while stack:
        owner, node = stack.pop()
        for child in ast.iter_child_nodes(node):
            inner = child if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)) else owner
            found.append((owner, child))
            stack.append((inner, child))
    setattr(tree, _OWNERS, found)
    return found


_OWNERS = "_corslint_owners"



def route_paths(func: ast.AST) -> tuple[str, ...]:
    """The paths of a Flask view's `@app.route(...)`/`@bp.route(...)` decorators."""
    paths = []
    for decorator in getattr(func, "decorator_list", []):
        if isinstance(decorator, ast.Call) and isinstance(decorator.func, ast.Attribute) and decorator.func.attr == "route":
            if decorator.args and isinstance(decorator.args[0], ast.Constant) and isinstance(decorator.args[0].value, str):
                paths.append(decorator.args[0].value)
    return tuple(paths)
