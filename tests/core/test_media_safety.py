"""Media from untrusted users, at the publisher: strings are URLs, local files stay in media_root,
a refused download fails its targets (and sends nothing), and nothing secret rests on disk readable by others.
"""

from __future__ import annotations

import asyncio
import io
import os
import stat
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx
import pytest

from postmux import (
    AsyncPublisher,
    ConfigurationError,
    FetchPolicy,
    FetchRefusedError,
    Media,
    MemoryLedger,
    Post,
    Publisher,
    PublishReport,
    Route,
    Secret,
    SQLiteLedger,
    Status,
    Target,
    ValidationError,
)
from postmux.cli.state import PublicationStore, write_private, write_sandbox_state
from postmux.flow import Flow, media_request
from postmux.results import Publication

from .fakes import KEY, FakeAdapter, Vendor, published
from .fetch_support import VIDEO, resolver

DNS = resolver({"cdn.example.com": ["151.101.2.10"], "internal.example": ["10.0.0.5"]})


class DownloadingAdapter(FakeAdapter):
    """A vendor that takes only what it holds: stage downloads every URL (as Wonda's plugin does)."""

    def stage(self, post: Post, routes: Sequence[Route]) -> Flow[tuple[str, ...]]:
        refs: list[str] = []
        for i, item in enumerate(post.media):
            if item.url is not None:
                sink = io.BytesIO()
                yield media_request(item.url, sink, medium=f"media[{i}]", kind=item.kind)
                refs.append(f"uploaded-{len(sink.getvalue())}")
            else:
                refs.append(f"file-{item.filename}")
        return tuple(refs)


def vendor() -> Vendor:
    def cdn_or_posts(request: httpx.Request) -> httpx.Response:
        if request.headers.get("host") == "cdn.example.com":
            return httpx.Response(200, content=VIDEO, headers={"Content-Type": "video/mp4"})
        return httpx.Response(404)

    v = Vendor({"POST /posts": published})
    v.routes["GET /clip.mp4"] = cdn_or_posts
    return v


def publish(mode: str, v: Vendor, post: Post, **options: Any) -> PublishReport:
    options.setdefault("media_fetch", FetchPolicy(resolver=DNS))
    if mode == "sync":
        with Publisher(DownloadingAdapter(), Secret(KEY), client=v.client(), **options) as pub:
            return pub.publish(post)

    async def go() -> PublishReport:
        async with AsyncPublisher(
            DownloadingAdapter(), Secret(KEY), client=v.async_client(), **options
        ) as apub:
            return await apub.publish(post)

    return asyncio.run(go())


MODES = ["sync", "async"]
TARGETS = ["tiktok:a", "instagram:b"]


# -- a refused download ---------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_a_refused_medium_fails_every_target_that_needed_it_and_sends_nothing(mode: str) -> None:
    v = vendor()
    ledger = MemoryLedger()
    post = Post(text="hi", media=["https://internal.example/clip.mp4"], targets=TARGETS)
    report = publish(mode, v, post, ledger=ledger)  # does not raise
    assert [p.status for p in report] == [Status.FAILED, Status.FAILED]
    for p in report:
        assert "media[0] was not fetched" in (p.error or "")
        assert "internal.example resolves to a private address" in (p.error or "")
        assert "fetch policy: address" in (p.error or "")
        assert "10.0.0.5" not in (p.error or "")  # what an internal name resolves to is not told
        assert isinstance(p.exception, FetchRefusedError)
    assert v.requests == []  # no download, no post
    entry = ledger.lookup(post.ledger_key, "fake:tiktok:a")
    assert entry is not None
    assert entry.publication is not None
    assert entry.publication.status is Status.FAILED


@pytest.mark.parametrize("mode", MODES)
def test_an_allowed_medium_is_downloaded_and_published(mode: str) -> None:
    v = vendor()
    report = publish(mode, v, Post(text="hi", media=["https://cdn.example.com/clip.mp4"], targets=TARGETS))
    assert [p.status for p in report] == [Status.PROCESSING, Status.PROCESSING]
    assert [r.url.path for r in v.requests].count("/posts") == 2


@pytest.mark.parametrize("mode", MODES)
def test_an_apps_client_that_follows_redirects_does_not_follow_a_download_to_an_internal_host(
    mode: str,
) -> None:
    v = vendor()
    v.routes["GET /moved.mp4"] = httpx.Response(
        302, headers={"Location": "https://internal.example/clip.mp4"}
    )
    v.routes["GET /clip.mp4"] = httpx.Response(
        200, content=b"internal", headers={"Content-Type": "video/mp4"}
    )
    post = Post(text="hi", media=["https://cdn.example.com/moved.mp4"], targets=["tiktok:a"])
    if mode == "sync":
        with Publisher(
            DownloadingAdapter(),
            Secret(KEY),
            client=httpx.Client(transport=v.transport(), follow_redirects=True),
            media_fetch=FetchPolicy(resolver=DNS),
        ) as pub:
            report = pub.publish(post)
    else:

        async def go() -> PublishReport:
            async with AsyncPublisher(
                DownloadingAdapter(),
                Secret(KEY),
                client=httpx.AsyncClient(transport=v.transport(), follow_redirects=True),
                media_fetch=FetchPolicy(resolver=DNS),
            ) as apub:
                return await apub.publish(post)

        report = asyncio.run(go())
    (p,) = report
    assert p.status is Status.FAILED
    assert "internal.example resolves to a private address" in (p.error or "")
    assert [(r.headers.get("host"), r.url.path) for r in v.requests] == [("cdn.example.com", "/moved.mp4")]


