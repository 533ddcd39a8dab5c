"""The core's attrs classes share one ``__repr__`` (:mod:`postmux._repr`) that writes attrs' own text.

Each check compares it with the repr attrs generates for the same fields: a
subclass with no ``__repr__`` of its own gets attrs' generated one, so the
twin of an instance shows what the class showed before it shared the repr.
"""

from __future__ import annotations

import threading
from typing import Any

import attrs
import pytest

import postmux
from postmux._repr import fields_repr
from postmux.status import Status

from .classes import core_attrs_classes, samples


def attrs_twin(obj: Any) -> Any:
    """``obj`` as an instance of a subclass whose ``__repr__`` attrs generated."""
    cls = type(obj)
    twin_cls: type = attrs.frozen(slots=True)(type(cls.__name__, (cls,), {"__module__": cls.__module__}))
    twin: Any = object.__new__(twin_cls)
    for a in attrs.fields(cls):
        if hasattr(obj, a.name):
            object.__setattr__(twin, a.name, getattr(obj, a.name))
    return twin


@pytest.mark.parametrize("obj", samples(), ids=lambda o: type(o).__name__)
def test_the_shared_repr_writes_what_attrs_writes(obj: Any) -> None:
    shared: object = type(obj).__repr__
    assert shared is fields_repr
    assert repr(obj) == repr(attrs_twin(obj))


def test_left_out_fields_stay_out() -> None:
    target = postmux.Target("tiktok", "a")
    publication = postmux.Publication(
        target=target, provider="wahdx", status=Status.FAILED, raw={"k": "sk_secret"}
    )
    shown = repr(publication)
    assert "sk_secret" not in shown
    assert "raw=" not in shown
    assert shown.startswith("Publication(target=Target(platform='tiktok', account='a', text=None), ")


def test_a_cycle_shows_dots_as_attrs_does() -> None:
    @attrs.define
    class Node:
        child: Any = None
        __repr__ = fields_repr

    node = Node()
    node.child = node
    assert repr(node) == "Node(child=...)"
    assert repr(Node(Node())) == "Node(child=Node(child=None))"


def test_a_custom_field_repr_and_an_unset_field() -> None:
    @attrs.define
    class Shown:
        hidden: str = attrs.field(repr=lambda v: "***")
        late: int = attrs.field(init=False)
        __repr__ = fields_repr

    assert repr(Shown("x")) == "Shown(hidden=***, late=NOTHING)"


def test_threads_do_not_see_each_others_guard() -> None:
    seen: list[str] = []
    target = postmux.Target("tiktok", "a")
    worker = threading.Thread(target=lambda: seen.append(repr(target)))
    worker.start()
    worker.join()
    assert seen == [repr(target)]


def test_every_core_attrs_class_shares_it() -> None:
    """No attrs class of the core compiles a repr of its own at import (the start-up's cost)."""
    own = [name for name, cls in core_attrs_classes() if cls.__repr__ is not fields_repr]
    assert own == ["postmux.hosting.HostedFile"]  # its hand-written repr hides the URL's query
