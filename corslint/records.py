"""Value classes built like dataclasses, with one `exec` per class: Python 3.11's `dataclass` compiles up to ten
methods one by one (about 0.8 ms a class), which made the model a sixth of a small run's start-up.

`record` follows `dataclasses.dataclass`: fields from annotations (`ClassVar` skipped; a record base's fields first),
defaults and `field(default_factory=..., init=, repr=, compare=, hash=)`, `__post_init__`, `frozen`, `eq`, `order`,
and the same `__hash__` rules (frozen and eq: hashed from the fields; eq alone: unhashable). Methods the class body
defines are kept. `replace` and `fields` are the fast equivalents of the dataclasses functions, and records answer
`dataclasses.fields`, `replace`, `asdict` and `is_dataclass` as well (the dataclass view is built on first use), so
plugin code written against the dataclass model keeps working.
"""

from __future__ import annotations

import operator
from operator import attrgetter
from typing import Any, Callable, ClassVar, Optional, TypeVar

__all__ = ["Field", "field", "fields", "is_record", "record", "replace"]  # and FrozenInstanceError, dataclasses' own

C = TypeVar("C", bound=type)


class _Missing:
    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


def __getattr__(name: str) -> Any:
    """`FrozenInstanceError` is dataclasses' own, so `except dataclasses.FrozenInstanceError` catches it; the
    dataclasses module is imported only when it is asked for."""
    if name == "FrozenInstanceError":
        import dataclasses

        return dataclasses.FrozenInstanceError
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class Field:
    """One field's declaration (`field(...)` in a class body) and, once its class is built, its name and type."""

    __slots__ = ("name", "type", "default", "default_factory", "init", "repr", "compare", "hash")

    def __init__(
        self,
        *,
        default: Any = MISSING,
        default_factory: Any = MISSING,
        init: bool = True,
        repr: bool = True,
        compare: bool = True,
        hash: Optional[bool] = None,
    ) -> None:
        if default is not MISSING and default_factory is not MISSING:
            raise ValueError("cannot specify both default and default_factory")
        self.name = ""
        self.type: Any = None
        self.default = default
        self.default_factory = default_factory
        self.init = init
        self.repr = repr
        self.compare = compare
        self.hash = compare if hash is None else hash

    def __repr__(self) -> str:
        return f"Field(name={self.name!r}, default={self.default!r}, default_factory={self.default_factory!r})"


def field(**options: Any) -> Any:
    """A field with options (`default`, `default_factory`, `init`, `repr`, `compare`, `hash`), as `dataclasses.field`."""
    return Field(**options)


class _Params:
    """The options a record was made with."""

    __slots__ = ("frozen", "eq", "order")

    def __init__(self, frozen: bool, eq: bool, order: bool) -> None:
        self.frozen, self.eq, self.order = frozen, eq, order

    def __repr__(self) -> str:
        return f"_Params(frozen={self.frozen}, eq={self.eq}, order={self.order})"


def _is_classvar(annotation: Any) -> bool:
    if isinstance(annotation, str):
        return annotation.startswith(("ClassVar", "typing.ClassVar"))
    return annotation is ClassVar or getattr(annotation, "__origin__", None) is ClassVar


def _fields_of(cls: type) -> list[Field]:
    """The fields of the record bases (in method resolution order, as dataclasses collects them), then the class's
    own; a field redeclared keeps its place."""
    collected: dict[str, Field] = {}
    for base in reversed(cls.__mro__[1:]):
        for spec in base.__dict__.get("__record_fields__", ()):
            collected[spec.name] = spec
    for spec in _own_fields(cls):
        collected[spec.name] = spec
    return list(collected.values())


def _own_fields(cls: type) -> list[Field]:
    found: list[Field] = []
    annotations = cls.__dict__.get("__annotations__", {})
    for name, annotation in annotations.items():
        if _is_classvar(annotation):
            continue
        value = cls.__dict__.get(name, MISSING)
        spec = value if isinstance(value, Field) else Field(default=value)
        if spec.default is not MISSING and spec.default.__class__.__hash__ is None:
            raise ValueError(f"mutable default {type(spec.default).__name__} for field {name} of {cls.__name__}: "
                             "use default_factory")
        spec.name = name
        spec.type = annotation
        if isinstance(value, Field):
            if spec.default is MISSING:
                delattr(cls, name)
            else:
                setattr(cls, name, spec.default)
        found.append(spec)
    return found


