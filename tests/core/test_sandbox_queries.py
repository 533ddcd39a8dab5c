"""The emulator kit's query-string readers: the values a spec allows, and ajv's words for the rest."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from starlette.datastructures import QueryParams

from postmux.sandbox.queries import (
    After,
    AnyOf,
    Before,
    Equals,
    OneOf,
    QueryError,
    Search,
    choice,
    choices,
    instant,
    listed,
    page,
    select,
    sort_order,
    window,
    within,
)


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


# -- declared filters: a table of parameter → how it selects, read by select() and listed() ----------

ITEMS: list[dict[str, Any]] = [
    {
        "id": "p1",
        "status": "published",
        "platforms": {"tiktok"},
        "created": 100.0,
        "at": None,
        "names": ("Ann",),
    },
    {
        "id": "p2",
        "status": "failed",
        "platforms": {"tiktok", "threads"},
        "created": 200.0,
        "at": 500.0,
        "names": (),
    },
    {
        "id": "p3",
        "status": "published",
        "platforms": {"youtube"},
        "created": 300.0,
        "at": 900.0,
        "names": ("Bo",),
    },
]
FILTERS = {
    "status": OneOf("status", ("published", "failed", "draft")),
    "platform": AnyOf("platforms", ("tiktok", "threads", "youtube", "x")),
    "createdAfter": After("created"),
    "createdBefore": Before("created"),
    "scheduledAfter": After("at"),
    "scheduledBefore": Before("at"),
    "q": Search("names", exact="id"),
    "profileId": Equals("profile"),
}


def _ids(query: str) -> list[str]:
    return [i["id"] for i in select(QueryParams(query), ITEMS, FILTERS, lambda i: {**i, "profile": "pr1"})]


def _at(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat().replace("+00:00", "Z")


def test_each_declared_filter_selects_by_its_fact() -> None:
    assert _ids("") == ["p1", "p2", "p3"]
    assert _ids("status=published") == ["p1", "p3"]
    assert _ids("platform=threads&platform=youtube") == ["p2", "p3"]  # repeatable: OR
    assert _ids(f"createdAfter={_at(200)}") == ["p2", "p3"]  # bounds are inclusive
    assert _ids(f"createdBefore={_at(200)}") == ["p1", "p2"]
    assert _ids(f"createdAfter={_at(150)}&createdBefore={_at(250)}") == ["p2"]
    assert _ids(f"scheduledBefore={_at(1000)}") == ["p2", "p3"]  # an item with no such time is never in range
    assert _ids(f"scheduledAfter={_at(0)}&status=published") == ["p3"]  # filters AND together
    assert _ids("q=ann") == ["p1"]  # a case-insensitive part of a name
    assert _ids("q=p2") == ["p2"]  # or the whole id
    assert _ids("q=p") == []  # a part of an id is no match
    assert _ids("q=%20%20") == ["p1", "p2", "p3"]  # blank: not asked
    assert _ids("profileId=pr1") == ["p1", "p2", "p3"]
    assert _ids("profileId=other") == []


def test_facts_are_read_only_when_a_filter_is_asked() -> None:
    def facts(item: object) -> dict[str, object]:
        raise AssertionError("no filter was asked")

    assert select(QueryParams("limit=5"), ITEMS, FILTERS, facts) == ITEMS


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("status=live", "querystring/status must be equal to one of the allowed values"),
        (
            "platform=tiktok&platform=myspace",
            "querystring/platform must be equal to one of the allowed values",
        ),
        ("createdAfter=yesterday", 'querystring/createdAfter must match format "date-time"'),
        ("scheduledBefore=2026-01-01T00:00:00", 'querystring/scheduledBefore must match format "date-time"'),
    ],
)
def test_a_filter_value_the_spec_does_not_allow_is_refused(query: str, message: str) -> None:
    with pytest.raises(QueryError, match=f"^{message}$"):
        _ids(query)


def test_listed_pages_filters_then_sorts_and_counts_the_whole() -> None:
    params = QueryParams("platform=tiktok&platform=youtube&limit=2&offset=1&sort=desc")
    total, found = listed(params, ITEMS, FILTERS, lambda i: i)
    assert total == 3
    assert [i["id"] for i in found] == ["p2", "p1"]
    assert listed(QueryParams("limit=1"), ["a", "b"]) == (2, ["a"])  # no filters: a page of everything
    with pytest.raises(QueryError, match="querystring/limit must be <= 5"):
        listed(QueryParams("limit=6&status=live"), ITEMS, FILTERS, lambda i: i, most=5)  # the page first
