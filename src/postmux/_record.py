"""A base for the core's small internal records: equality and a repr from ``__slots__``.

A ``NamedTuple`` costs ~0.5–1.4 M instructions to define at import
(``collections.namedtuple`` compiles a ``__new__`` and builds a dozen
methods for every class), an attrs class more; a plain slotted class with its
own ``__init__`` ~0.1 M, since its code comes from the module's bytecode cache
(issue 15's start-up). A record that is only made, passed on and read needs
no more than that, plus what tests and logs use: equality (same class, equal
fields) and a ``Name(field=value, …)`` repr in the order of ``__slots__``.
Records are not hashable (none is a key). :class:`FrozenRecord` is for the
public declarations that replaced NamedTuples (a vendor's error envelope, its
account keys): shared by every publisher, each field is set once, in
``__init__``, and ``_replace`` makes a changed copy, as a NamedTuple's does.
"""

from __future__ import annotations

from typing import Any, Self, cast

__all__ = ["FrozenRecord", "Record"]


class Record:
    """Equality and repr over the fields named in a subclass's ``__slots__``, in their order."""

    __slots__ = ()
    __hash__ = None  # type: ignore[assignment]

    def _names(self) -> tuple[str, ...]:
        return cast("tuple[str, ...]", self.__slots__)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return all(getattr(self, name) == getattr(other, name) for name in self._names())

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._names())
        return f"{type(self).__name__}({shown})"

    def _replace(self, **changes: Any) -> Self:
        """A copy with ``changes``, as a NamedTuple's ``_replace`` makes one (a record's ``__init__``
        takes its fields by their names)."""
        unknown = changes.keys() - set(self._names())
        if unknown:
            raise ValueError(f"{type(self).__name__} has no fields {sorted(unknown)}")
        return type(self)(**{name: changes.get(name, getattr(self, name)) for name in self._names()})


class FrozenRecord(Record):
    """A record whose fields are set once, in ``__init__``: a declaration every publisher shares.

    A second assignment (or a ``del``) raises ``AttributeError``, as it does on the
    NamedTuples these replaced; ``_replace`` gives a changed copy.
    """

    __slots__ = ()

    def __setattr__(self, name: str, value: Any) -> None:
        try:
            getattr(self, name)
        except AttributeError:  # a slot not yet set: __init__ is filling it
            object.__setattr__(self, name, value)
            return
        raise AttributeError(f"{type(self).__name__} is frozen: {name} cannot change (use _replace)")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is frozen: {name} cannot be deleted")
