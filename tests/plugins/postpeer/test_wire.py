"""PostPeer's answer classes: what each requires and what it may leave out.

A leaner docs example and a fuller spec answer must both parse, so only what
postmux reads is required; these pin which fields those are.
"""

from __future__ import annotations

from typing import Any

import pytest

from postmux import ResponseError
from postmux.wire import parse
from postmux_postpeer import wire

ENTRY = {"platform": "tiktok"}


def _read(cls: type[Any], data: dict[str, Any]) -> Any:
    return parse(wire.converter, data, cls, provider="postpeer")


def test_the_least_answers_parse_with_every_optional_field_left_out() -> None:
    made = _read(
        wire.CreateAnswer, {"postId": "p1", "status": "pending", "platforms": [ENTRY | {"success": True}]}
    )
    assert (made.postId, made.status, made.scheduledFor) == ("p1", "pending", None)
    assert made.platforms == [wire.PlatformResult(platform="tiktok", success=True)]
    read = _read(
        wire.PostDetail, {"postId": "p1", "status": "published", "platforms": [ENTRY | {"status": "ok"}]}
    )
    assert (read.scheduledFor, read.timezone, read.rawRequestBody, read.content) == (None, None, None, None)
    assert read.platforms == [wire.PlatformState(platform="tiktok", status="ok")]


@pytest.mark.parametrize("cls", [wire.CreateAnswer, wire.PostDetail])
@pytest.mark.parametrize("missing", ["postId", "status", "platforms"])
def test_each_required_field_of_a_post_answer_is_required(cls: type[Any], missing: str) -> None:
    data = {"postId": "p1", "status": "pending", "platforms": []}
    del data[missing]
    with pytest.raises(ResponseError, match=missing):
        _read(cls, data)


def test_a_platform_entry_of_the_wrong_kind_is_refused() -> None:
    with pytest.raises(ResponseError, match="success"):
        _read(
            wire.CreateAnswer, {"postId": "p1", "status": "pending", "platforms": [ENTRY | {"status": "ok"}]}
        )
    with pytest.raises(ResponseError, match="status"):
        _read(
            wire.PostDetail, {"postId": "p1", "status": "pending", "platforms": [ENTRY | {"success": True}]}
        )
