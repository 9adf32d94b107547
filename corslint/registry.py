"""Finds rules, sources and reporters: the built-in ones and those that plugins register through entry points."""

from __future__ import annotations

import importlib
import inspect
import re
from functools import lru_cache
import os
import sys
from typing import Any, Callable, Iterable

from corslint.lazy_regex import lazy
from corslint.records import field, record
from corslint.rule import Rule
from corslint.sources.base import Source

RULE_GROUP = "corslint.rules"
SOURCE_GROUP = "corslint.sources"
REPORTER_GROUP = "corslint.reporters"

CODE_RE = lazy(r"^[A-Z]{3,}[0-9]{3}$")
NAME_RE = lazy(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")

BUILTIN_SOURCES: dict[str, str] = {
    "kubernetes": "corslint.sources.kubernetes:KubernetesSource",
    "traefik": "corslint.sources.traefik:TraefikSource",
    "nginx": "corslint.sources.nginx:NginxSource",
    "javascript": "corslint.sources.javascript:JavaScriptSource",
    "apache": "corslint.sources.apache:ApacheSource",
    "python": "corslint.sources.python:PythonSource",
    "python-deps": "corslint.sources.python:PythonDepsSource",
    "deploy": "corslint.sources.deploy:DeploySource",
}
# each built-in source's name rule (its `may_claim`) and whether its `claims` reads the first bytes: enough for
# discovery, so a source is imported only when a file may be its kind
BUILTIN_NAME_RULES: dict[str, tuple[str, bool]] = {
    "kubernetes": ("corslint.sources.kubernetes.names:may_claim", True),
    "traefik": ("corslint.sources.traefik.names:may_claim", True),
    "nginx": ("corslint.sources.nginx.names:may_claim", True),
    "javascript": ("corslint.sources.javascript.names:may_claim", False),
    "apache": ("corslint.sources.apache.names:may_claim", True),
    "python": ("corslint.sources.python.names:may_claim_code", False),
    "python-deps": ("corslint.sources.python.names:may_claim_dependencies", False),
    "deploy": ("corslint.sources.deploy.names:may_claim", False),
}


class LazySource:
    """A built-in source, standing in with its name rule until anything else is asked of it; then the source's
    module is imported and the source answers."""

    def __init__(self, name: str, spec: str, may_claim: Callable[[str], bool], reads_head: bool) -> None:
        self.name = name
        self.reads_head = reads_head
        self.may_claim = may_claim
        self._spec = spec
        self._source: Source | None = None

    def loaded(self) -> Source:
        if self._source is None:
            self._source = load_source(self._spec)
        return self._source

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("__") or attr in ("_spec", "_source"):
            raise AttributeError(attr)
        return getattr(self.loaded(), attr)

    def __repr__(self) -> str:
        return f"<{self.name} source{'' if self._source is not None else ', not loaded yet'}>"


class RegistryError(Exception):
    """A plugin or built-in registration is invalid (duplicate code, bad name); a usage error (exit 2)."""


@record
class Registry:
    rules: list[type[Rule]] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    reporters: dict[str, Callable[..., str]] = field(default_factory=dict)

    def rule(self, code: str) -> type[Rule] | None:
        for rule in self.rules:
            if rule.code == code:
                return rule
        return None

    def source(self, name: str) -> Source | None:
        for source in self.sources:
            if source.name == name:
                return source
        return None


def _rules_in_module(module: Any) -> list[type[Rule]]:
    found = [
        obj
        for obj in vars(module).values()
        if isinstance(obj, type) and issubclass(obj, Rule) and obj is not Rule
        and obj.__module__ == module.__name__ and hasattr(obj, "code")
    ]
    return sorted(found, key=lambda rule: rule.__name__)


def builtin_rules() -> list[type[Rule]]:
    import corslint.checks as package

    found: list[type[Rule]] = []
    for name in _check_modules(package.__path__):
        found.extend(_rules_in_module(importlib.import_module(f"{package.__name__}.{name}")))
    return found


def _check_modules(paths: Iterable[str]) -> list[str]:
    """The public modules of the checks package, sorted: a folder listing (pkgutil only for a zipped install)."""
    names: set[str] = set()
    for path in paths:
        try:
            entries = os.listdir(path)
        except OSError:
            import pkgutil

            names.update(info.name for info in pkgutil.iter_modules([path]))
            continue
        names.update(entry[:-3] for entry in entries if entry.endswith(".py") and entry != "__init__.py")
    return sorted(name for name in names if not name.startswith("_"))


def _load_object(spec: str) -> Any:
    module_name, _, attr = spec.partition(":")
    obj = importlib.import_module(module_name)
    for part in attr.split(".") if attr else ():
        obj = getattr(obj, part)
    return obj


@lru_cache(maxsize=1)
def _installed_entry_points() -> dict[str, list[tuple[str, str]]]:
    """Entry points of every installed distribution, read straight from `entry_points.txt`.

    importlib.metadata gives the same answer but costs ~40 ms of imports on every start, which
    is most of a pre-commit run's budget. As importlib does, the first distribution of a name
    on sys.path wins.
    """
    groups: dict[str, list[tuple[str, str]]] = {}
    seen: set[str] = set()
    for folder in sys.path:
        try:
            names = sorted(os.listdir(folder or "."))
        except OSError:
            continue
        for name in names:
            if not name.endswith((".dist-info", ".egg-info")):
                continue
            dist = re.sub(r"[-_.]+", "-", name.rsplit(".", 1)[0].split("-", 1)[0]).lower()
            if dist in seen:
                continue
            seen.add(dist)
            try:
                with open(os.path.join(folder or ".", name, "entry_points.txt"), encoding="utf-8") as handle:
                    text = handle.read()
            except OSError:
                continue
            _parse_entry_points(text, groups)
    return groups


def _parse_entry_points(text: str, groups: dict[str, list[tuple[str, str]]]) -> None:
    group = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            group = line[1:-1].strip()
        elif "=" in line and group.startswith("corslint."):
            key, _, value = line.partition("=")
            groups.setdefault(group, []).append((key.strip(), value.split("[", 1)[0].strip()))


def _plugin_objects(group: str) -> Iterable[tuple[str, Any]]:
    for name, value in sorted(_installed_entry_points().get(group, [])):
        try:
            yield name, _load_object(value)
        except Exception as exc:  # a broken plugin is a usage error, not a traceback
            raise RegistryError(f"plugin entry point {name!r} ({value}) in group {group} failed to load: {exc}") from exc


def _as_rules(name: str, obj: Any) -> list[type[Rule]]:
    if inspect.isclass(obj) and issubclass(obj, Rule):
        return [obj]
    if inspect.ismodule(obj):
        return _rules_in_module(obj)
    if isinstance(obj, (list, tuple)):
        return [rule for item in obj for rule in _as_rules(name, item)]
    raise RegistryError(f"plugin entry point {name!r} in {RULE_GROUP} is not a Rule subclass, a module or a list of them")


def validate_rules(rules: list[type[Rule]]) -> None:
    by_code: dict[str, type[Rule]] = {}
    by_name: dict[str, type[Rule]] = {}
    for rule in rules:
        origin = f"{rule.__module__}.{rule.__qualname__}"
        if not CODE_RE.match(getattr(rule, "code", "")):
            raise RegistryError(f"rule {origin} has an invalid code {getattr(rule, 'code', None)!r} (expected e.g. CORS101)")
        if not NAME_RE.match(getattr(rule, "name", "")):
            raise RegistryError(f"rule {origin} has an invalid name {getattr(rule, 'name', None)!r} (expected kebab-case)")
        for key, table in ((rule.code, by_code), (rule.name, by_name)):
            other = table.get(key)
            if other is not None and other is not rule:
                raise RegistryError(
                    f"duplicate rule {key!r}: defined by {other.__module__}.{other.__qualname__} and {origin}"
                )
            table[key] = rule


def builtin_source(name: str) -> LazySource:
    rule, reads_head = BUILTIN_NAME_RULES[name]
    return LazySource(name, BUILTIN_SOURCES[name], _load_object(rule), reads_head)


def load_source(spec: str) -> Source:
    cls = _load_object(spec)
    return cls()


@lru_cache(maxsize=1)
def load(plugins: bool = True) -> Registry:
    """Built-ins plus installed plugins. Raises RegistryError on any conflict."""
    rules = builtin_rules()
    sources: list[Any] = [builtin_source(name) for name in BUILTIN_SOURCES]
    from corslint.reporters import REPORTERS

    reporters: dict[str, Callable[..., str]] = dict(REPORTERS)
    if plugins:
        for name, obj in _plugin_objects(RULE_GROUP):
            rules.extend(_as_rules(name, obj))
        for name, obj in _plugin_objects(SOURCE_GROUP):
            source = obj() if inspect.isclass(obj) else obj
            if not isinstance(source, Source):
                raise RegistryError(f"plugin entry point {name!r} in {SOURCE_GROUP} is not a corslint Source")
            if any(s.name == source.name for s in sources):
                raise RegistryError(f"duplicate source {source.name!r} registered by plugin entry point {name!r}")
            sources.append(source)
        for name, obj in _plugin_objects(REPORTER_GROUP):
            if not callable(obj):
                raise RegistryError(f"plugin entry point {name!r} in {REPORTER_GROUP} is not callable")
            if name in reporters:
                raise RegistryError(f"duplicate output format {name!r} registered by a plugin")
            reporters[name] = obj
    validate_rules(rules)
    rules.sort(key=lambda r: r.code)
    return Registry(rules=rules, sources=sources, reporters=reporters)
