"""Adapter.answer and Adapter.account: an envelope read by path, account status words by the vocabulary."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import attrs
import httpx
import pytest

from postmux import AccountStatus, Adapter, ProviderError, ResponseError, Secret
from postmux.creator import tiktok_creator_info
from postmux.vocabulary import AccountFields, ErrorEnvelope, Vocabulary
from postmux.wire import base_converter


@attrs.frozen(kw_only=True)
class Item:
    id: str
    ok: bool = True


class Envelope(Adapter):
    name: ClassVar[str] = "envelope"
    env_var: ClassVar[str] = "ENVELOPE_API_KEY"
    default_base_url: ClassVar[str] = "https://api.example.com"
    converter = base_converter()
    vocabulary = Vocabulary(
        errors=ErrorEnvelope(success="success"),
        accounts={"live": AccountStatus.ACTIVE, "gone": AccountStatus.EXPIRED},
    )

    def auth_headers(self, key: Secret) -> Mapping[str, str]:
        return {}


def answered(data: Any) -> httpx.Response:
    return httpx.Response(200, json=data, request=httpx.Request("GET", "https://api.example.com/x"))


def test_answer_reads_the_part_at_a_path_and_keeps_the_whole_json() -> None:
    data = {"success": True, "data": {"items": [{"id": "a"}, {"id": "b", "ok": False}]}}
    items, raw = Envelope().answer(answered(data), list[Item], at="data.items")
    assert items == [Item(id="a"), Item(id="b", ok=False)]
    assert raw == data


class Plain(Adapter):
    """An adapter that names no converter: it gets a plain one of its own."""

    name: ClassVar[str] = "plain"
    default_base_url: ClassVar[str] = "https://api.example.com"

    def auth_headers(self, key: Secret) -> Mapping[str, str]:
        return {}


class PlainChild(Plain):
    name: ClassVar[str] = "plain-child"


def test_an_adapter_without_a_converter_parses_with_a_plain_one_of_its_own() -> None:
    items, _ = Plain().answer(answered({"items": [{"id": "a"}]}), list[Item], at="items")
    assert items == [Item(id="a")]
    with pytest.raises(ResponseError, match="cannot read Item"):
        Plain().answer(answered({"id": 3}), Item)
    assert Plain.converter is not None
    assert Plain.converter is not Envelope.converter  # a hook one plugin registers is its own
    assert PlainChild.converter is Plain.converter  # a subclass keeps its parent's


@pytest.mark.parametrize("data", [{"data": {}}, {"other": 1}, [], {"data": {"items": [{"id": 3}]}}])
def test_a_missing_or_mistyped_part_is_a_response_error(data: Any) -> None:
    with pytest.raises(ResponseError, match="cannot read items"):
        Envelope().answer(answered(data), list[Item], what="items", at="data.items")


def test_answer_fields_returns_the_object_at_a_path_with_its_fields_checked() -> None:
    data = {"success": True, "data": {"uploadUrl": "https://s3/up?sig=1", "size": 3, "note": None}}
    part = Envelope().answer_fields(answered(data), at="data", uploadUrl=str, size=int, note=str | None)
    assert part == data["data"]
    whole = Envelope().answer_fields(answered(data), success=bool)
    assert whole == data  # no path: the whole answer, for .raw
    assert Envelope().answer_fields(answered({"data": {}}), at="data", later=str | None) == {}  # optional
    flags = {"data": {"on": True, "maybe": False}}
    assert Envelope().answer_fields(answered(flags), at="data", on=bool, maybe=bool | None) == flags["data"]


@pytest.mark.parametrize(
    ("data", "missing"),
    [
        ({"data": {"uploadUrl": "https://s3/up?sig=SECRET"}}, "data.publicUrl"),  # absent
        ({"data": {"uploadUrl": "https://s3/up?sig=SECRET", "publicUrl": 3}}, "data.publicUrl"),  # mistyped
        ({"data": {"uploadUrl": "https://s3/up?sig=SECRET", "publicUrl": ""}}, "data.publicUrl"),  # empty
        ({"data": {"uploadUrl": "https://s3/up?sig=SECRET", "publicUrl": None}}, "data.publicUrl"),  # null
        ({"data": ["https://s3/up?sig=SECRET"]}, "data.uploadUrl, data.publicUrl, data.size"),  # no object
        ({"other": 1}, "data.uploadUrl, data.publicUrl, data.size"),
        ({"data": {"uploadUrl": "u", "publicUrl": "p", "size": True}}, "data.size"),  # a bool is no int
    ],
)
def test_answer_fields_names_each_field_missing_and_keeps_no_body(data: Any, missing: str) -> None:
    with pytest.raises(ResponseError) as caught:
        Envelope().answer_fields(answered(data), at="data", uploadUrl=str, publicUrl=str, size=int | None)
    assert str(caught.value) == f"[envelope] the vendor's answer has no {missing}"
    assert caught.value.body is None  # such answers carry signed URLs and tokens
    assert "SECRET" not in repr(caught.value)


def test_answer_fields_raises_a_refusal_inside_a_2xx_first() -> None:
    with pytest.raises(ProviderError, match="no"):
        Envelope().answer_fields(answered({"success": False, "message": "no"}), at="data", id=str)


def test_answer_raises_a_refusal_inside_a_2xx_unless_told_not_to() -> None:
    refused = {"success": False, "message": "no", "data": {"id": "a"}}
    with pytest.raises(ProviderError, match="no"):
        Envelope().answer(answered(refused), Item, at="data")
    item, _ = Envelope().answer(answered(refused), Item, at="data", refusals=False)
    assert item == Item(id="a")


@pytest.mark.parametrize(
    ("word", "reason", "status", "why"),
    [
        (None, None, AccountStatus.ACTIVE, None),
        ("active", None, AccountStatus.UNKNOWN, "active"),  # not this vendor's word
        ("live", None, AccountStatus.ACTIVE, None),
        ("gone", None, AccountStatus.EXPIRED, "gone"),
        ("gone", "token_expired", AccountStatus.EXPIRED, "token_expired"),
        ("odd", None, AccountStatus.UNKNOWN, "odd"),
    ],
)
def test_account_status_words_come_from_the_vocabulary(
    word: str | None, reason: str | None, status: AccountStatus, why: str | None
) -> None:
    account = Envelope().account("a1", "tiktok", word, raw={"id": "a1"}, reason=reason, username="me")
    assert (account.id, account.platform, account.provider, account.username) == (
        "a1",
        "tiktok",
        "envelope",
        "me",
    )
    assert (account.status, account.status_reason, account.raw) == (status, why, {"id": "a1"})


# -- TikTok's creator_info, snake_case or camelCase -----------------------------------------


@pytest.mark.parametrize(
    "fields",
    [
        {
            "privacy_level_options": ["SELF_ONLY"],
            "comment_disabled": True,
            "duet_disabled": False,
            "stitch_disabled": False,
            "max_video_post_duration_sec": 600,
            "creator_username": "me",
        },
        {
            "privacyLevelOptions": ["SELF_ONLY"],
            "commentDisabled": True,
            "duetDisabled": False,
            "stitchDisabled": False,
            "maxVideoPostDurationSec": 600.0,
            "creatorUsername": "me",
        },
    ],
)
def test_tiktok_creator_info_reads_either_spelling(fields: dict[str, Any]) -> None:
    info = tiktok_creator_info("a1", fields, provider="envelope", raw={"data": fields})
    assert (info.account_id, info.privacy_options, info.comments_disabled) == ("a1", ("SELF_ONLY",), True)
    assert (info.max_video_duration_s, info.username, info.raw) == (600, "me", {"data": fields})


def test_tiktok_creator_info_missing_a_field_is_a_response_error() -> None:
    with pytest.raises(ResponseError, match="cannot read creator info"):
        tiktok_creator_info("a1", {"privacyLevelOptions": []}, provider="envelope", raw={})


# -- accounts_from: a listing read by its declared key names ----------------------------------

LISTING = AccountFields(id="accountId", status="state", reason="why", display_name="shown", avatar_url="pic")


def test_accounts_from_reads_each_item_by_the_declared_keys() -> None:
    data = {
        "data": [
            {
                "accountId": "a1",
                "platform": "tiktok",
                "username": "me",
                "shown": "Me",
                "pic": "https://p/a.jpg",
            },
            {"accountId": "a2", "state": "gone", "why": "token_expired", "extra": 1},
        ]
    }
    first, second = Envelope().accounts_from(data, LISTING, at="data", platform="instagram")
    assert (first.id, first.platform, first.status, first.display_name) == (
        "a1",
        "tiktok",
        AccountStatus.ACTIVE,
        "Me",
    )
    assert (first.avatar_url, first.raw) == ("https://p/a.jpg", data["data"][0])
    assert (second.platform, second.status, second.status_reason) == (
        "instagram",  # the item names none
        AccountStatus.EXPIRED,
        "token_expired",
    )


@pytest.mark.parametrize(
    "data",
    [
        {"data": {}},
        {"data": ["x"]},
        {"data": [{"platform": "tiktok"}]},
        {"data": [{"accountId": "a", "username": 3}]},
    ],
)
def test_accounts_from_refuses_what_it_cannot_read(data: Any) -> None:
    with pytest.raises(ResponseError, match="cannot read linked accounts"):
        Envelope().accounts_from(data, LISTING, at="data", what="linked accounts", platform="tiktok")


@pytest.mark.parametrize(
    "body",
    [
        {"text": "héllo 👋", "n": 1, "ok": True, "none": None},
        {"nested": {"list": [1, 2.5, "x"], "empty": {}}},
        [],
    ],
)
def test_a_json_request_is_the_one_httpx_builds(body: Any) -> None:
    """The adapter's own JSON request (built without httpx's header machinery) is httpx's, byte for byte."""
    ours = Envelope().request("POST", "/v1/posts?x=1", json=body)
    theirs = httpx.Request("POST", "https://api.example.com/v1/posts?x=1", json=body)
    assert ours.headers.raw == theirs.headers.raw
    assert ours.content == theirs.content
    assert (ours.method, ours.url) == (theirs.method, theirs.url)


@pytest.mark.parametrize("seconds", [float("inf"), float("nan")])
def test_tiktok_creator_info_with_no_whole_duration_is_a_response_error(seconds: float) -> None:
    """JSON's ``1e999`` or ``NaN`` passed the float check; ``int()`` then raised OverflowError, ValueError."""
    fields = {
        "privacy_level_options": ["SELF_ONLY"],
        "comment_disabled": False,
        "duet_disabled": False,
        "stitch_disabled": False,
        "max_video_post_duration_sec": seconds,
    }
    with pytest.raises(ResponseError, match="max_video_post_duration_sec"):
        tiktok_creator_info("a1", fields, provider="envelope", raw={"data": fields})
