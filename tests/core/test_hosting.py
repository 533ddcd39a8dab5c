"""Media hosts in the core: local files become URLs before a URL-only vendor's flow sees them.

A fake URL-only vendor (the core's fake adapter with ``local_files=False``)
and an in-memory host, so every decision is seen without any network.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

import attrs
import httpx
import pytest

import postmux
from postmux import (
    ConfigurationError,
    HostedFile,
    MediaHost,
    MediaHostError,
    MemoryLedger,
    Post,
    Publisher,
    Secret,
    Status,
    UnsupportedError,
)
from postmux.hosting import MEDIA_HOST_ENV, open_media_host
from postmux.plugins import PluginManager
from postmux.sandbox.samples import write_samples

from .fakes import FULL, KEY, FakeAdapter, Vendor, published

LOCAL_FILES_OFF = attrs.evolve(FULL, local_files=False)


class UrlOnlyAdapter(FakeAdapter):
    """The fake vendor, taking media URLs only."""

    capabilities = LOCAL_FILES_OFF


class MemoryHost:
    """A media host that keeps what it was given and says which URLs it handed out."""

    def __init__(self, fail_on: int | None = None) -> None:
        self.files: dict[str, bytes] = {}
        self.puts: list[tuple[str, str | None]] = []
        self.removed: list[str] = []
        self.fail_on = fail_on

    def put(self, path: str | os.PathLike[str], *, mime_type: str | None = None) -> HostedFile:
        if self.fail_on is not None and len(self.puts) == self.fail_on:
            raise RuntimeError("secret-token-in-a-third-party-message")
        self.puts.append((os.fspath(path), mime_type))
        key = f"k{len(self.puts)}/{Path(path).name}"
        self.files[key] = Path(path).read_bytes()
        return HostedFile(url=f"https://media.example.test/{key}?sig=abc", key=key, source=os.fspath(path))

    def remove(self, hosted: HostedFile) -> None:
        self.removed.append(hosted.key)
        self.files.pop(hosted.key, None)


def make(vendor: Vendor, host: MediaHost | None, adapter: FakeAdapter | None = None, **kw: Any) -> Publisher:
    return Publisher(adapter or UrlOnlyAdapter(), Secret(KEY), client=vendor.client(), media_host=host, **kw)


def local_post(tmp_path: Path, *targets: str) -> Post:
    clip = write_samples(tmp_path)[0]
    return Post(text="hello", media=[postmux.Media(path=clip)], targets=list(targets or ["tiktok:a1"]))


def test_without_a_host_a_url_only_vendor_refuses_local_files_and_says_how_to_configure(
    tmp_path: Path,
) -> None:
    vendor = Vendor({"POST /posts": published})
    pub = make(vendor, None)
    with pytest.raises(UnsupportedError) as caught:
        pub.publish(local_post(tmp_path))
    (problem,) = caught.value.problems
    assert problem.field == "media[0].path"
    assert "media_host=" in problem.message
    assert MEDIA_HOST_ENV in problem.message
    assert "s3://bucket/prefix" in problem.message
    assert vendor.requests == []


def test_with_a_host_the_vendor_gets_the_hosted_url_and_the_ledger_the_apps_post(tmp_path: Path) -> None:
    vendor = Vendor({"POST /posts": published})
    host = MemoryHost()
    ledger = MemoryLedger()
    pub = make(vendor, host, ledger=ledger)
    post = local_post(tmp_path, "tiktok:a1", "instagram:i1")
    assert pub.validate(post) == []
    assert pub.capabilities.local_files is False  # the vendor's own capabilities are unchanged

    report = pub.publish(post)
    assert [p.status for p in report] == [Status.PROCESSING, Status.PROCESSING]
    assert len(host.puts) == 1  # once per publish, not once per target
    assert host.puts[0][1] == "video/mp4"
    (hosted,) = report.hosted
    assert [b["media"] for b in vendor.bodies()] == [[hosted.url], [hosted.url]]
    assert all(p.post_key == post.ledger_key for p in report)  # the key of the app's post
    assert ledger.lookup(post.ledger_key, "fake:tiktok:a1") is not None

    again = pub.publish(post)  # the ledger knows both targets: nothing hosted or sent again
    assert len(host.puts) == 1
    assert again.hosted == ()


def test_a_vendor_that_uploads_itself_never_uses_the_host(tmp_path: Path) -> None:
    vendor = Vendor({"POST /posts": published})
    host = MemoryHost()
    pub = make(vendor, host, adapter=FakeAdapter())
    report = pub.publish(local_post(tmp_path))
    assert host.puts == []
    assert report.hosted == ()


def test_wait_removes_hosted_files_once_every_publication_is_final(tmp_path: Path) -> None:
    done = httpx.Response(200, json={"id": "p-a1", "status": "published", "url": "https://t.example/1"})
    vendor = Vendor({"POST /posts": published, "GET /posts/p-a1": [done]})
    host = MemoryHost()
    pub = make(vendor, host, sleep=lambda s: None)
    report = pub.publish(local_post(tmp_path))
    assert host.files
    assert host.removed == []
    final = pub.wait(report, timeout=5, interval=0)
    assert final[0].status is Status.PUBLISHED
    assert host.removed == [report.hosted[0].key]
    assert host.files == {}
    assert final.hosted == ()


def test_wait_keeps_hosted_files_while_a_publication_may_still_fetch_them(tmp_path: Path) -> None:
    vendor = Vendor({"POST /posts": published, "GET /posts/p-a1": published_processing()})
    host = MemoryHost()
    pub = make(vendor, host, sleep=lambda s: None)
    report = pub.publish(local_post(tmp_path))
    with pytest.raises(postmux.TimeoutError) as caught:
        pub.wait(report, timeout=0, interval=0)
    assert host.removed == []
    assert isinstance(caught.value.report, postmux.PublishReport)
    assert caught.value.report.hosted == report.hosted
    cleaned = pub.clean_up(caught.value.report)
    assert host.removed == [report.hosted[0].key]
    assert cleaned.hosted == ()


def published_processing() -> httpx.Response:
    return httpx.Response(200, json={"id": "p-a1", "status": "processing"})


def test_a_host_failure_fails_the_targets_before_anything_reaches_the_vendor_and_undoes_earlier_puts(
    tmp_path: Path,
) -> None:
    """Not a raise since issue 10: ``publish()`` raises only before the first byte leaves."""
    photos = write_samples(tmp_path)[1:3]
    vendor = Vendor({"POST /posts": published})
    host = MemoryHost(fail_on=1)
    pub = make(vendor, host)
    post = Post(text="two", media=[postmux.Media(path=p) for p in photos], targets=["instagram:i1"])
    (failed,) = pub.publish(post)
    assert failed.status is postmux.Status.FAILED
    caught = failed.exception
    assert isinstance(caught, MediaHostError)
    assert str(caught) == "media[1].path: the media host failed (RuntimeError)"
    assert caught.__context__ is None
    assert caught.__cause__ is None
    assert host.removed == ["k1/" + photos[0].name]
    assert vendor.requests == []


async def test_the_async_publisher_hosts_and_cleans_up_too(tmp_path: Path) -> None:
    done = httpx.Response(200, json={"id": "p-a1", "status": "published"})
    vendor = Vendor({"POST /posts": published, "GET /posts/p-a1": done})
    host = MemoryHost()

    async def no_sleep(seconds: float) -> None:
        await asyncio.sleep(0)

    async with postmux.AsyncPublisher(
        UrlOnlyAdapter(), Secret(KEY), client=vendor.async_client(), media_host=host, sleep=no_sleep
    ) as pub:
        report = await pub.publish(local_post(tmp_path))
        (hosted,) = report.hosted
        assert vendor.bodies()[0]["media"] == [hosted.url]
        final = await pub.wait(report, timeout=5, interval=0)
    assert final.hosted == ()
    assert host.removed == [hosted.key]


def test_hosted_file_repr_leaves_out_the_signature() -> None:
    hosted = HostedFile(
        url="https://b.example/k/clip.mp4?X-Amz-Signature=deadbeef", key="k/clip.mp4", source="x"
    )
    assert "deadbeef" not in repr(hosted)
    assert "https://b.example/k/clip.mp4" in repr(hosted)


def test_media_host_specs_pick_a_registered_kind(monkeypatch: pytest.MonkeyPatch) -> None:
    plugins = PluginManager(load_entry_points=False)
    assert {"s3", "sandbox"} <= set(plugins.media_hosts())
    monkeypatch.delenv(MEDIA_HOST_ENV, raising=False)
    assert open_media_host(None, plugins) is None
    host = MemoryHost()
    assert open_media_host(host, plugins) is host
    with pytest.raises(ConfigurationError, match=r"unknown media host 'ftp' .*; known: s3, sandbox"):
        open_media_host("ftp://somewhere", plugins)
    with pytest.raises(ConfigurationError, match="put\\(\\) and remove\\(\\)"):
        open_media_host(42, plugins)  # type: ignore[arg-type]

    class Plugin:
        @staticmethod
        @postmux.hookimpl
        def postmux_register_media_hosts(register: Any) -> None:
            register("mem", lambda spec: host)

    plugins.register(Plugin)
    monkeypatch.setenv(MEDIA_HOST_ENV, "mem://anything")
    assert open_media_host(None, plugins) is host
