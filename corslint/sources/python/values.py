"""Python source, values: static resolution of constants, lists, concatenations, environment lookups and
`from .base import *` between modules of the scanned tree, without running anything."""

from __future__ import annotations

import ast
import os
from pathlib import Path
from typing import Any, Callable, Iterator, Optional

from corslint.model import Provenance, Related
from corslint.records import field, record, replace
from corslint.workspace import Workspace
from corslint.sources.python.module import PyModule, parse_module

DJANGO_DEFAULT_HEADERS = ("accept", "authorization", "content-type", "user-agent", "x-csrftoken", "x-requested-with")
DJANGO_DEFAULT_METHODS = ("DELETE", "GET", "OPTIONS", "PATCH", "POST", "PUT")
_KNOWN_IMPORTS = {
    ("corsheaders.defaults", "default_headers"): DJANGO_DEFAULT_HEADERS,
    ("corsheaders.defaults", "default_methods"): DJANGO_DEFAULT_METHODS,
}
_ENV_FUNCS = {"getenv", "get_env", "env", "config"}
_ENV_METHODS = {"list", "str", "bool", "int", "tuple", "json", "get_value"}
_LIST_MUTATORS = {"append", "extend", "insert"}


@record(frozen=True)
class Req:
    """A value read from the request: `origin` or an `access-control-request-*` header."""

    header: str


@record(frozen=True)
class Regex:
    """A compiled pattern, `re.compile(text)`."""

    pattern: str


@record(frozen=True)
class Namespace:
    """The attributes of a module (`import config`) or a class body (`class Config:`), each a `Val`."""

    kind: str  # "module" or "class"
    name: str
    names: dict[str, "Val"]
    statements: dict[str, tuple[PyModule, ast.stmt]] = field(default_factory=dict)  # where each name is set


@record
class Val:
    """A statically resolved value. Lists hold `Val` items; dicts map constant keys to `Val`.

    `env` names the environment variable the value comes from (then `known` is False) and
    `fallback` is what applies while it is unset. `via` holds the imports that brought a value written in
    another module here, the one in this module first.
    """

    value: Any = None
    known: bool = False
    node: Optional[ast.AST] = None
    mod: Optional[PyModule] = None
    env: str = ""
    fallback: Optional["Val"] = None
    via: tuple[Related, ...] = ()

    def prov(self, context: str = "") -> Optional[Provenance]:
        if self.node is None or self.mod is None:
            return None
        prov = self.mod.prov(self.node, context)
        return prov.with_related(*self.via) if self.via else prov

    @property
    def is_list(self) -> bool:
        return self.known and isinstance(self.value, list)

    def items(self) -> list["Val"]:
        """A string or a list as a list of items (a comma-separated string is not split)."""
        if self.is_list:
            return list(self.value)
        return [self]

    def text(self) -> Optional[str]:
        return self.value if self.known and isinstance(self.value, str) else None


def unknown(node: Optional[ast.AST], mod: Optional[PyModule]) -> Val:
    return Val(None, False, node, mod)


