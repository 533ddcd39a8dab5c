"""TikTok's documented examples, replayed through the sync and the async publisher.

Each cassette in ``cassettes/tiktok/`` is built from an example on a TikTok for Developers page
(``cassettes/tiktok/README.md`` names it). Publishing flows are driven with ``Publisher.run``
on the routed target, as the publisher's own publish would after resolving it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx
import pytest

import postmux
from postmux import (
    PermissionDeniedError,
    Post,
    Publication,
    RateLimitError,
    RetryPolicy,
    Route,
    Secret,
    Status,
    Target,
    TikTokOptions,
)
from postmux.credentials import Token
from postmux_tiktok import refresher

from .conftest import DOC_TOKEN, PLUGINS, documented_creator, no_sleep

Action = Callable[[Any], Any]
VIDEO_URL = "https://example.verified.domain.com/example_video.mp4"
NO_RETRY = RetryPolicy(max_retries=0)


@pytest.fixture(params=["sync", "async"])
def drive(request: pytest.FixtureRequest) -> Callable[[Action], Any]:
    """Run ``action(publisher)`` on a real httpx client (intercepted by the cassette), sync or async."""
    options: dict[str, Any] = {"plugins": PLUGINS, "retry": NO_RETRY}

    def sync(action: Action) -> Any:
        with postmux.publisher("tiktok", credentials=documented_creator(), sleep=no_sleep, **options) as pub:
            return action(pub)

    def run_async(action: Action) -> Any:
        async def go() -> Any:
            async with postmux.async_publisher("tiktok", credentials=documented_creator(), **options) as apub:
                return await action(apub)

        return asyncio.run(go())

    return sync if request.param == "sync" else run_async


def publishing(post: Post) -> Action:
    route = Route(post.targets[0], "creator")
    return lambda pub: pub.run(pub.adapter.publish(post, [route], tuple(str(m.url) for m in post.media)))


def documented_video(**options: Any) -> Post:
    """The Direct Post example: its title, privacy and interaction settings."""
    settings = TikTokOptions(privacy="MUTUAL_FOLLOW_FRIENDS", allow_comment=False, cover_timestamp_ms=1000)
    return Post(
        text="this will be a funny #cat video on your @tiktok #fyp",
        media=[VIDEO_URL],
        targets=[Target("tiktok", "creator")],
        tiktok=TikTokOptions(**{**settings.given(), **options}),
    )


@pytest.mark.vcr("video_direct_url.yaml")
def test_a_url_video_reads_creator_info_then_inits_a_direct_post(
    drive: Callable[[Action], Any], vcr: Any
) -> None:
    (p,) = drive(publishing(documented_video()))
    assert (p.status, p.id) == (Status.PROCESSING, "v_pub_url~v2.123456789")
    assert p.state["username"] == "tiktoker"  # from creator info, for the post's URL later
    assert vcr.play_count == 2
    assert all(DOC_TOKEN not in str(r.headers) for r in vcr.requests)  # never recorded


@pytest.mark.vcr("video_inbox_url.yaml")
def test_a_video_draft_goes_to_the_inbox_endpoint_with_source_info_alone(
    drive: Callable[[Action], Any], vcr: Any
) -> None:
    post = Post(media=[VIDEO_URL], targets=[Target("tiktok", "creator")], tiktok=TikTokOptions(draft=True))
    (p,) = drive(publishing(post))
    assert (p.id, p.state["draft"]) == ("v_inbox_url~v2.123456789", "1")
    assert vcr.play_count == 1  # no creator info for a draft: it has no settings to check


@pytest.mark.vcr("photo_direct.yaml")
def test_a_photo_post_takes_title_description_and_cover(drive: Callable[[Action], Any], vcr: Any) -> None:
    post = Post(
        title="funny cat",
        text="this will be a #funny photo on your @tiktok #fyp",
        media=[
            "https://tiktokcdn.com/obj/example-image-01.webp",
            "https://tiktokcdn.com/obj/example-image-02.webp",
        ],
        targets=[Target("tiktok", "creator")],
        tiktok=TikTokOptions(
            privacy="PUBLIC_TO_EVERYONE", allow_comment=False, auto_add_music=True, cover_index=1
        ),
    )
    (p,) = drive(publishing(post))
    assert (p.id, p.media_kind) == ("p_pub_url~v2.123456789", postmux.MediaKind.PHOTO)


@pytest.mark.vcr("status_failed.yaml")
def test_a_failed_post_has_its_reason(drive: Callable[[Action], Any]) -> None:
    sent = Publication(
        target=Target("tiktok", "creator"),
        provider="tiktok",
        status=Status.PROCESSING,
        id="v_pub_url~v2.123456789",
        account_id="creator",
    )
    p = drive(lambda pub: pub.status(sent))
    assert p.status is Status.FAILED
    assert p.error_code == "picture_size_check_failed"
    assert p.error == "the picture size is outside what TikTok accepts"


@pytest.mark.vcr("error_rate_limit.yaml")
def test_rate_limit_exceeded_is_a_rate_limit_error_with_the_log_id(drive: Callable[[Action], Any]) -> None:
    with pytest.raises(RateLimitError) as caught:
        drive(publishing(documented_video()))
    assert caught.value.code == "rate_limit_exceeded"
    assert caught.value.request_id == "202210112248442CB9319E1FB30C1073F6"


@pytest.mark.vcr("error_spam_risk.yaml")
def test_the_daily_cap_says_what_to_do(drive: Callable[[Action], Any]) -> None:
    with pytest.raises(PermissionDeniedError, match="try again tomorrow") as caught:
        drive(publishing(documented_video()))
    assert caught.value.code == "spam_risk_too_many_posts"
    assert DOC_TOKEN not in repr(caught.value) + str(caught.value) + str(caught.value.body)


@pytest.mark.vcr("token_refresh.yaml")
def test_the_refresh_hook_exchanges_the_refresh_token() -> None:
    with httpx.Client() as client:
        refresh = refresher("CLIENT_KEY", "CLIENT_SECRET", client=client)
        stale = Token(access=Secret("act.stale"), refresh=Secret("REFRESH_TOKEN"))
        fresh = refresh("afd97af1-b87b-48b9-ac98-410aghda5344", stale)
    assert fresh.access == Secret(DOC_TOKEN)
    assert fresh.refresh == Secret("rft.example12345Example12345Example")
    assert fresh.expires_at is not None
    assert "CLIENT_SECRET" not in repr(refresh) + repr(fresh)
