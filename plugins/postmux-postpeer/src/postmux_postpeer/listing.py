"""The query strings of PostPeer's list endpoints, read as its OpenAPI defines them (for the emulator).

``GET /v1/posts`` takes ``status``, ``platform`` (repeatable, OR),
``profileId``, ``createdAfter``/``createdBefore``,
``scheduledAfter``/``scheduledBefore``, ``limit`` (1–100, default 20),
``offset`` and ``sort`` (``asc``/``desc``); ``GET /v1/connect/integrations``
takes ``platform``, ``profileId``, ``q``, ``limit``, ``offset`` and ``sort``;
``GET /v1/posts/scheduled`` takes ``limit``, ``offset`` and ``sort``. A value
the spec does not allow is a 400 with the validator's message
(``querystring/limit must be <= 100``), as PostPeer's schema validation words it.
Which way ``sort`` runs by default the spec does not say: the emulator lists
oldest first.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from starlette.datastructures import QueryParams

__all__ = ["QueryError", "choice", "choices", "instant", "page", "sort_order"]


class QueryError(Exception):
    """A query parameter the spec does not allow; the message is PostPeer's validator's."""


def _integer(params: QueryParams, name: str, default: int, low: int, high: int | None) -> int:
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


def page(params: QueryParams) -> tuple[int, int]:
    """``(limit, offset)``: limit 1–100 (default 20), offset 0 or more."""
    return _integer(params, "limit", 20, 1, 100), _integer(params, "offset", 0, 0, None)


def choice(params: QueryParams, name: str, allowed: Collection[str]) -> str | None:
    """One value of an enum parameter, or ``None`` when absent."""
    value = params.get(name)
    if value is not None and value not in allowed:
        raise QueryError(f"querystring/{name} must be equal to one of the allowed values")
    return value


def choices(params: QueryParams, name: str, allowed: Collection[str]) -> list[str]:
    """Every value of a repeatable enum parameter (``platform=tiktok&platform=instagram``)."""
    values = params.getlist(name)
    if any(v not in allowed for v in values):
        raise QueryError(f"querystring/{name} must be equal to one of the allowed values")
    return values


def sort_order(params: QueryParams) -> bool:
    """True for ``sort=desc`` (newest first); the default is oldest first."""
    return choice(params, "sort", ("asc", "desc")) == "desc"


def instant(params: QueryParams, name: str) -> datetime | None:
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