def dotted(node: ast.AST) -> str:
    """`a.b.c` for a Name/Attribute chain, "" otherwise."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return ""


def keyword(call: ast.Call, name: str) -> Optional[ast.keyword]:
    return next((kw for kw in call.keywords if kw.arg == name), None)


class Evaluator:
    """Evaluates expressions of one module against a name table (module constants, then local names)."""

    def __init__(self, mod: PyModule, names: dict[str, Val], request_value: Optional[Callable[[ast.AST], Optional[Req]]] = None):
        self.mod = mod
        self.names = names
        self.request_value = request_value

    def __call__(self, node: Optional[ast.AST]) -> Val:
        if node is None:
            return unknown(None, self.mod)
        try:
            return self._eval(node)
        except RecursionError:
            return unknown(node, self.mod)

    def _known(self, value: Any, node: ast.AST) -> Val:
        return Val(value, True, node, self.mod)

    def _eval(self, node: ast.AST) -> Val:
        if self.request_value is not None:
            req = self.request_value(node)
            if req is not None:
                return self._known(req, node)
        if isinstance(node, ast.Constant):
            return self._known(node.value, node)
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            return self._sequence(node)
        if isinstance(node, ast.Dict):
            return self._dict(node)
        if isinstance(node, ast.Name):
            found = self.names.get(node.id)
            return found if found is not None else unknown(node, self.mod)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            return self._add(node, self._eval(node.left), self._eval(node.right))
        if isinstance(node, ast.JoinedStr):
            return self._fstring(node)
        if isinstance(node, ast.Subscript):
            return self._subscript(node)
        if isinstance(node, ast.Attribute):
            base = self._eval(node.value)
            if base.known and isinstance(base.value, Namespace):
                return base.value.names.get(node.attr) or unknown(node, self.mod)
            return unknown(node, self.mod)
        if isinstance(node, ast.Call):
            return self._call(node)
        if isinstance(node, ast.ListComp):
            return self._comprehension(node)
        return unknown(node, self.mod)

    def _sequence(self, node: ast.AST) -> Val:
        items: list[Val] = []
        for element in node.elts:  # type: ignore[attr-defined]
            if isinstance(element, ast.Starred):
                inner = self._eval(element.value)
                if not inner.is_list:
                    return unknown(node, self.mod)
                items.extend(inner.value)
            else:
                items.append(self._eval(element))
        return self._known(items, node)

    def _dict(self, node: ast.Dict) -> Val:
        result: dict[Any, Val] = {}
        for key, value in zip(node.keys, node.values):
            if key is None:
                inner = self._eval(value)
                if inner.known and isinstance(inner.value, dict):
                    result.update(inner.value)
                continue
            key_val = self._eval(key)
            if key_val.known and isinstance(key_val.value, (str, int, bool)):
                result[key_val.value] = self._eval(value)
        return self._known(result, node)

    def _add(self, node: ast.AST, left: Val, right: Val) -> Val:
        if left.known and right.known:
            if isinstance(left.value, list) and isinstance(right.value, list):
                return self._known(left.value + right.value, node)
            if isinstance(left.value, str) and isinstance(right.value, str):
                return self._known(left.value + right.value, node)
        for side, other in ((left, right), (right, left)):
            if side.env and side.fallback is not None:
                fallback = self._add(node, side.fallback, other) if side is left else self._add(node, other, side.fallback)
                return Val(None, False, node, self.mod, side.env, fallback if fallback.known else None)
        return unknown(node, self.mod)

    def _fstring(self, node: ast.JoinedStr) -> Val:
        parts = []
        for value in node.values:
            if isinstance(value, ast.Constant):
                parts.append(str(value.value))
                continue
            inner = self._eval(value.value) if isinstance(value, ast.FormattedValue) else unknown(value, self.mod)
            if not inner.known or isinstance(inner.value, (list, dict, Req)):
                return unknown(node, self.mod)
            parts.append(str(inner.value))
        return self._known("".join(parts), node)

    def _subscript(self, node: ast.Subscript) -> Val:
        if dotted(node.value) in ("os.environ", "environ"):
            name = self._eval(node.slice)
            return Val(None, False, node, self.mod, name.text() or "?")
        base = self._eval(node.value)
        if base.known and isinstance(base.value, (dict, list)):
            key = self._eval(node.slice)
            if key.known and isinstance(key.value, (str, int)) and not isinstance(key.value, bool):
                try:
                    found = base.value[key.value]
                except (KeyError, IndexError):
                    found = None
                if isinstance(found, Val):
                    return found
        return unknown(node, self.mod)

    def _call(self, node: ast.Call) -> Val:
        func = node.func
        name = dotted(func)
        if name in ("list", "tuple", "set", "sorted") and len(node.args) == 1:
            inner = self._eval(node.args[0])
            return self._known(list(inner.value), node) if inner.is_list else inner
        if name in ("re.compile", "compile") and node.args:
            text = self._eval(node.args[0]).text()
            return self._known(Regex(text), node) if text is not None else unknown(node, self.mod)
        if self._is_env_call(node, name):
            return self._env(node)
        if isinstance(func, ast.Attribute) and func.attr in ("split", "strip", "lower", "rstrip"):
            return self._string_method(node, func)
        return unknown(node, self.mod)

    @staticmethod
    def _is_env_call(node: ast.Call, name: str) -> bool:
        last = name.rsplit(".", 1)[-1]
        if name in ("os.environ.get", "environ.get", "os.getenv", "getenv", "os.environ.setdefault"):
            return True
        if last in _ENV_FUNCS and name.count(".") <= 1 and node.args:
            return name in _ENV_FUNCS or name.startswith(("env.", "environ.")) or name == "decouple.config"
        return name.startswith("env.") and last in _ENV_METHODS and bool(node.args)

    def _env(self, node: ast.Call) -> Val:
        variable = self._eval(node.args[0]).text() if node.args else None
        default_node = node.args[1] if len(node.args) > 1 else None
        kw = keyword(node, "default")
        if kw is not None:
            default_node = kw.value
        fallback = self._eval(default_node) if default_node is not None else None
        cast = keyword(node, "cast")
        if fallback is not None and fallback.text() is not None:
            if (cast is not None and "Csv" in ast.dump(cast.value)) or dotted(node.func).endswith(".list"):
                fallback = self._split(fallback, ",", node)
        if fallback is not None and not fallback.known:
            fallback = None
        return Val(None, False, node, self.mod, variable or "?", fallback)

    def _string_method(self, node: ast.Call, func: ast.Attribute) -> Val:
        target = self._eval(func.value)
        if target.env:
            fallback = None
            if target.fallback is not None:
                fallback = self._apply(node, func.attr, target.fallback)
            return Val(None, False, node, self.mod, target.env, fallback if fallback and fallback.known else None)
        return self._apply(node, func.attr, target)

    def _apply(self, node: ast.Call, method: str, target: Val) -> Val:
        text = target.text()
        if text is None:
            return unknown(node, self.mod)
        if method == "split":
            sep = self._eval(node.args[0]).text() if node.args else None
            return self._split(target, sep, node)
        return Val(getattr(text, method)(), True, target.node, self.mod)

    def _split(self, target: Val, sep: Optional[str], node: ast.AST) -> Val:
        text = target.text() or ""
        parts = text.split(sep) if sep else text.split()
        return Val([Val(part, True, target.node, target.mod) for part in parts], True, target.node, target.mod)

    def _comprehension(self, node: ast.ListComp) -> Val:
        if len(node.generators) != 1:
            return unknown(node, self.mod)
        source = self._eval(node.generators[0].iter)
        if source.env:
            return Val(None, False, node, self.mod, source.env, source.fallback)
        if not source.is_list:
            return unknown(node, self.mod)
        element = node.elt
        if isinstance(element, ast.Call) and isinstance(element.func, ast.Attribute) and element.func.attr in ("strip", "lower"):
            element = element.func.value
        target = node.generators[0].target
        if isinstance(element, ast.Name) and isinstance(target, ast.Name) and element.id == target.id:
            return self._known(list(source.value), node)
        return unknown(node, self.mod)


@record
class ModuleEnv:
    """The module-level names of one module after its last statement, and where each was last set."""

    mod: PyModule
    names: dict[str, Val] = field(default_factory=dict)
    statements: dict[str, tuple[PyModule, ast.stmt]] = field(default_factory=dict)
    star_imports: list[PyModule] = field(default_factory=list)

    def setting_prov(self, name: str, context: str = "") -> Optional[Provenance]:
        found = self.statements.get(name)
        return found[0].prov(found[1], context) if found else None


class ModuleLoader:
    """Parses modules of the scanned tree on demand and builds their environments, following imports inside the tree."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self.modules: dict[str, PyModule] = {}
        self.envs: dict[str, ModuleEnv] = {}
        self._building: set[str] = set()

    def add(self, mod: PyModule) -> None:
        self.modules[mod.path] = mod

    def env(self, mod: PyModule) -> ModuleEnv:
        cached = self.envs.get(mod.path)
        if cached is not None:
            return cached
        env = ModuleEnv(mod)
        if mod.path in self._building:
            return env
        self._building.add(mod.path)
        try:
            for statement in _flatten(mod.tree.body):
                self._statement(env, statement)
        finally:
            self._building.discard(mod.path)
        self.envs[mod.path] = env
        return env

    def _statement(self, env: ModuleEnv, node: ast.stmt) -> None:
        evaluate = Evaluator(env.mod, env.names)
        if isinstance(node, ast.Assign):
            value = evaluate(node.value)
            for target in node.targets:
                if isinstance(target, ast.Name):
                    self._bind(env, target.id, value, node)
        elif isinstance(node, ast.AnnAssign) and node.value is not None and isinstance(node.target, ast.Name):
            self._bind(env, node.target.id, evaluate(node.value), node)
        elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name) and isinstance(node.op, ast.Add):
            current = env.names.get(node.target.id, unknown(node.target, env.mod))
            self._bind(env, node.target.id, evaluate._add(node, current, evaluate(node.value)), node)
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
            self._mutation(env, node, node.value, evaluate)
        elif isinstance(node, ast.ImportFrom):
            self._import_from(env, node)
        elif isinstance(node, ast.Import):
            self._import(env, node)
        elif isinstance(node, ast.ClassDef):
            self._bind(env, node.name, self._class(env, node), node)

    @staticmethod
    def _bind(env: ModuleEnv, name: str, value: Val, node: ast.stmt) -> None:
        env.names[name] = value
        env.statements[name] = (env.mod, node)

    def _mutation(self, env: ModuleEnv, node: ast.stmt, call: ast.Call, evaluate: Evaluator) -> None:
        func = call.func
        if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.attr in _LIST_MUTATORS):
            return
        name = func.value.id
        current = env.names.get(name)
        if current is None:
            return
        if not current.is_list:
            self._bind(env, name, unknown(node, env.mod), node)
            return
        items = list(current.value)
        if func.attr == "append" and len(call.args) == 1:
            items.append(evaluate(call.args[0]))
        elif func.attr == "insert" and len(call.args) == 2:
            index = evaluate(call.args[0])
            position = index.value if index.known and isinstance(index.value, int) else len(items)
            items.insert(position, evaluate(call.args[1]))
        elif func.attr == "extend" and len(call.args) == 1 and evaluate(call.args[0]).is_list:
            items.extend(evaluate(call.args[0]).value)
        else:
            self._bind(env, name, unknown(node, env.mod), node)
            return
        self._bind(env, name, Val(items, True, current.node, current.mod), node)

    def _class(self, env: ModuleEnv, node: ast.ClassDef) -> Val:
        """A class body's plain attributes on top of those of its bases that are known classes."""
        names: dict[str, Val] = {}
        statements: dict[str, tuple[PyModule, ast.stmt]] = {}
        for base in reversed(node.bases):
            inherited = Evaluator(env.mod, env.names)(base)
            if inherited.known and isinstance(inherited.value, Namespace) and inherited.value.kind == "class":
                names.update(inherited.value.names)
                statements.update(inherited.value.statements)
        scope = dict(env.names)
        evaluate = Evaluator(env.mod, scope)
        for statement in node.body:
            if isinstance(statement, ast.Assign):
                targets, value = statement.targets, evaluate(statement.value)
            elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
                targets, value = [statement.target], evaluate(statement.value)
            else:
                continue
            for target in targets:
                if isinstance(target, ast.Name):
                    names[target.id] = scope[target.id] = value
                    statements[target.id] = (env.mod, statement)
        return Val(Namespace("class", node.name, names, statements), True, node, env.mod)

    def _import(self, env: ModuleEnv, node: ast.Import) -> None:
        """`import config` and `import app.config as cfg`: a module of the tree, read as a namespace."""
        for alias in node.names:
            if alias.asname is None and "." in alias.name:
                continue  # `import a.b` binds `a`; its attributes are not followed
            target = self.resolve(env.mod, alias.name, 0)
            if target is not None:
                bound = alias.asname or alias.name
                self._bind(env, bound, self.namespace(target, env, node), node)

    def namespace(self, target: PyModule, env: ModuleEnv, node: ast.stmt) -> Val:
        """Module `target` as a value of `env`'s module, its names marked as imported by `node`."""
        other = self.env(target)
        step = _import_step(env.mod, node, target.path)
        names = {name: _through(value, step) for name, value in other.names.items()}
        return Val(Namespace("module", target.path, names, dict(other.statements)), True, node, env.mod)

    def _import_from(self, env: ModuleEnv, node: ast.ImportFrom) -> None:
        for alias in node.names:
            default = _KNOWN_IMPORTS.get((node.module or "", alias.name))
            if default is not None:
                constant = Val([Val(item, True, node, env.mod) for item in default], True, node, env.mod)
                self._bind(env, alias.asname or alias.name, constant, node)
        target = self.resolve(env.mod, node.module or "", node.level)
        if target is None:
            return
        other = self.env(target)
        step = _import_step(env.mod, node, target.path)
        for alias in node.names:
            if alias.name == "*":
                env.star_imports.append(target)
                env.names.update(other.names)
                env.statements.update(other.statements)
            elif alias.name in other.names:
                env.names[alias.asname or alias.name] = _through(other.names[alias.name], step)
                env.statements[alias.asname or alias.name] = other.statements[alias.name]
            else:
                submodule = self.resolve(env.mod, ".".join(p for p in (node.module or "", alias.name) if p), node.level)
                if submodule is not None and submodule is not target:
                    self._bind(env, alias.asname or alias.name, self.namespace(submodule, env, node), node)

    def resolve(self, mod: PyModule, module: str, level: int) -> Optional[PyModule]:
        """The module `from <level dots><module> import ...` names, if it is a file of the scanned tree."""
        if mod.abs_path is None:
            return None
        parts = [p for p in module.split(".") if p]
        if level:
            base = mod.abs_path.parent
            for _ in range(level - 1):
                base = base.parent
            return self._first(_candidates(base, parts))
        if not parts:
            return None
        found: list[Path] = []
        for ancestor in list(mod.abs_path.parents)[:6]:
            found.extend(_candidates(ancestor, parts))
        return self._first(found)

    def _first(self, candidates: list[Path]) -> Optional[PyModule]:
        for path in candidates:
            if path.is_file() and self.workspace.inside(path):
                return self._load(path)
        return None

    def _load(self, path: Path) -> Optional[PyModule]:
        try:
            source_file = self.workspace.open_file(path)
            data = source_file.read()
        except (OSError, PermissionError, Exception):
            return None
        cached = self.modules.get(source_file.path)
        if cached is not None:
            return cached
        parsed = parse_module(source_file.path, data, Path(os.path.realpath(path)))
        if not isinstance(parsed, PyModule):
            return None
        self.modules[parsed.path] = parsed
        return parsed


