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
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, TypeVar

from .kit import Rejected

if TYPE_CHECKING:
    from starlette.datastructures import QueryParams as Params

__all__ = ["QueryError", "choice", "choices", "instant", "integer", "page", "sort_order", "window", "within"]

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
