"""``pub.preview(post)``: the exact requests, key redacted, nothing sent but an optional account look-up."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

import postmux
from postmux import Post, Secret, Target, TikTokOptions, ValidationError
from postmux.flow import file_request
from postmux.media import Media
from postmux.preview import describe_request, placeholder
from postmux.ranges import range_request
from postmux.sandbox.samples import write_samples
from postmux_wahdx import WahdxAdapter

KEY = "sk_test_0123456789abcdef"
VIDEO = "https://cdn.example.com/clip.mp4"


def _refuse(request: httpx.Request) -> httpx.Response:
    raise AssertionError(f"preview sent {request.method} {request.url}")


def offline(name: str, handler: Callable[[httpx.Request], httpx.Response] = _refuse) -> postmux.Publisher:
    """A publisher whose transport fails the test if anything is sent."""
    client = httpx.Client(transport=httpx.MockTransport(handler))
    return postmux.publisher(name, api_key=KEY, client=client)


def post(*targets: str, **options: object) -> Post:
    return Post(text="Hello #postmux", media=[VIDEO], targets=list(targets), **options)  # type: ignore[arg-type]


def test_one_request_per_target_with_the_exact_body_and_the_key_redacted() -> None:
    pub = offline("wahdx")
    p = post("tiktok:acc-1", "instagram:acc-2", tiktok=TikTokOptions(allow_comment=False))
    preview = pub.preview(p)
    assert preview.complete
    assert [t.target for t in preview.targets] == [Target("tiktok", "acc-1"), Target("instagram", "acc-2")]
    tiktok = preview.for_target("tiktok:acc-1").requests
    assert len(tiktok) == 1
    request = tiktok[0]
    assert (request.method, request.url, request.step) == (
        "POST",
        "https://api-tiktok.wahdx.co/api/content/post",
        "publish",
    )
    assert request.headers["x-api-key"] == "***"
    assert request.body_kind == "json"
    route = postmux.Route(Target("tiktok", "acc-1"), "acc-1")
    assert isinstance(pub.adapter, WahdxAdapter)
    assert request.body == pub.adapter.post_body(p, route)
    assert request.body["tiktokSettings"]["allow_comment"] is False
    assert request.body["tiktokSettings"]["privacy_level"] == "SELF_ONLY"  # the neutral default, sent
    dumped = json.dumps(preview.to_dict())
    assert KEY not in dumped
    assert KEY not in repr(preview)


def test_a_vendor_that_batches_shows_one_request_shared_by_its_targets() -> None:
    preview = offline("postpeer").preview(post("tiktok:acc-1", "threads:acc-3"))
    assert len(preview.requests) == 1
    (request,) = preview.requests
    assert request.headers["x-access-key"] == "***"
    assert [e["platform"] for e in request.body["platforms"]] == ["tiktok", "threads"]
    assert preview.for_target("tiktok:acc-1").requests == preview.for_target("threads:acc-3").requests


def test_staging_stops_at_the_first_request_whose_answer_is_needed_and_says_so() -> None:
    preview = offline("wonda").preview(post("tiktok:acc-1"))
    assert not preview.complete
    download, publish = preview.for_target("tiktok:acc-1").requests
    assert (download.step, download.method, download.url) == ("stage", "GET", VIDEO)
    assert download.download
    assert not download.to_vendor
    assert "authorization" not in download.headers  # a CDN never sees the key
    assert publish.step == "publish"
    assert publish.headers["authorization"] == "Bearer ***"
    assert publish.body["mediaId"] == placeholder(0)
    assert any("staging continues only once" in note for note in preview.notes)
    assert any("FetchPolicy" in note for note in preview.notes)


def test_a_file_body_is_described_not_read(tmp_path: Path) -> None:
    clip = write_samples(tmp_path)[0]
    preview = offline("wonda").preview(
        Post(text="hi", media=[Media(path=clip)], targets=[Target("tiktok", "acc-1")])
    )
    (upload,) = [r for r in preview.requests if r.step == "stage"]
    assert upload.method == "POST"
    assert upload.url.endswith("/media/upload")
    assert upload.body_kind == "multipart"
    (part,) = upload.body["parts"]
    assert part == {
        "name": "file",
        "filename": "clip.mp4",
        "content_type": "video/mp4",
        "bytes": clip.stat().st_size,
    }


def test_a_presigned_upload_is_asked_for_then_the_preview_stops(tmp_path: Path) -> None:
    clip = write_samples(tmp_path)[0]
    preview = offline("postpeer").preview(
        Post(text="hi", media=[Media(path=clip)], targets=[Target("tiktok", "acc-1")])
    )
    ask, publish = preview.requests
    assert ask.url.endswith("/v1/media/upload")
    assert ask.body == {
        "filename": "clip.mp4",
        "mimeType": "video/mp4",
    }
    assert publish.body["mediaItems"][0]["url"] == placeholder(0)


def test_usernames_are_resolved_with_one_accounts_request_or_left_as_given() -> None:
    seen: list[str] = []

    def vendor(request: httpx.Request) -> httpx.Response:
        seen.append(f"{request.method} {request.url.path}")
        accounts = [{"accountId": "acc-42", "platform": "tiktok", "username": "brand"}]
        return httpx.Response(200, json={"success": True, "data": accounts})

    pub = offline("wahdx", vendor)
    resolved = pub.preview(post("tiktok:@brand"))
    assert seen == ["GET /api/content/accounts"]
    assert resolved.requests[0].body["accountId"] == "acc-42"
    as_given = offline("wahdx").preview(post("tiktok:@brand"), resolve=False)
    assert as_given.requests[0].body["accountId"] == "@brand"


def test_bad_input_raises_every_problem_with_nothing_sent() -> None:
    with pytest.raises(ValidationError) as caught:
        offline("wonda").preview(post("threads:acc-3", tiktok=TikTokOptions(privacy="EVERYONE")))  # type: ignore[arg-type]  # deliberately invalid
    assert "targets[0].platform" in caught.value.fields


def test_the_async_publisher_previews_the_same_requests() -> None:
    p = post("tiktok:acc-1", "instagram:acc-2")

    async def main() -> postmux.Preview:
        client = httpx.AsyncClient(transport=httpx.MockTransport(_refuse))
        async with postmux.async_publisher("postpeer", api_key=KEY, client=client) as apub:
            return await apub.preview(p)

    assert asyncio.run(main()) == offline("postpeer").preview(p)


def test_a_key_inside_a_body_is_redacted_too() -> None:
    p = Post(text="hi", media=[VIDEO], targets=["tiktok:acc-1"], extras={"wahdx": {"note": f"key {KEY}"}})
    (request,) = offline("wahdx").preview(p).requests
    assert request.body["note"] == "key ***"


def test_a_chunk_of_a_file_is_described_by_its_range_not_read(tmp_path: Path) -> None:
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(b"x" * 1000)
    pub = offline("tiktok")
    chunk = range_request("PUT", "https://upload.example/u/1", clip, 400, 600, content_type="video/mp4")
    described = describe_request(chunk, pub.driver, Secret(KEY), "publish")
    assert described.body_kind == "file"
    assert described.body == {"path": str(clip), "offset": 400, "bytes": 600}
    assert described.headers["content-range"] == "bytes 400-999/1000"
    whole = describe_request(
        file_request("PUT", "https://upload.example/u/2", clip), pub.driver, Secret(KEY), "stage"
    )
    assert whole.body == {"path": str(clip), "bytes": 1000}
