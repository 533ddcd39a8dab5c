"""The core's attrs classes share one ``__eq__`` and ``__hash__`` (:mod:`postmux._eq`) with attrs' semantics.

Each check calls the methods attrs generates for the same fields on the same
instances: a subclass with no ``__eq__``/``__hash__`` of its own gets attrs'
generated ones, and attrs' ``__eq__`` only asks that both sides be of one class,
so it can be called on the original instances; its ``__hash__`` is seeded with
the class's module and qualified name, which the subclass is given.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs
import pytest

import postmux
from postmux._eq import fields_eq, fields_hash
from postmux.options import PlatformOptions
from postmux_wahdx import wire as wahdx_wire

from .classes import core_attrs_classes, samples


def generated(cls: type) -> tuple[Callable[[Any, Any], Any], Callable[[Any], int]]:
    """The ``__eq__`` and ``__hash__`` attrs writes for ``cls``'s fields."""
    twin: Any = attrs.frozen(slots=True)(
        type(cls.__name__, (cls,), {"__module__": cls.__module__, "__qualname__": cls.__qualname__})
    )
    return twin.__eq__, twin.__hash__


def wahdx_answers() -> list[Any]:
    data = wahdx_wire.PublishData(publish_id="p1", status="PROCESSING_UPLOAD")
    return [
        data,
        wahdx_wire.PublishBody(data=data, status="PUBLISH_COMPLETE", public_post_url="https://x/p"),
        wahdx_wire.StatusData(status="FAILED", fail_reason="spam"),
        wahdx_wire.BatchItem(success=False, error="gone"),
    ]


def changed(obj: Any, name: str, value: object) -> Any:
    """A copy of ``obj`` with one field set to ``value``, past validators and converters."""
    copy = object.__new__(type(obj))
    for a in attrs.fields(type(obj)):
        if hasattr(obj, a.name):
            object.__setattr__(copy, a.name, getattr(obj, a.name))
    object.__setattr__(copy, name, value)
    return copy


def outcome(call: Callable[[], object]) -> object:
    try:
        return call()
    except TypeError as exc:  # an unhashable field: both must refuse alike
        return ("TypeError", str(exc))


@pytest.mark.parametrize("obj", samples() + wahdx_answers(), ids=lambda o: type(o).__name__)
def test_the_shared_eq_and_hash_answer_what_attrs_answers(obj: Any) -> None:
    cls = type(obj)
    shared_eq: object = cls.__eq__
    shared_hash: object = cls.__hash__
    assert (shared_eq, shared_hash) == (fields_eq, fields_hash)
    attrs_eq, attrs_hash = generated(cls)
    same = changed(obj, attrs.fields(cls)[0].name, getattr(obj, attrs.fields(cls)[0].name))
    assert (obj == same) is attrs_eq(obj, same) is True
    assert (obj != same) is False
    assert outcome(lambda: hash(obj)) == outcome(lambda: attrs_hash(obj))
    for a in attrs.fields(cls):
        other = changed(obj, a.name, object())
        assert (obj == other) == attrs_eq(obj, other) == (not a.eq), a.name
        assert outcome(lambda: hash(other)) == outcome(lambda: attrs_hash(other)), a.name  # noqa: B023
    assert fields_eq(obj, 1) is attrs_eq(obj, 1) is NotImplemented
    sub = type("Sub", (cls,), {})
    assert fields_eq(obj, object.__new__(sub)) is attrs_eq(obj, object.__new__(sub)) is NotImplemented


def test_a_frozen_publication_hashes_as_attrs_does() -> None:
    """A hashable instance of a public class: the same number attrs' method gives."""
    target = postmux.Target("tiktok", "acc-1", text="t")
    assert hash(target) == generated(postmux.Target)[1](target)
    assert hash(target) != hash(postmux.Target("tiktok", "acc-2", text="t"))
    assert {target: 1}[postmux.Target("tiktok", "acc-1", text="t")] == 1


class Odd:
    """A value whose ``==`` answers something that is not a bool, and refuses to be tested for truth."""

    def __init__(self, answer: object) -> None:
        self.answer = answer

    def __eq__(self, other: object) -> Any:
        return self.answer

    __hash__ = object.__hash__


class NoTruth:
    def __bool__(self) -> bool:
        raise ValueError("no truth value")


def test_the_comparisons_values_are_attrs_own() -> None:
    """``a == b and c == d``: the first falsy value is the answer, else the last one, never tested."""

    @attrs.frozen
    class Two:
        a: Any
        b: Any
        __eq__ = fields_eq
        __hash__ = fields_hash

    attrs_eq, _ = generated(Two)
    last = NoTruth()
    assert fields_eq(Two(Odd(1), Odd(last)), Two(0, 0)) is last
    assert attrs_eq(Two(Odd(1), Odd(last)), Two(0, 0)) is last
    assert fields_eq(Two(Odd(""), Odd(1)), Two(0, 0)) == "" == attrs_eq(Two(Odd(""), Odd(1)), Two(0, 0))


def test_keys_and_left_out_fields() -> None:
    """An ``eq=`` key compares (and hashes) what it returns; ``eq=False``, ``hash=False`` fields stay out."""

    @attrs.frozen
    class Keyed:
        name: str = attrs.field(eq=str.lower)
        note: str = attrs.field(eq=False)
        size: int = attrs.field(hash=False)
        weight: int = attrs.field(default=0, eq=False, hash=True)
        __eq__ = fields_eq
        __hash__ = fields_hash

    attrs_eq, attrs_hash = generated(Keyed)
    one, two = Keyed("ABC", "x", 1, 5), Keyed("abc", "y", 1, 5)
    assert one == two
    assert attrs_eq(one, two)
    assert one != Keyed("abc", "x", 2, 5)
    assert not attrs_eq(one, Keyed("abc", "x", 2, 5))
    for each in (one, two, Keyed("abc", "x", 2, 5), Keyed("abc", "x", 1, 6)):
        assert hash(each) == attrs_hash(each)
    assert hash(one) == hash(Keyed("abc", "z", 9, 5))  # size is not hashed, note not either
    assert hash(one) != hash(Keyed("abc", "x", 1, 6))  # weight is


def test_no_fields_and_a_plain_subclass() -> None:
    """No fields: equal to any of the same class. A plain subclass keeps its base's fields and seed,
    as attrs' inherited methods do."""
    empty = PlatformOptions()
    assert empty == PlatformOptions()
    assert hash(empty) == generated(PlatformOptions)[1](empty)

    class Mine(postmux.Target):
        __slots__ = ()

    mine = Mine("tiktok", "a")
    assert mine == Mine("tiktok", "a")
    assert mine != Mine("tiktok", "b")
    assert mine != postmux.Target("tiktok", "a")  # another class, as attrs says
    assert hash(mine) == hash(postmux.Target("tiktok", "a"))  # the base's seed, as attrs' inherited hash


def test_every_core_attrs_class_shares_them() -> None:
    """No attrs class of the core compiles an ``__eq__`` or ``__hash__`` of its own at import."""
    classes = core_attrs_classes()
    own = [name for name, cls in classes if cls.__eq__ is not fields_eq or cls.__hash__ is not fields_hash]
    assert own == []
