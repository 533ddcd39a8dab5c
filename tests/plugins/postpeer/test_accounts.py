"""Accounts (every page), creator info and linking, through sync and async publishers."""

from __future__ import annotations

import pytest

from postmux import AccountStatus, ConnectStatus, NotFoundError, ProviderError, UnsupportedError

from .fake import FakePostPeer, answer
from .support import Either, integration


def _page(total: int, items: list[dict[str, object]]) -> dict[str, object]:
    return {"success": True, "total": total, "integrations": items}


async def test_accounts_reads_every_page(either: Either, fake: FakePostPeer) -> None:
    first = [integration(f"i{n}", "tiktok", f"user{n}") for n in range(100)]
    second = [integration(f"i{n}", "instagram", f"user{n}") for n in range(100, 149)]
    second.append(
        integration(
            "i149",
            "facebook",
            "page",
            authStatus="reconnect_required",
            authFailureReason="token_expired",
        )
    )
    fake.on(
        "GET", "/v1/connect/integrations", answer(200, _page(150, first)), answer(200, _page(150, second))
    )
    accounts = await either("accounts")
    assert len(accounts) == 150
    assert [dict(r.url.params) for r in fake.requests] == [
        {"limit": "100", "offset": "0"},
        {"limit": "100", "offset": "100"},
    ]
    assert accounts[0].id == "i0"
    assert accounts[0].username == "user0"
    assert accounts[0].display_name == "User0"
    assert accounts[0].active
    broken = accounts[-1]
    assert broken.status is AccountStatus.RECONNECT_REQUIRED
    assert broken.status_reason == "token_expired"
    assert not broken.active
    assert broken.raw["authStatus"] == "reconnect_required"


async def test_an_empty_page_ends_the_listing(either: Either, fake: FakePostPeer) -> None:
    fake.on("GET", "/v1/connect/integrations", answer(200, _page(5, [integration("a", "tiktok", "a")])))
    fake.on("GET", "/v1/connect/integrations", answer(200, _page(5, [])))
    assert [a.id for a in await either("accounts")] == ["a"]
    assert fake.calls == 2


async def test_creator_info_reads_camel_case(either: Either, fake: FakePostPeer) -> None:
    data = {
        "creatorAvatarUrl": None,
        "creatorUsername": "brand",
        "creatorNickname": "Brand",
        "privacyLevelOptions": ["PUBLIC_TO_EVERYONE", "SELF_ONLY"],
        "commentDisabled": False,
        "duetDisabled": True,
        "stitchDisabled": False,
        "maxVideoPostDurationSec": 600,
    }
    fake.on("GET", "/v1/tiktok/creator-info", answer(200, {"success": True, "data": data}))
    info = await either("creator_info", "tt_321")
    assert fake.requests[0].url.params["accountId"] == "tt_321"
    assert info.privacy_options == ("PUBLIC_TO_EVERYONE", "SELF_ONLY")
    assert (info.comments_disabled, info.duets_disabled, info.stitches_disabled) == (False, True, False)
    assert info.max_video_duration_s == 600
    assert info.username == "brand"
    assert info.avatar_url is None


async def test_creator_info_refused_by_tiktok_with_200(either: Either, fake: FakePostPeer) -> None:
    fake.on(
        "GET", "/v1/tiktok/creator-info", answer(200, {"success": False, "error": "spam_risk_too_many_posts"})
    )
    with pytest.raises(ProviderError, match="spam_risk_too_many_posts"):
        await either("creator_info", "tt_321")


async def test_creator_info_404_uses_the_error_shape(either: Either, fake: FakePostPeer) -> None:
    fake.on("GET", "/v1/tiktok/creator-info", answer(404, {"error": "TikTok account not found"}))
    with pytest.raises(NotFoundError, match="TikTok account not found"):
        await either("creator_info", "missing")


async def test_connect_gives_the_oauth_url_and_waits_for_the_new_account(
    either: Either, fake: FakePostPeer
) -> None:
    known = [integration("old", "instagram", "old")]
    fresh = integration("new", "instagram", "brand")
    fake.on(
        "GET",
        "/v1/connect/integrations",
        answer(200, _page(1, known)),
        answer(200, _page(1, known)),
        answer(200, _page(2, [*known, fresh])),
    )
    fake.on(
        "GET", "/v1/connect/instagram", answer(200, {"url": "https://www.instagram.com/oauth/authorize?x=1"})
    )
    session = await either("connect", "instagram", headless=True)
    assert session.url == "https://www.instagram.com/oauth/authorize?x=1"
    assert fake.requests[1].url.params["headless"] == "true"
    first = await Either(session)("poll")
    assert first.status is ConnectStatus.PENDING
    account = await Either(session)("wait", timeout=5)  # confirmed at once: no pause between polls
    assert account.id == "new"
    assert account.username == "brand"


async def test_connect_refuses_unknown_platforms_and_options(either: Either, fake: FakePostPeer) -> None:
    with pytest.raises(UnsupportedError):
        await either("connect", "myspace")
    with pytest.raises(UnsupportedError):
        await either("connect", "tiktok", color="blue")
    assert fake.calls == 0