def _import_step(mod: PyModule, node: ast.stmt, imported: str) -> Related:
    return Related(mod.location(node), f"imported from `{imported}` here")


def _through(value: Val, step: Related, depth: int = 0) -> Val:
    """`value` as seen through one more import: it and its items name `step` among the places that explain it."""
    if value.mod is None or depth > 3:
        return value
    inner = value.value
    if value.known and isinstance(inner, list):
        inner = [_through(item, step, depth + 1) for item in inner]
    elif value.known and isinstance(inner, dict):
        inner = {key: _through(item, step, depth + 1) for key, item in inner.items()}
    elif value.known and isinstance(inner, Namespace):
        inner = replace(inner, names={key: _through(item, step, depth + 1) for key, item in inner.names.items()})
    return replace(value, value=inner, via=(step,) + value.via)


def _candidates(base: Path, parts: list[str]) -> list[Path]:
    if not parts:
        return [base / "__init__.py"]
    folder = base.joinpath(*parts)
    return [folder.with_suffix(".py") if len(parts) else folder, folder / "__init__.py"]


def _flatten(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Module-level statements, entering `if`/`try`/`with` blocks (a later assignment wins)."""
    for node in body:
        if isinstance(node, ast.If):
            yield from _flatten(node.body)
            yield from _flatten(node.orelse)
        elif isinstance(node, ast.Try):
            yield from _flatten(node.body)
            yield from _flatten(node.orelse)
            yield from _flatten(node.finalbody)
        elif isinstance(node, ast.With):
            yield from _flatten(node.body)
        else:
            yield node
