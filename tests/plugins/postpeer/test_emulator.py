"""The PostPeer emulator refuses what the spec refuses, on every body it takes (not only the create)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest

from postmux import InstagramOptions, Post, Status, Target, ThreadsOptions, ValidationError, YouTubeOptions
from postmux.sandbox import Sandbox

pytestmark = pytest.mark.postmux_sandbox(providers=["postpeer"])


def _call(sandbox: Sandbox, method: str, path: str, body: object) -> httpx.Response:
    key = sandbox.emulator("postpeer").api_key
    return httpx.request(method, sandbox.url("postpeer") + path, json=body, headers={"x-access-key": key})


def _create(sandbox: Sandbox, **more: object) -> httpx.Response:
    account = next(a for a in sandbox.emulator("postpeer").accounts if a.platform == "tiktok" and a.active)
    body = {
        "content": "x",
        "platforms": [{"platform": "tiktok", "accountId": account.id}],
        "mediaItems": [{"type": "video", "url": sandbox.sample_url("clip.mp4")}],
        **more,
    }
    return _call(sandbox, "POST", "/v1/posts", body)


def test_a_scheduled_for_without_offset_is_refused(postmux_sandbox: Sandbox) -> None:
    naive = (postmux_sandbox.clock.datetime() + timedelta(days=1)).replace(tzinfo=None).isoformat()
    response = _create(postmux_sandbox, scheduledFor=naive, timezone="UTC")
    assert response.status_code == 400
    assert "date-time" in response.json()["message"] or "RFC 3339" in response.json()["message"]


def test_a_relative_media_url_is_refused(postmux_sandbox: Sandbox) -> None:
    account = next(a for a in postmux_sandbox.emulator("postpeer").accounts if a.platform == "tiktok")
    body = {
        "content": "x",
        "platforms": [{"platform": "tiktok", "accountId": account.id}],
        "mediaItems": [{"type": "video", "url": "clip.mp4"}],
        "publishNow": True,
    }
    assert _call(postmux_sandbox, "POST", "/v1/posts", body).status_code == 400


def test_reschedule_body_is_checked_against_the_spec(postmux_sandbox: Sandbox) -> None:
    pub = postmux_sandbox.publisher("postpeer")
    at = postmux_sandbox.clock.datetime().replace(microsecond=0) + timedelta(hours=1)
    post = Post(
        text="later",
        media=[postmux_sandbox.sample_url("clip.mp4")],
        targets=[Target("tiktok", "@sandbox_tiktok")],
        schedule_at=at,
    )
    (scheduled,) = pub.publish(post).results
    path = f"/v1/posts/scheduled/{scheduled.id}"
    naive = (at + timedelta(hours=1)).replace(tzinfo=None).isoformat()
    assert _call(postmux_sandbox, "PATCH", path, {"scheduledFor": naive}).status_code == 400
    moved = pub.reschedule(scheduled, at + timedelta(hours=2))  # what the adapter sends is taken
    assert moved.scheduled_for == at + timedelta(hours=2)


def test_upload_body_is_checked_against_the_spec(postmux_sandbox: Sandbox) -> None:
    extra = {"filename": "a.mp4", "mimeType": "video/mp4", "size": 3}
    assert _call(postmux_sandbox, "POST", "/v1/media/upload", extra).status_code == 400
    empty = {"filename": "", "mimeType": "video/mp4"}
    assert _call(postmux_sandbox, "POST", "/v1/media/upload", empty).status_code == 400
    fine = {"filename": "a.mp4", "mimeType": "video/mp4"}
    assert _call(postmux_sandbox, "POST", "/v1/media/upload", fine).status_code == 200


@pytest.mark.parametrize(
    "options",
    [
        {"instagram": InstagramOptions(collaborators="abc")},  # was sent as collaborators a, b and c
        {"youtube": YouTubeOptions(tags="cats")},  # was a 400: tags must be array
        {"threads": ThreadsOptions(alt_text="a")},  # was a 400: altText must be array
    ],
    ids=["collaborators", "tags", "threads-alt-text"],
)
def test_a_lone_string_for_a_list_option_is_refused_before_any_request(
    postmux_sandbox: Sandbox, options: dict[str, Any]
) -> None:
    ((platform, _),) = options.items()
    media = postmux_sandbox.sample_url("photo-1.jpg" if platform == "threads" else "clip.mp4")
    post = Post(text="x", media=[media], targets=[Target(platform, f"@sandbox_{platform}")], **options)
    pub = postmux_sandbox.publisher("postpeer")
    with pytest.raises(ValidationError) as info:
        pub.publish(post)
    assert [p.field for p in info.value.problems] == [f"{platform}.{next(iter(options[platform].given()))}"]
    assert postmux_sandbox.emulator("postpeer").received() == 0


def test_a_post_lists_its_entries_in_the_requests_order_a_refused_one_included(
    postmux_sandbox: Sandbox,
) -> None:
    """The n-th target on a platform is the n-th entry of the post (the README's assumption 1).

    Before: ``GET /v1/posts/{postId}`` listed the targets that got a record first and the refused
    ones (an expired account) after, so a refused first target read back as ``published`` and the
    published second one as ``failed``: a success reported as a failure, which a re-run sends again.
    """
    pub = postmux_sandbox.publisher("postpeer")
    ids = {a.username: a.id for a in postmux_sandbox.emulator("postpeer").accounts if a.platform == "tiktok"}
    post = Post(
        text="two creators",
        media=[postmux_sandbox.sample_url("clip.mp4")],
        targets=[Target("tiktok", ids["sandbox_expired"]), Target("tiktok", ids["sandbox_tiktok"])],
    )
    made = pub.publish(post).results
    assert [p.status for p in made] == [Status.FAILED, Status.PUBLISHED]
    read = [pub.status(p) for p in made]
    assert [p.status for p in read] == [Status.FAILED, Status.PUBLISHED], [p.error for p in read]
    assert read[1].url == made[1].url
    listed = pub.run(pub.adapter.status_many(made))
    assert [p.status for p in listed] == [Status.FAILED, Status.PUBLISHED]
