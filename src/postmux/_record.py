"""A base for the core's small internal records: equality and a repr from ``__slots__``.

A ``NamedTuple`` costs ~0.5–1.4 M instructions to define at import
(``collections.namedtuple`` compiles a ``__new__`` and builds a dozen
methods for every class), an attrs class more; a plain slotted class with its
own ``__init__`` ~0.1 M, since its code comes from the module's bytecode cache
(issue 15's start-up). A record that is only made, passed on and read needs
no more than that, plus what tests and logs use: equality (same class, equal
fields) and a ``Name(field=value, …)`` repr in the order of ``__slots__``.
Records are not hashable (none is a key) and are not frozen: nothing assigns
to one after its ``__init__``.
"""

from __future__ import annotations

from typing import cast

__all__ = ["Record"]


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
