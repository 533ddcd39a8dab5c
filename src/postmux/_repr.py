"""One ``__repr__`` for the core's attrs classes: the text attrs would write, with nothing compiled.

attrs writes and compiles a ``__repr__`` for every class it defines, at import,
and a repr is the costliest of its methods to compile (an f-string with one
replacement field per attribute): about 1 M instructions a class, a third of
what defining the class costs, for a method most programs never call (issue
15's start-up). attrs keeps a class's own ``__repr__``, so a class whose body
says ``__repr__ = fields_repr`` gets this one instead. It reads the fields
when called and gives attrs' output exactly: ``Name(a=1, b='x')`` in field
order, fields declared ``repr=False`` left out, a field's own ``repr=``
callable used, and ``...`` for an instance already being shown higher up the
same repr (a cycle), per thread.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import attrs

__all__ = ["fields_repr"]

_Shown = tuple[tuple[str, Callable[[Any], Any], bool], ...]

_SHOWN: dict[type, _Shown] = {}
"""Per class: each shown field's name, how to show it, and whether ``__init__`` sets it."""

_active = threading.local()
"""Per thread: the ids of the instances whose repr is being made (attrs' cycle guard)."""


def _shown(cls: type) -> _Shown:
    found = _SHOWN.get(cls)
    if found is None:
        found = _SHOWN[cls] = tuple(
            (a.name, repr if a.repr is True else a.repr, a.init)
            for a in attrs.fields(cls)
            if a.repr is not False
        )
    return found


def fields_repr(self: Any) -> str:
    """``ClassName(field=value, …)``, as attrs' generated ``__repr__`` writes it."""
    cls = type(self)
    seen: set[int] | None = getattr(_active, "ids", None)
    if seen is None:
        seen = _active.ids = set()
    if id(self) in seen:
        return "..."
    seen.add(id(self))
    try:
        parts = ", ".join(
            f"{name}={show(getattr(self, name) if init else getattr(self, name, attrs.NOTHING))}"
            for name, show, init in _shown(cls)
        )
        return f"{cls.__qualname__.rsplit('>.', 1)[-1]}({parts})"
    finally:
        seen.discard(id(self))
