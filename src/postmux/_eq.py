"""One ``__eq__`` and one ``__hash__`` for the core's attrs classes: attrs' semantics, nothing compiled.

attrs writes an ``__eq__`` and (for a frozen class) a ``__hash__`` for every
class it defines and compiles them at import: with the ``__init__`` they are
what is left of the ~1.75 M instructions a class costs to define, a cost every
program pays at start-up (issue 15) for methods a publish calls twice at most
(``Target.__eq__``) or never. attrs keeps a class's own ``__eq__`` and
``__hash__`` (``auto_detect``), so a class whose body says ``__eq__ =
fields_eq`` and ``__hash__ = fields_hash`` gets these instead, as it gets
:func:`postmux._repr.fields_repr` for its repr.

They do what attrs' generated methods do, exactly:

- ``__eq__`` answers ``NotImplemented`` unless both are of the very same
  class, then compares the fields with ``eq=True`` in field order as attrs'
  ``self.a == other.a and self.b == other.b`` does (an ``eq=`` key function
  applied to both sides; the first falsy comparison's value is returned, else
  the last comparison's, untested; ``True`` for no fields). ``!=`` is
  Python's default, which negates ``__eq__`` as attrs' ``__ne__`` does.
- ``__hash__`` is ``hash((h, self.a, self.b, …))`` over the fields attrs
  hashes (``hash=True``, or ``hash=None`` with ``eq=True``; key functions
  applied), with ``h`` the hash of the text attrs seeds its own with, which
  names the attrs class (the nearest in the method resolution order) whose
  fields they are.

What each class compares is worked out once, on its first comparison or hash.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs

__all__ = ["fields_eq", "fields_hash"]

_Key = Callable[[Any], Any] | None
_Field = tuple[str, _Key]
_Compared = tuple[tuple[_Field, ...], _Field | None]

_EQ: dict[type, _Compared] = {}
"""Per class: the name and key function of each field ``__eq__`` compares but the last, and the last's."""

_HASH: dict[type, tuple[int, tuple[_Field, ...]]] = {}
"""Per class: attrs' seed for its hash, and the name and key function of each field it hashes."""


def _fields_class(cls: type) -> type:
    """The attrs class (``cls`` or the nearest base that is one itself) whose fields ``cls`` has."""
    return next(c for c in cls.__mro__ if "__attrs_attrs__" in c.__dict__)


def _compared(cls: type) -> _Compared:
    fields = tuple((a.name, a.eq_key) for a in attrs.fields(_fields_class(cls)) if a.eq)
    found = _EQ[cls] = (fields[:-1], fields[-1] if fields else None)
    return found


def _hashed(cls: type) -> tuple[int, tuple[_Field, ...]]:
    owner = _fields_class(cls)
    seed = hash(f"<attrs generated hash {owner.__module__}.{owner.__qualname__}>")
    fields = tuple(
        (a.name, a.eq_key) for a in attrs.fields(owner) if a.hash is True or (a.hash is None and a.eq is True)
    )
    found = _HASH[cls] = (seed, fields)
    return found


def fields_eq(self: Any, other: Any) -> Any:
    """``self == other`` as attrs' generated ``__eq__`` answers it."""
    if other.__class__ is not self.__class__:
        return NotImplemented
    found = _EQ.get(self.__class__)
    first, last = _compared(self.__class__) if found is None else found
    for each, each_key in first:
        if each_key is None:
            same = getattr(self, each) == getattr(other, each)
        else:
            same = each_key(getattr(self, each)) == each_key(getattr(other, each))
        if not same:
            return same
    if last is None:
        return True
    name, key = last
    if key is None:
        return getattr(self, name) == getattr(other, name)
    return key(getattr(self, name)) == key(getattr(other, name))


def fields_hash(self: Any) -> int:
    """``hash(self)`` as attrs' generated ``__hash__`` makes it."""
    found = _HASH.get(self.__class__)
    seed, fields = _hashed(self.__class__) if found is None else found
    return hash(
        (seed, *(getattr(self, name) if key is None else key(getattr(self, name)) for name, key in fields))
    )
