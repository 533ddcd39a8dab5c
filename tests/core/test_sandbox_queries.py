"""The emulator kit's query-string readers: the values a spec allows, and ajv's words for the rest."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from starlette.datastructures import QueryParams

from postmux.sandbox.queries import QueryError, choice, choices, instant, page, sort_order, window, within


def test_a_page_has_defaults_and_bounds() -> None:
    assert page(QueryParams("")) == (20, 0)
    assert page(QueryParams("limit=100&offset=7")) == (100, 7)
    assert page(QueryParams("limit=5"), default=10, most=5) == (5, 0)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("limit=0", "querystring/limit must be >= 1"),
        ("limit=101", "querystring/limit must be <= 100"),
        ("limit=ten", "querystring/limit must be integer"),
        ("offset=-1", "querystring/offset must be >= 0"),
    ],
)
def test_a_page_out_of_bounds_is_refused(query: str, message: str) -> None:
    with pytest.raises(QueryError, match=f"^{message}$"):
        page(QueryParams(query))


def test_enums_one_value_or_many() -> None:
    params = QueryParams("status=done&platform=a&platform=b")
    assert choice(params, "status", {"done", "open"}) == "done"
    assert choice(params, "missing", {"x"}) is None
    assert choices(params, "platform", {"a", "b", "c"}) == ["a", "b"]
    with pytest.raises(QueryError, match="querystring/platform must be equal to one of the allowed values"):
        choices(params, "platform", {"a"})
    with pytest.raises(QueryError, match="querystring/status"):
        choice(params, "status", {"open"})


def test_sort_order_defaults_to_oldest_first() -> None:
    assert sort_order(QueryParams("")) is False
    assert sort_order(QueryParams("sort=desc")) is True
    with pytest.raises(QueryError, match="querystring/sort"):
        sort_order(QueryParams("sort=up"))


def test_instants_need_an_offset() -> None:
    assert instant(QueryParams("after=2026-01-01T00:00:00Z"), "after") == datetime(2026, 1, 1, tzinfo=UTC)
    assert instant(QueryParams(""), "after") is None
    for bad in ("2026-01-01T00:00:00", "soon"):
        with pytest.raises(QueryError, match='querystring/after must match format "date-time"'):
            instant(QueryParams({"after": bad}), "after")


def test_within_and_window() -> None:
    noon = datetime(2026, 1, 1, 12, tzinfo=UTC)
    assert within(noon, None, None)
    assert within(noon, noon, noon)
    assert not within(noon, datetime(2026, 1, 2, tzinfo=UTC), None)
    assert window([1, 2, 3, 4, 5], 2, 1) == [2, 3]
    assert window([1, 2, 3, 4, 5], 2, 1, newest_first=True) == [4, 3]
