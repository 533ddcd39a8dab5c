"""The spec guard itself: it must refuse what PostPeer refuses, or every other check means nothing."""

from __future__ import annotations

import copy
from typing import Any

import httpx
import pytest

from postmux import Post, Target

from .fake import FakePostPeer, answer
from .spec import BASE, Spec

DOCS_CROSS_POST: dict[str, Any] = {
    "content": "New tutorial out now!",
    "platforms": [
        {"platform": "tiktok", "accountId": "tt_321"},
        {
            "platform": "youtube",
            "accountId": "yt_789",
            "platformSpecificData": {"title": "New Tutorial", "privacyStatus": "public"},
        },
        {"platform": "instagram", "accountId": "ig_456"},
    ],
    "mediaItems": [{"type": "video", "url": "https://cdn.example.com/vertical.mp4"}],
    "publishNow": True,
}
"""The cross-post request of ``postpeer-tiktok.txt``, exactly as the docs page shows it."""


def _errors(spec: Spec, body: dict[str, Any], method: str = "POST", path: str = "/v1/posts") -> list[str]:
    import json

    return spec.errors(method, BASE + path, json.dumps(body))


def test_the_docs_cross_post_is_refused_for_privacy_status(spec: Spec) -> None:
    errors = _errors(spec, DOCS_CROSS_POST)
    assert errors
    assert any("privacyStatus" in e or "valid under" in e for e in errors)


def test_with_visibility_the_same_request_passes(spec: Spec) -> None:
    fixed = copy.deepcopy(DOCS_CROSS_POST)
    fixed["platforms"][1]["platformSpecificData"] = {"title": "New Tutorial", "visibility": "public"}
    assert _errors(spec, fixed) == []


@pytest.mark.parametrize(
    ("change", "what"),
    [
        ({"scheduledAt": "2026-07-01T09:00:00Z"}, "scheduledAt (the older docs' name)"),
        ({"scheduledFor": "2026-07-01T09:00:00", "timezone": "UTC"}, "a date-time without offset"),
        (
            {"mediaItems": [{"type": "photo", "url": "https://x.example/a.jpg"}]},
            "a media type outside the enum",
        ),
        ({"mediaItems": [{"type": "image", "url": "a.jpg"}]}, "a relative media URL"),
        ({"platforms": []}, "no platforms"),
    ],
)
def test_refused_bodies(spec: Spec, change: dict[str, Any], what: str) -> None:
    body = {**copy.deepcopy(DOCS_CROSS_POST), **change}
    body["platforms"] = change.get("platforms", [{"platform": "tiktok", "accountId": "tt_321"}])
    assert _errors(spec, body), what


def test_paths_outside_the_spec_and_bodies_on_bodiless_calls_are_refused(spec: Spec) -> None:
    assert spec.errors("POST", BASE + "/v1/post", "{}")
    assert spec.errors("DELETE", BASE + "/v1/posts/scheduled/p1", '{"x": 1}')
    assert spec.errors("PUT", "https://s3.example/up", b"bytes") == []


def test_the_fake_fails_a_test_that_sends_a_refused_body(spec: Spec) -> None:
    vendor = FakePostPeer(spec).on("POST", "/v1/posts", answer(202, {}))
    with httpx.Client(transport=vendor.transport()) as client:
        client.post(BASE + "/v1/posts", json=DOCS_CROSS_POST)
    assert vendor.violations


def test_a_post_for_every_platform_validates(spec: Spec) -> None:
    from postmux import Route
    from postmux_postpeer import PostPeerAdapter

    platforms = ["tiktok", "instagram", "threads", "facebook", "youtube"]
    post = Post(text="hi", media=["https://cdn.example.com/a.mp4"], targets=[Target(p, p) for p in platforms])
    routes = [Route(t, t.account) for t in post.targets]
    body = PostPeerAdapter().post_body(post, routes, ("https://cdn.example.com/a.mp4",))
    assert _errors(spec, body) == []