def _init_source(cls: type, specs: list[Field]) -> tuple[str, dict[str, Any]]:
    """The source of `__init__` (the one method compiled, for its signature and speed) and the names it uses."""
    scope: dict[str, Any] = {"MISSING": MISSING}
    args: list[str] = []
    body: list[str] = []
    seen_default = False
    for spec in specs:
        if spec.default_factory is not MISSING:
            scope[f"_factory_{spec.name}"] = spec.default_factory
        if spec.default is not MISSING:
            scope[f"_default_{spec.name}"] = spec.default
        if not spec.init:
            if spec.default_factory is not MISSING:
                value = f"_factory_{spec.name}()"
            elif spec.default is not MISSING:
                value = f"_default_{spec.name}"
            else:
                continue
        elif spec.default_factory is not MISSING:
            args.append(f"{spec.name}=MISSING")
            value = f"_factory_{spec.name}() if {spec.name} is MISSING else {spec.name}"
            seen_default = True
        elif spec.default is not MISSING:
            args.append(f"{spec.name}=_default_{spec.name}")
            value = spec.name
            seen_default = True
        else:
            if seen_default:
                raise TypeError(f"non-default argument {spec.name!r} follows default argument in {cls.__name__}")
            args.append(spec.name)
            value = spec.name
        body.append(f"{spec.name!r}: {value}")
    # one dict update: shorter to compile than a setattr per field, and faster to run (frozen records forbid setattr)
    lines = [f"  self.__dict__.update({{{', '.join(body)}}})"] if body else []
    if hasattr(cls, "__post_init__"):
        lines.append("  self.__post_init__()")
    return f"def __init__(self, {', '.join(args)}):\n" + "\n".join(lines or ["  pass"]) + "\n", scope


def _key(names: list[str]) -> Callable[[Any], tuple]:
    """The tuple of these attributes of an object, as the methods dataclasses generate compare and hash it."""
    if len(names) == 1:
        name = names[0]
        return lambda obj: (getattr(obj, name),)
    return attrgetter(*names) if names else lambda obj: ()


def _methods(cls: type, specs: list[Field], params: _Params) -> dict[str, Any]:
    """Every generated method but `__init__`: closures over the field names, nothing to compile."""
    own = cls.__dict__
    made: dict[str, Any] = {}
    if "__repr__" not in own:
        shown = tuple(spec.name for spec in specs if spec.repr)

        def __repr__(self: Any) -> str:
            inner = ", ".join(f"{name}={getattr(self, name)!r}" for name in shown)
            return f"{self.__class__.__qualname__}({inner})"

        made["__repr__"] = __repr__
    key = _key([spec.name for spec in specs if spec.compare])
    if params.eq and "__eq__" not in own:

        def __eq__(self: Any, other: Any) -> Any:
            if other.__class__ is self.__class__:
                return key(self) == key(other)
            return NotImplemented

        made["__eq__"] = __eq__
    if params.order:
        for name, compare in (("__lt__", operator.lt), ("__le__", operator.le), ("__gt__", operator.gt),
                              ("__ge__", operator.ge)):
            if name in own:
                raise TypeError(f"cannot overwrite attribute {name} in class {cls.__name__}")
            made[name] = _ordering(key, compare)
    if params.eq and params.frozen and not _explicit_hash(cls):
        hashed = _key([spec.name for spec in specs if spec.hash])
        made["__hash__"] = lambda self: hash(hashed(self))
    if params.frozen:
        made.update(_frozen_methods(cls, frozenset(spec.name for spec in specs)))
    return made


def _ordering(key: Callable[[Any], tuple], compare: Callable[[Any, Any], bool]) -> Callable[[Any, Any], Any]:
    def method(self: Any, other: Any) -> Any:
        if other.__class__ is self.__class__:
            return compare(key(self), key(other))
        return NotImplemented

    return method