@pytest.mark.parametrize("mode", MODES)
def test_the_download_cap_is_the_platforms_limit(mode: str) -> None:
    v = vendor()
    big = b"\x00" * (9 << 20)  # over Instagram's 8 MB photo limit
    v.routes["GET /a.jpg"] = lambda r: httpx.Response(
        200, content=big, headers={"Content-Type": "image/jpeg"}
    )
    report = publish(
        mode, v, Post(text="hi", media=["https://cdn.example.com/a.jpg"], targets=["instagram:b"])
    )
    (p,) = report
    assert p.status is Status.FAILED
    assert "fetch policy: size" in (p.error or "")
    assert [r.url.path for r in v.requests] == ["/a.jpg"]


# -- strings are URLs; local files are Paths -------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_a_bare_string_is_refused_and_nothing_is_sent(tmp_path: Path, mode: str) -> None:
    secret = tmp_path / "other-tenant" / "private.mp4"
    secret.parent.mkdir()
    secret.write_bytes(b"private")
    v = vendor()
    for text in (str(secret), "../../uploads/other-tenant/private.mp4"):
        with pytest.raises(ValidationError) as caught:
            publish(mode, v, Post(text="hi", media=[text], targets=TARGETS))
        (problem,) = caught.value.problems
        assert problem.field == "media[0]"
        assert "a local file must be a pathlib.Path or Media(path=…)" in problem.message
    assert v.requests == []


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("how", ["path", "media"])
def test_a_path_is_a_local_file(tmp_path: Path, mode: str, how: str) -> None:
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(b"video")
    item: Path | Media = clip if how == "path" else Media(path=str(clip))
    report = publish(mode, vendor(), Post(text="hi", media=[item], targets=["tiktok:a"]))
    assert report.ok


# -- media_root ---------------------------------------------------------------------------


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """``root/ok.mp4``, ``root/link.mp4`` → ``outside/secret.mp4``, ``root/sub/``."""
    root = tmp_path / "root"
    (root / "sub").mkdir(parents=True)
    (root / "ok.mp4").write_bytes(b"ok")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.mp4").write_bytes(b"secret")
    (root / "link.mp4").symlink_to(outside / "secret.mp4")
    (root / "sub" / "up").symlink_to(outside, target_is_directory=True)
    return root


@pytest.mark.parametrize("mode", MODES)
def test_media_root_takes_a_file_inside_it(tree: Path, mode: str) -> None:
    report = publish(
        mode, vendor(), Post(text="hi", media=[tree / "ok.mp4"], targets=["tiktok:a"]), media_root=tree
    )
    assert report.ok


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    "escape",
    ["sub/../../outside/secret.mp4", "link.mp4", "sub/up/secret.mp4"],
    ids=["dot-dot", "symlinked-file", "symlinked-directory"],
)
def test_media_root_refuses_an_escape(tree: Path, mode: str, escape: str) -> None:
    v = vendor()
    post = Post(text="hi", media=[Path(tree, escape)], targets=["tiktok:a"])
    with pytest.raises(ValidationError) as caught:
        publish(mode, v, post, media_root=tree)
    assert [str(p) for p in caught.value.problems] == ["media[0].path: the file is outside media_root"]
    assert v.requests == []


def test_media_root_is_checked_by_validate_too_and_must_be_a_directory(tree: Path) -> None:
    with Publisher(FakeAdapter(), Secret(KEY), media_root=tree) as pub:
        assert [p.field for p in pub.validate(Post(media=[tree / "link.mp4"], targets=["tiktok:a"]))] == [
            "media[0].path"
        ]
        assert pub.validate(Post(media=["https://cdn.example.com/clip.mp4"], targets=["tiktok:a"])) == []
    with pytest.raises(ConfigurationError, match="not a directory"):
        Publisher(FakeAdapter(), Secret(KEY), media_root=tree / "ok.mp4")
    with pytest.raises(ConfigurationError, match="FetchPolicy"):
        Publisher(FakeAdapter(), Secret(KEY), media_fetch="https only")  # type: ignore[arg-type]


# -- secrets at rest -----------------------------------------------------------------------


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_state_files_are_created_readable_by_their_owner_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = os.umask(0o022)  # the usual umask would leave a plain write at 0644
    try:
        state = tmp_path / "sandbox.json"
        state.write_text("{}")
        state.chmod(0o644)  # an older, readable file is replaced, not reused
        monkeypatch.setenv("POSTMUX_SANDBOX_STATE", str(state))
        written = write_sandbox_state({"providers": {"fake": {"api_key": KEY}}})
        assert written == state
        assert _mode(state) == 0o600
        assert KEY in state.read_text()
        store = PublicationStore(tmp_path / "publications.json")
        store.save([Publication(target=Target("tiktok", "a"), provider="fake", status=Status.QUEUED, id="1")])
        assert _mode(tmp_path / "publications.json") == 0o600
        write_private(tmp_path / "x" / "y.json", "{}")
        assert _mode(tmp_path / "x" / "y.json") == 0o600
        assert sorted(p.name for p in tmp_path.iterdir()) == [
            "publications.json",
            "sandbox.json",
            "x",
        ]  # no tmp left
    finally:
        os.umask(old)


def test_the_ledger_file_holds_no_key(tmp_path: Path) -> None:
    path = tmp_path / "ledger.db"
    v = vendor()
    v.routes["POST /posts"] = httpx.Response(401, json={"message": f"bad key {KEY}"})
    ledger = SQLiteLedger(path)
    try:
        publish(
            "sync",
            v,
            Post(text="hi", media=["https://cdn.example.com/clip.mp4"], targets=TARGETS),
            ledger=ledger,
        )
    finally:
        ledger.close()
    for file in tmp_path.iterdir():
        assert KEY.encode() not in file.read_bytes()
