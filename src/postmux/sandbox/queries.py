"""Query strings of an emulator's list endpoints, read as a vendor's validator reads them.

Vendors' list endpoints take much the same parameters — a page (``limit``,
``offset``), enums (one value, or a repeatable one meaning OR), a sort
order, date-time bounds — and refuse a value outside the spec with a 400.
These readers raise :class:`QueryError` with the message in ajv's words
(``querystring/limit must be <= 100``, as Fastify-based APIs answer): a
:class:`~postmux.sandbox.kit.Rejected` 400, which the emulator answers in
the vendor's error shape with nothing more written::

    limit, offset = page(request.query_params)
    newest_first = sort_order(request.query_params)
    return self.json({"total": len(found), "items": window(found, limit, offset, newest_first)})

A list endpoint's filters can be declared instead: a table of query parameter
→ :class:`Filter` (:class:`OneOf`, :class:`AnyOf`, :class:`Equals`,
:class:`After`, :class:`Before`, :class:`Search`), each naming the fact of an
item it selects by, and :func:`listed` reads the page, the filters and the
sort in that order and answers the total and the page::

    FILTERS = {"status": OneOf("status", WORDS), "createdAfter": After("created")}
    total, page = listed(request.query_params, posts, FILTERS, lambda p: {"status": …, "created": …})
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

import attrs

from .kit import Rejected

if TYPE_CHECKING:
    from starlette.datastructures import QueryParams as Params

__all__ = [
    "After",
    "AnyOf",
    "Before",
    "Equals",
    "Filter",
    "OneOf",
    "QueryError",
    "Search",
    "choice",
    "choices",
    "instant",
    "integer",
    "listed",
    "page",
    "select",
    "sort_order",
    "window",
    "within",
]

T = TypeVar("T")


class QueryError(Rejected):
    """A query parameter the spec does not allow (a 400); the message is the validator's."""

    def __init__(self, message: str) -> None:
        super().__init__(400, message)


def integer(params: Params, name: str, default: int, low: int, high: int | None) -> int:
    """A whole-number parameter from ``low`` to ``high`` (``None``: no upper bound)."""
    raw = params.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise QueryError(f"querystring/{name} must be integer") from None
    if value < low:
        raise QueryError(f"querystring/{name} must be >= {low}")
    if high is not None and value > high:
        raise QueryError(f"querystring/{name} must be <= {high}")
    return value


def page(params: Params, *, default: int = 20, most: int = 100) -> tuple[int, int]:
    """``(limit, offset)``: limit 1 to ``most`` (``default`` when absent), offset 0 or more."""
    return integer(params, "limit", default, 1, most), integer(params, "offset", 0, 0, None)


def choice(params: Params, name: str, allowed: Collection[str]) -> str | None:
    """One value of an enum parameter, or ``None`` when absent."""
    value = params.get(name)
    if value is not None and value not in allowed:
        raise QueryError(f"querystring/{name} must be equal to one of the allowed values")
    return value


def choices(params: Params, name: str, allowed: Collection[str]) -> list[str]:
    """Every value of a repeatable enum parameter (``platform=tiktok&platform=instagram``)."""
    values = params.getlist(name)
    if any(v not in allowed for v in values):
        raise QueryError(f"querystring/{name} must be equal to one of the allowed values")
    return values


def sort_order(params: Params, name: str = "sort") -> bool:
    """True for ``sort=desc`` (newest first); the default is oldest first."""
    return choice(params, name, ("asc", "desc")) == "desc"


def instant(params: Params, name: str) -> datetime | None:
    """An ISO 8601 date-time bound; one without an offset is refused, as ``format: date-time`` is."""
    raw = params.get(name)
    if raw is None:
        return None
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        value = None
    if value is None or value.tzinfo is None:
        raise QueryError(f'querystring/{name} must match format "date-time"')
    return value


def within(when: datetime, after: datetime | None, before: datetime | None) -> bool:
    """``when`` inside the bounds a list was asked for (either may be absent)."""
    return (after is None or when >= after) and (before is None or when <= before)


