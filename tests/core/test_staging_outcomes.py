"""``publish()`` raises only before the first byte: a staging failure is each target's outcome (issue 10).

A media upload that fails (a 5xx, a dropped connection, an unreadable body, a
refusal, a connection never made) or a media host that cannot store the file
used to make ``publish()`` raise and lose every target's result. Now each
pending target gets a ``failed`` publication with the error's facts: staging
sends no post, so nothing was published, and the ledger lets a re-run send it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx
import pytest

import postmux
from postmux import MemoryLedger, Post, Route, Status
from postmux.flow import Flow
from postmux.hosting import HostedFile
from postmux.wire import read_json

from .fakes import FakeAdapter, Vendor, published
from .test_publisher import amake, make


class Uploading(FakeAdapter):
    """Stages every medium with ``POST /uploads`` (as Wonda does) before the posts."""

    def stage(self, post: Post, routes: Sequence[Route]) -> Flow[tuple[str, ...]]:
        ids = []
        for item in post.media:
            response = yield self.request("POST", "/uploads", json={"url": item.url})
            ids.append(str(read_json(response, provider=self.name)["id"]))
        return tuple(ids)


UPLOADS: dict[str, tuple[Any, int | None]] = {
    "5xx": (httpx.Response(500, json={"message": "upload store down"}), 500),
    "dropped": (httpx.RemoteProtocolError("peer closed connection"), None),
    "timeout": (httpx.ReadTimeout("read timed out"), None),
    "unreadable": (httpx.Response(200, text="<html>gateway</html>"), None),
    "refused": (httpx.Response(422, json={"message": "bad file", "code": "bad_media"}), 422),
    "never-connected": (httpx.ConnectError("connection refused"), None),
}
POST = Post(media=["https://cdn.example.com/a.mp4"], targets=["tiktok:a", "instagram:b", "threads:c"])


def vendor_for(name: str) -> Vendor:
    return Vendor({"POST /uploads": UPLOADS[name][0], "POST /posts": published})


def check(report: postmux.PublishReport, name: str, vendor: Vendor) -> None:
    assert [p.status for p in report] == [Status.FAILED] * 3
    assert [p.status_code for p in report] == [UPLOADS[name][1]] * 3
    assert [p.target.account for p in report] == ["a", "b", "c"]
    for p in report:
        assert (p.error or "").startswith("staging the media failed")
        assert isinstance(p.exception, postmux.PostmuxError)
    assert vendor.count("POST /posts") == 0  # no post went out


@pytest.mark.parametrize("name", sorted(UPLOADS))
def test_a_failed_upload_is_each_targets_outcome(name: str) -> None:
    vendor = vendor_for(name)
    ledger = MemoryLedger()
    with make(vendor, Uploading(), ledger=ledger, retry=postmux.RetryPolicy(max_retries=0)) as pub:
        report = pub.publish(POST)
        check(report, name, vendor)
        # nothing was published: the claims went back, a re-run sends every target
        vendor.routes["POST /uploads"] = httpx.Response(200, json={"id": "m-1"})
        again = pub.publish(POST)
    assert [p.status for p in again] == [Status.PROCESSING] * 3
    assert vendor.count("POST /posts") == 3


@pytest.mark.parametrize("name", sorted(UPLOADS))
async def test_async_a_failed_upload_is_each_targets_outcome(name: str) -> None:
    vendor = vendor_for(name)
    async with amake(vendor, Uploading(), retry=postmux.RetryPolicy(max_retries=0)) as pub:
        check(await pub.publish(POST), name, vendor)


class BrokenHost:
    """A media host that cannot store anything."""

    def put(self, path: Path, *, content_type: str | None = None) -> HostedFile:
        raise postmux.MediaHostError("the bucket does not exist")

    def remove(self, hosted: HostedFile) -> None:
        pass


def test_a_media_host_that_fails_fails_the_targets(tmp_path: Path) -> None:
    clip = tmp_path / "a.mp4"
    clip.write_bytes(b"\x00" * 16)

    class UrlsOnly(FakeAdapter):
        capabilities = postmux.Capabilities(
            platforms=FakeAdapter.capabilities.platforms, local_files=False, scheduling=False
        )

    vendor = Vendor({"POST /posts": published})
    ledger = MemoryLedger()
    with make(vendor, UrlsOnly(), media_host=BrokenHost(), ledger=ledger) as pub:
        report = pub.publish(Post(media=[clip], targets=["tiktok:a"]))
    (p,) = report
    assert p.status is Status.FAILED
    assert isinstance(p.exception, postmux.MediaHostError)
    assert vendor.count("POST /posts") == 0
    assert json.loads(json.dumps(p.to_dict()))["status"] == "failed"
