"""Records behave as the dataclasses they replace: the same constructor, equality, order, hash, repr and freezing."""

from __future__ import annotations

import dataclasses
import pickle
from typing import ClassVar, Optional

import pytest

from corslint.records import FrozenInstanceError, field, fields, is_record, record, replace


def _pair(**params):
    """The same class body made once as a record and once as a dataclass."""

    def body(make_field):
        class Point:
            kind: ClassVar[str] = "point"
            x: int
            y: int = 0
            tags: tuple = ()
            notes: list = make_field(default_factory=list, compare=False, repr=False)

            def norm(self) -> int:
                return abs(self.x) + abs(self.y)

        return Point

    return record(**params)(body(field)), dataclasses.dataclass(**params)(body(dataclasses.field))


@pytest.mark.parametrize("params", [{}, {"frozen": True}, {"frozen": True, "order": True}, {"eq": False}])
def test_records_match_dataclasses(params):
    rec, dc = _pair(**params)
    a, b = rec(1, 2, ("t",)), dc(1, 2, ("t",))
    assert repr(a).replace(rec.__qualname__, "P") == repr(b).replace(dc.__qualname__, "P")
    assert (a == rec(1, 2, ("t",))) == (b == dc(1, 2, ("t",)))
    assert (a == rec(1, 3)) == (b == dc(1, 3))
    assert a.norm() == b.norm() == 3
    assert rec.kind == "point" and "kind" not in [f.name for f in fields(rec)]
    assert (rec.__hash__ is None) == (dc.__hash__ is None)
    if rec.__hash__ is not None and params.get("frozen"):
        assert hash(a) == hash(rec(1, 2, ("t",)))
    if params.get("order"):
        assert sorted([rec(2), rec(1, 5), rec(1, 4)]) == [rec(1, 4), rec(1, 5), rec(2)]
        assert (rec(1) < rec(2)) is True
    else:
        with pytest.raises(TypeError):
            a < rec(2)  # noqa: B015
    if params.get("frozen"):
        with pytest.raises(FrozenInstanceError):
            a.x = 5
        assert isinstance(FrozenInstanceError("x"), AttributeError)
    else:
        a.x = 5
        assert a.x == 5


def test_defaults_factories_and_init_false():
    @record
    class Box:
        name: str
        items: list = field(default_factory=list)
        count: int = field(default=0, init=False)
        seen: Optional[dict] = None

    one, two = Box("a"), Box("b")
    one.items.append(1)
    assert two.items == [] and one.count == 0 and one.seen is None
    with pytest.raises(TypeError):
        Box("a", [], 3, None)
    assert Box.count == 0 and "items" not in Box.__dict__


def test_post_init_runs_after_fields():
    @record(frozen=True)
    class Span:
        start: int
        end: int

        def __post_init__(self) -> None:
            if self.end < self.start:
                raise ValueError("backwards")

    assert Span(1, 2).end == 2
    with pytest.raises(ValueError):
        Span(2, 1)


def test_mutable_default_and_misordered_fields_are_refused():
    with pytest.raises(ValueError):

        @record
        class Bad:
            items: list = []

    with pytest.raises(TypeError):

        @record
        class Order:
            a: int = 0
            b: int


def test_replace_and_fields():
    @record(frozen=True)
    class Pair:
        a: int
        b: int = 1
        c: int = field(default=7, init=False)

    p = Pair(1, 2)
    q = replace(p, b=5)
    assert (q.a, q.b, q.c) == (1, 5, 7) and p.b == 2
    assert [f.name for f in fields(p)] == ["a", "b", "c"]
    with pytest.raises(ValueError):
        replace(p, c=1)
    with pytest.raises(TypeError):
        fields(object())
    assert is_record(p) and is_record(Pair) and not is_record(3)


def test_dataclass_functions_work_on_records():
    """Plugins written against the dataclass model use the dataclasses module on records."""

    @record(frozen=True)
    class Inner:
        value: int

    @record
    class Outer:
        inner: Inner
        extra: dict = field(default_factory=dict)

    o = Outer(Inner(3))
    assert dataclasses.is_dataclass(o) and dataclasses.is_dataclass(Outer)
    assert [f.name for f in dataclasses.fields(o)] == ["inner", "extra"]
    assert dataclasses.asdict(o) == {"inner": {"value": 3}, "extra": {}}
    changed = dataclasses.replace(o, inner=Inner(4))
    assert changed.inner == Inner(4) and changed.extra == {}


def test_records_pickle_and_compare_only_with_their_class():
    from corslint.model import Location, Related

    loc = Location("a.conf", 3, 1)
    assert pickle.loads(pickle.dumps(loc)) == loc
    assert hash(pickle.loads(pickle.dumps(loc))) == hash(loc)
    assert loc != ("a.conf", 3, 1, 0, 0)
    assert Related(loc, "n") != Related(loc, "m")
    with pytest.raises(TypeError):
        loc < ("a.conf", 4)  # noqa: B015


def test_a_record_subclass_keeps_the_base_fields_first():
    @record(frozen=True)
    class Base:
        x: int
        tag: str = ""

    @record(frozen=True)
    class Child(Base):
        y: int = 0
        tag: str = "child"

    child = Child(1)
    assert (child.x, child.y, child.tag) == (1, 0, "child")
    assert [f.name for f in fields(Child)] == ["x", "tag", "y"]
    assert Child(1, "t", 2) == Child(1, "t", 2) != Child(1, "t", 3)
    assert repr(Child(1)) == "test_a_record_subclass_keeps_the_base_fields_first.<locals>.Child(x=1, tag='child', y=0)"


def test_a_dataclass_may_subclass_a_record_and_a_plain_subclass_stays_writable():
    """Plugins subclass model classes with the dataclasses they know; dataclasses reads `.frozen` of each base."""
    from corslint.model import Location

    @dataclasses.dataclass(frozen=True)
    class TaggedLocation(Location):
        tag: str = ""

    tagged = TaggedLocation("a.conf", 1, 2, tag="t")
    assert (tagged.path, tagged.tag) == ("a.conf", "t")
    with pytest.raises(dataclasses.FrozenInstanceError):
        tagged.line = 3

    class Plain(Location):
        pass

    plain = Plain("a.conf", 1, 2)
    plain.note = "extra attributes of a plain subclass are allowed, as with dataclasses"
    with pytest.raises(dataclasses.FrozenInstanceError):
        plain.line = 3
    assert FrozenInstanceError is dataclasses.FrozenInstanceError