def window(found: Sequence[T], limit: int, offset: int, newest_first: bool = False) -> list[T]:
    """The page of ``found`` (kept oldest first) a request asked for."""
    ordered = list(reversed(found)) if newest_first else list(found)
    return ordered[offset : offset + limit]


@attrs.frozen
class Filter:
    """How one query parameter selects the items of a list: by the item's ``fact`` of that name.

    :meth:`read` is the parameter's value (``None``: not asked, every item
    kept), refused as the spec refuses it; :meth:`keeps` says whether an
    item's facts fit it. The base takes any string and keeps equal facts.
    """

    fact: str

    def read(self, params: Params, name: str) -> Any:
        return params.get(name)

    def keeps(self, value: Any, facts: Mapping[str, Any]) -> bool:
        return bool(facts[self.fact] == value)


class Equals(Filter):
    """Any string, equal to the fact (``profileId``: an item of another profile is left out)."""


@attrs.frozen
class OneOf(Filter):
    """One value of an enum (:func:`choice`), equal to the fact."""

    allowed: Collection[str] = ()

    def read(self, params: Params, name: str) -> Any:
        return choice(params, name, self.allowed)


@attrs.frozen
class AnyOf(Filter):
    """A repeatable enum meaning OR (:func:`choices`); the fact is a set, sharing one value keeps it."""

    allowed: Collection[str] = ()

    def read(self, params: Params, name: str) -> Any:
        return set(choices(params, name, self.allowed)) or None

    def keeps(self, value: Any, facts: Mapping[str, Any]) -> bool:
        return bool(value & set(facts[self.fact]))


class After(Filter):
    """A date-time bound (:func:`instant`): the fact (a time in seconds) at or after it; no time, not kept."""

    def read(self, params: Params, name: str) -> Any:
        return instant(params, name)

    def keeps(self, value: Any, facts: Mapping[str, Any]) -> bool:
        when = facts[self.fact]
        return when is not None and when >= value.timestamp()


class Before(After):
    """A date-time bound: the fact at or before it (an item with no such time is not kept)."""

    def keeps(self, value: Any, facts: Mapping[str, Any]) -> bool:
        when = facts[self.fact]
        return when is not None and when <= value.timestamp()


@attrs.frozen
class Search(Filter):
    """A case-insensitive part of any of the fact's strings, or the whole of the ``exact`` fact (an id).

    Blank (spaces only), it is not asked.
    """

    exact: str | None = None

    def read(self, params: Params, name: str) -> Any:
        raw = params.get(name)
        return (raw, raw.strip().lower()) if raw and raw.strip() else None

    def keeps(self, value: Any, facts: Mapping[str, Any]) -> bool:
        raw, part = value
        if self.exact is not None and facts[self.exact] == raw:
            return True
        return any(part in str(text).lower() for text in facts[self.fact])


def select(
    params: Params,
    items: Iterable[T],
    filters: Mapping[str, Filter],
    facts: Callable[[T], Mapping[str, Any]],
) -> list[T]:
    """The items every asked filter keeps (``facts`` gives an item's facts, only when one is asked)."""
    asked = [(f, v) for name, f in filters.items() if (v := f.read(params, name)) is not None]
    if not asked:
        return list(items)
    kept = []
    for item in items:
        known = facts(item)
        if all(f.keeps(v, known) for f, v in asked):
            kept.append(item)
    return kept


def listed(
    params: Params,
    items: Iterable[T],
    filters: Mapping[str, Filter] | None = None,
    facts: Callable[[T], Mapping[str, Any]] | None = None,
    *,
    default: int = 20,
    most: int = 100,
) -> tuple[int, list[T]]:
    """``(total, page)`` of a list endpoint: :func:`page`, the filters (:func:`select`), then the sort."""
    limit, offset = page(params, default=default, most=most)
    found = select(params, items, filters, facts) if filters and facts else list(items)
    return len(found), window(found, limit, offset, sort_order(params))
