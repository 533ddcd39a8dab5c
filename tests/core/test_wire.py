"""The strict cattrs base every plugin builds on, and reading bodies."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import attrs
import httpx
import pytest

from postmux import ResponseError
from postmux.wire import (
    Converter,
    base_converter,
    configure,
    find,
    inverted,
    json_of,
    parse,
    parse_datetime,
    read_json,
    renamed,
)


@attrs.frozen(kw_only=True)
class Settings:
    allow_comment: bool = True
    count: int = 0
    ratio: float | None = None
    name: str | None = None
    at: datetime | None = None
    privacy: str | None = None


@attrs.frozen(kw_only=True)
class Defaults:
    """A wire class whose defaults are not None: they must still be sent."""

    draft: bool = False
    privacy: str = "SELF_ONLY"
    note: str | None = None


@pytest.fixture
def conv() -> Converter:
    c = base_converter()
    configure(c, Settings, allow_comment=inverted("disableComment"), privacy=renamed("privacy_level"))
    configure(c, Defaults)
    return c


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("allow_comment", "false"),  # cattrs' default would make this True
        ("allow_comment", 0),
        ("count", "3"),  # cattrs' default would make this 3
        ("count", True),
        ("count", 1.5),
        ("ratio", "0.5"),
        ("ratio", False),
        ("name", 5),
        ("at", 1700000000),
        ("at", "not a date"),
    ],
)
def test_strict_hooks(conv: Converter, field: str, value: object) -> None:
    wire: dict[str, object] = {"disableComment": False, "count": 1}
    key = {"allow_comment": "disableComment", "privacy": "privacy_level"}.get(field, field)
    wire[key] = value
    with pytest.raises(ResponseError) as info:
        parse(conv, wire, Settings, provider="fake")
    assert "cannot read Settings" in str(info.value)
    assert info.value.provider == "fake"


def test_good_values_structure(conv: Converter) -> None:
    got = parse(
        conv,
        {
            "disableComment": True,
            "count": 3,
            "ratio": 1,
            "name": "n",
            "privacy_level": "SELF_ONLY",
            "extra": [1],
        },
        Settings,
        provider="fake",
    )
    assert got == Settings(allow_comment=False, count=3, ratio=1.0, name="n", privacy="SELF_ONLY")
    assert isinstance(got.ratio, float)


def test_renamed_and_inverted_both_ways(conv: Converter) -> None:
    out = conv.unstructure(Settings(allow_comment=False, privacy="PUBLIC_TO_EVERYONE"))
    assert out == {"disableComment": True, "count": 0, "privacy_level": "PUBLIC_TO_EVERYONE"}
    assert conv.unstructure(Settings(allow_comment=True))["disableComment"] is False
    back = parse(conv, out, Settings, provider="fake")
    assert back == Settings(allow_comment=False, privacy="PUBLIC_TO_EVERYONE")
    # an inverted field stays strict
    with pytest.raises(ResponseError):
        parse(conv, {"disableComment": "true"}, Settings, provider="fake")


def test_none_is_omitted_but_other_defaults_are_sent(conv: Converter) -> None:
    out = conv.unstructure(Settings())
    assert "name" not in out
    assert "at" not in out
    assert "ratio" not in out
    assert "privacy_level" not in out
    # a neutral default is a value: leaving it out would let the vendor's default leak
    assert conv.unstructure(Defaults()) == {"draft": False, "privacy": "SELF_ONLY"}
    assert conv.unstructure(Defaults(note="n")) == {"draft": False, "privacy": "SELF_ONLY", "note": "n"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2030-01-02T03:04:05Z", datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)),
        ("2030-01-02T03:04:05.250Z", datetime(2030, 1, 2, 3, 4, 5, 250000, tzinfo=UTC)),
        ("2030-01-02T05:04:05+02:00", datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)),
        ("2030-01-02T03:04:05", datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)),
    ],
)
def test_datetimes_read(conv: Converter, text: str, expected: datetime) -> None:
    got = parse(conv, {"disableComment": False, "at": text}, Settings, provider="fake").at
    assert got == expected
    assert got is not None
    assert got.tzinfo is not None
    assert parse_datetime(text) == expected


@pytest.mark.parametrize(
    ("text", "zone", "expected"),
    [
        ("2030-07-01T09:00:00", "America/New_York", datetime(2030, 7, 1, 13, tzinfo=UTC)),
        ("2030-07-01T09:00:00", "Not/AZone", datetime(2030, 7, 1, 9, tzinfo=UTC)),
        (
            "2030-07-01T09:00:00+02:00",
            "America/New_York",
            datetime(2030, 7, 1, 7, tzinfo=UTC),
        ),  # its offset wins
        ("2030-07-01T09:00:00", None, datetime(2030, 7, 1, 9, tzinfo=UTC)),
    ],
)
def test_a_wall_clock_time_is_read_in_the_zone_the_answer_names(
    text: str, zone: str | None, expected: datetime
) -> None:
    assert parse_datetime(text, zone=zone) == expected


def test_datetimes_written_with_offset(conv: Converter) -> None:
    tz = timezone(timedelta(hours=2))
    out = conv.unstructure(Settings(at=datetime(2030, 1, 2, 5, 4, 5, tzinfo=tz)))
    assert out["at"] == "2030-01-02T05:04:05+02:00"
    with pytest.raises(ValueError, match="naive"):
        conv.unstructure(Settings(at=datetime(2030, 1, 2)))


def test_parse_names_missing_and_mistyped_fields(conv: Converter) -> None:
    @attrs.frozen
    class Need:
        id: str
        n: int

    configure(conv, Need)
    with pytest.raises(ResponseError) as info:
        parse(conv, {"n": 1}, Need, provider="fake", what="publish answer")
    assert "publish answer" in str(info.value)
    assert "id" in str(info.value)
    assert info.value.body == '{"n": 1}'
    with pytest.raises(ResponseError) as info:
        parse(conv, {"id": "a", "n": "1"}, Need, provider="fake")
    assert "$.n" in str(info.value) or "n" in str(info.value)
    with pytest.raises(ResponseError):
        parse(conv, ["not", "an", "object"], Need, provider="fake")
    with pytest.raises(ResponseError):
        parse(conv, None, Need, provider="fake")


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        ("<!DOCTYPE html><html><body>502</body></html>", "an HTML page"),
        ("", "an empty body"),
        ("   ", "an empty body"),
        ('{"success": true, "data": {"publish_id": "v_', "a body that is not JSON"),
        ("OK", "a body that is not JSON"),
    ],
)
def test_read_json_refuses_unreadable_bodies(body: str, kind: str) -> None:
    with pytest.raises(ResponseError) as info:
        read_json(httpx.Response(200, text=body), provider="fake")
    assert kind in str(info.value)
    assert info.value.body == body


def test_read_json_reads_json() -> None:
    assert read_json(httpx.Response(200, json={"a": [1]}), provider="fake") == {"a": [1]}


def test_a_class_configured_after_first_use_is_read_the_same() -> None:
    """The converter makes its cattrs converter on first use; later registrations reach it directly."""

    @attrs.frozen
    class Late:
        media_id: str

    conv = base_converter()
    assert parse(conv, {"count": 1}, Defaults, provider="fake") == Defaults()  # first use: made now
    configure(conv, Late, media_id=renamed("mediaId"))
    assert parse(conv, {"mediaId": "m1"}, Late, provider="fake") == Late("m1")
    assert conv.unstructure(Late("m2")) == {"mediaId": "m2"}
    with pytest.raises(ResponseError, match="cannot read Late"):
        parse(conv, {"mediaId": 5}, Late, provider="fake")


def is_list(value: object) -> bool:
    return isinstance(value, list)


@pytest.mark.parametrize(
    "body",
    [
        [1],
        {"items": [1]},
        {"data": {"jobs": [1]}, "items": None},
        {"meta": {"items": [2]}, "data": {"items": [1]}},
    ],
    ids=["the-body", "under-a-key", "two-levels-down", "only-under-the-keys-named"],
)
def test_find_looks_in_the_body_then_under_the_keys_level_by_level(body: object) -> None:
    assert find(body, is_list, under=("items", "data", "jobs")) == [1]


def test_find_says_none_when_nothing_fits_within_the_depth() -> None:
    deep = {"data": {"data": {"data": [1]}}}
    assert find(deep, is_list, under=("data",), depth=3) == [1]
    assert find(deep, is_list, under=("data",), depth=2) is None
    assert find({"other": [1]}, is_list, under=("data",)) is None
    assert find("text", is_list, under=("data",)) is None


def test_json_of_is_the_json_a_text_holds_or_none() -> None:
    assert json_of('{"errors": {"file0": "Unsupported MIME type"}}') == {
        "errors": {"file0": "Unsupported MIME type"}
    }
    assert json_of(b"[1, 2]") == [1, 2]
    for nothing in (None, "", "<html>busy</html>", '{"cut": "sho', "[" * 100_000):
        assert json_of(nothing) is None
