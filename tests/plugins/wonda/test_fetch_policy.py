"""Through the Wonda emulator: a medium the fetch policy refuses fails its targets, and nothing is uploaded.

Wonda takes only media it holds, so its plugin downloads every URL before
uploading it: exactly the download an attacker aims at an internal service.
The sandbox's own media host is allowed (its policy names it); the
"internal service" next to it, on another loopback port, is not.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from postmux import FetchPolicy, FetchRefusedError, Post, PublishReport, Status, Target, ValidationError
from postmux.sandbox import Sandbox
from postmux.testing.servers import Answer, InternalService

from .helpers import Recorder, async_publisher, sync_publisher, wonda_server


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(["wonda"]) as running:
        yield running


@pytest.fixture
def internal() -> Iterator[InternalService]:
    with InternalService() as service:
        yield service


@pytest.fixture
def cdn(internal: InternalService) -> Iterator[InternalService]:
    """An allowed host (on the policy's list) whose file redirects to the internal service."""
    redirect = Answer(302, {"Location": f"{internal.origin}/clip.mp4"}, b"")
    with InternalService({"/clip.mp4": redirect}) as service:
        yield service


def targets(sandbox: Sandbox) -> list[Target]:
    emulator = sandbox.emulator("wonda")
    by_platform = {a.platform: a.id for a in reversed(emulator.accounts) if a.active}
    return [Target("tiktok", by_platform["tiktok"]), Target("instagram", by_platform["instagram"])]


def publish(sandbox: Sandbox, mode: str, post: Post, **options: Any) -> PublishReport:
    if mode == "sync":
        with sandbox.publisher("wonda", **options) as pub:
            return pub.publish(post)

    async def go() -> PublishReport:
        async with sandbox.async_publisher("wonda", **options) as apub:
            return await apub.publish(post)

    return asyncio.run(go())


def reached(sandbox: Sandbox) -> list[str]:
    return [f"{method} {path}" for method, path in sandbox.emulator("wonda").requests]


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("redirected", [False, True], ids=["direct", "redirected-from-an-allowed-host"])
def test_a_medium_on_an_internal_service_fails_its_targets_and_nothing_is_uploaded(
    sandbox: Sandbox, internal: InternalService, cdn: InternalService, mode: str, redirected: bool
) -> None:
    before = reached(sandbox)
    start = cdn if redirected else internal
    post = Post(text="hi", media=[f"{start.origin}/clip.mp4"], targets=targets(sandbox))
    allowed = {urlsplit(sandbox.media.base_url).netloc, f"127.0.0.1:{cdn.port}"}
    report = publish(sandbox, mode, post, media_fetch=FetchPolicy(schemes={"http"}, allow_hosts=allowed))
    assert [p.status for p in report] == [Status.FAILED, Status.FAILED]
    for p in report:
        assert isinstance(p.exception, FetchRefusedError)
        assert (p.exception.medium, p.exception.rule) == ("media[0]", "address")
        assert "127.0.0.1 is a loopback address" in (p.error or "")
    assert internal.hits == []
    assert len(cdn.hits) == (1 if redirected else 0)
    assert reached(sandbox) == before  # no upload, no post: Wonda saw nothing


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_the_sandbox_media_host_is_still_fetched(sandbox: Sandbox, mode: str) -> None:
    before = len(reached(sandbox))
    post = Post(text="hi", media=[sandbox.sample_url("clip.mp4")], targets=targets(sandbox))
    report = publish(sandbox, mode, post)
    assert [p.status for p in report] == [Status.QUEUED, Status.QUEUED]
    assert [r for r in reached(sandbox)[before:] if r.endswith("/media/upload")] == [
        "POST /api/v1/media/upload"
    ]


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_postmux_publisher_takes_media_root(tmp_path: Path, mode: str) -> None:
    root = tmp_path / "uploads"
    root.mkdir()
    (root / "mine.mp4").write_bytes(b"mine")
    (tmp_path / "theirs.mp4").write_bytes(b"theirs")
    recorder = Recorder(wonda_server())
    inside = Post(media=[root / "mine.mp4"], targets=["tiktok:acc-1"])
    outside = Post(media=[root / ".." / "theirs.mp4"], targets=["tiktok:acc-1"])
    if mode == "sync":
        with sync_publisher(recorder, media_root=root) as pub:
            with pytest.raises(ValidationError, match=r"media\[0\]\.path: the file is outside media_root"):
                pub.publish(outside)
            assert recorder.requests == []
            assert pub.publish(inside).ok
        return

    async def go() -> None:
        async with async_publisher(recorder, media_root=root) as apub:
            with pytest.raises(ValidationError, match="outside media_root"):
                await apub.publish(outside)
            assert recorder.requests == []
            assert (await apub.publish(inside)).ok

    asyncio.run(go())