def _frozen_methods(cls: type, names: frozenset[str]) -> dict[str, Any]:
    """As dataclasses: a frozen record refuses any assignment; a plain subclass refuses only its fields'."""

    def __setattr__(self: Any, name: str, value: Any) -> None:
        if type(self) is cls or name in names:
            raise _frozen_error(f"cannot assign to field {name!r}")
        super(cls, self).__setattr__(name, value)

    def __delattr__(self: Any, name: str) -> None:
        if type(self) is cls or name in names:
            raise _frozen_error(f"cannot delete field {name!r}")
        super(cls, self).__delattr__(name)

    return {"__setattr__": __setattr__, "__delattr__": __delattr__}


def _frozen_error(message: str) -> Exception:
    import dataclasses

    return dataclasses.FrozenInstanceError(message)


def _explicit_hash(cls: type) -> bool:
    own = cls.__dict__.get("__hash__", MISSING)
    return not (own is MISSING or (own is None and "__eq__" in cls.__dict__))


class _DataclassView:
    """`__dataclass_fields__` on first access: real `dataclasses.Field` objects, for code that uses the dataclasses
    module on records."""

    def __get__(self, instance: Any, owner: type) -> dict[str, Any]:
        import dataclasses

        view: dict[str, Any] = {}
        for spec in owner.__record_fields__:
            made = dataclasses.field(
                default=dataclasses.MISSING if spec.default is MISSING else spec.default,
                default_factory=dataclasses.MISSING if spec.default_factory is MISSING else spec.default_factory,
                init=spec.init,
                repr=spec.repr,
                compare=spec.compare,
                hash=spec.hash,
            )
            made.name = spec.name
            made.type = spec.type
            made._field_type = dataclasses._FIELD  # type: ignore[attr-defined]
            made.kw_only = False  # as `dataclass` resolves it for a field of a class without kw_only
            view[spec.name] = made
        type.__setattr__(owner, "__dataclass_fields__", view)
        return view


def record(cls: Optional[C] = None, /, *, frozen: bool = False, eq: bool = True, order: bool = False) -> Any:
    """Make `cls` a record, as `@dataclass(frozen=..., eq=..., order=...)` would make it a dataclass."""

    def build(target: C) -> C:
        params = _Params(frozen, eq, order)
        specs = _fields_of(target)
        source, scope = _init_source(target, specs)
        exec(compile(source, f"<record {target.__qualname__}>", "exec"), scope)
        methods = _methods(target, specs, params)
        methods["__init__"] = scope["__init__"]
        for name, method in methods.items():
            method.__qualname__ = f"{target.__qualname__}.{name}"
            type.__setattr__(target, name, method)
        if eq and not frozen and not _explicit_hash(target):
            type.__setattr__(target, "__hash__", None)
        type.__setattr__(target, "__record_fields__", tuple(specs))
        type.__setattr__(target, "__dataclass_params__", params)  # a dataclass subclass reads `.frozen` from it
        type.__setattr__(target, "__match_args__", tuple(spec.name for spec in specs if spec.init))
        type.__setattr__(target, "__dataclass_fields__", _DataclassView())
        return target

    return build if cls is None else build(cls)


def fields(obj: Any) -> tuple[Field, ...]:
    """A record's (or record class's) fields, in declaration order."""
    try:
        return obj.__record_fields__
    except AttributeError:
        raise TypeError(f"{obj!r} is not a record") from None


def replace(obj: Any, /, **changes: Any) -> Any:
    """A copy of the record `obj` with some fields changed, as `dataclasses.replace`."""
    for spec in fields(obj):
        if not spec.init:
            if spec.name in changes:
                raise ValueError(f"field {spec.name} is declared with init=False, it cannot be specified with replace()")
        elif spec.name not in changes:
            changes[spec.name] = getattr(obj, spec.name)
    return type(obj)(**changes)


def is_record(obj: Any) -> bool:
    """Is `obj` a record or a record class?"""
    return hasattr(obj, "__record_fields__")

