"""A local file publishes through every vendor: uploaded by those that can, hosted for the others.

The sandbox's own media host plays the bucket. A vendor whose capabilities
say it takes URLs only receives a URL on that host, fetches the very bytes of
the file from it, and the file is removed once the publication is final; a
vendor that uploads files itself never touches the host.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from postmux import HostedFile, Media, MediaHost, Post, Status, UnsupportedError
from postmux.hosting import MEDIA_HOST_ENV
from postmux.sandbox.samples import write_samples

from .support import CASES, Vendor, cases_where

EACH = pytest.mark.parametrize(("provider", "mode"), CASES)
URL_ONLY = pytest.mark.parametrize(("provider", "mode"), cases_where(lambda caps: not caps.local_files))


class Counting:
    """Wraps a host and counts what it was asked to do."""

    def __init__(self, inner: MediaHost) -> None:
        self.inner = inner
        self.puts: list[HostedFile] = []
        self.removed: list[HostedFile] = []

    def put(self, path: str | os.PathLike[str], *, mime_type: str | None = None) -> HostedFile:
        hosted = self.inner.put(path, mime_type=mime_type)
        self.puts.append(hosted)
        return hosted

    def remove(self, hosted: HostedFile) -> None:
        self.removed.append(hosted)
        self.inner.remove(hosted)


def _video_platform(vendor: Vendor) -> str:
    return next(p for p, s in vendor.capabilities.platforms.items() if s.video)


@EACH
def test_a_local_video_publishes_everywhere_with_a_media_host(vendor: Vendor, tmp_path: Path) -> None:
    clip = write_samples(tmp_path)[0]
    host = Counting(vendor.sandbox.media_host())
    pub = vendor.publisher(media_host=host)
    platform = _video_platform(vendor)
    post = Post(text="A local clip", media=[Media(path=clip)], targets=[vendor.target(platform)])

    assert pub.validate(post) == []
    report = pub.wait(pub.publish(post))
    assert report[0].status in (Status.PUBLISHED, Status.INBOX), report[0].error
    record = vendor.records(vendor.seeded_id(platform))[-1]
    if vendor.capabilities.local_files:
        assert host.puts == []  # the vendor took the upload itself
        return
    (hosted,) = host.puts
    assert record.media == (hosted.url,)
    assert vendor.sandbox.media.owns(hosted.url)
    assert host.removed == [hosted]  # final: taken down again
    assert vendor.sandbox.media.lookup(hosted.url) is None


@URL_ONLY
def test_without_a_media_host_the_refusal_says_how_to_get_one(
    vendor: Vendor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(MEDIA_HOST_ENV, raising=False)
    clip = write_samples(tmp_path)[0]
    pub = vendor.publisher()
    post = Post(
        text="A local clip", media=[Media(path=clip)], targets=[vendor.target(_video_platform(vendor))]
    )
    with pytest.raises(UnsupportedError, match="media_host=") as caught:
        pub.publish(post)
    assert MEDIA_HOST_ENV in str(caught.value)
    assert vendor.writes() == []
