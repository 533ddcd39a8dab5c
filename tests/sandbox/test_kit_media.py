"""The kit's media facts: a stored blob's URL and kind, what a URL tells, what a vendor cannot fetch."""

from __future__ import annotations

from postmux.sandbox import Emulator, MediaHost, SandboxAccount
from postmux.sandbox.media import Blob


def _host() -> MediaHost:
    host = MediaHost()
    host.base_url = "http://127.0.0.1:9"
    return host


def test_a_blob_knows_its_kind_by_its_mime_type() -> None:
    kinds = {
        mime: Blob("f", mime, b"").kind for mime in ("image/png", "video/mp4", "audio/mpeg", "text/plain")
    }
    assert kinds == {"image/png": "photo", "video/mp4": "video", "audio/mpeg": "audio", "text/plain": None}


def test_a_looked_up_blob_carries_the_url_it_was_asked_by() -> None:
    host = _host()
    url = host.store("a b.png", "image/png", b"png")
    assert host.lookup(url) == Blob("a b.png", "image/png", b"png", url)
    asked = url + "?v=2"  # the same file, asked with a query: the blob says the URL it was asked by
    assert host.lookup(asked) == Blob("a b.png", "image/png", b"png", asked)
    sample = host.sample_url("clip.mp4")
    found = host.lookup(sample)
    assert found is not None
    assert (found.url, found.kind) == (sample, "video")


def test_describe_is_the_blob_else_what_the_url_tells() -> None:
    host = _host()
    stored = host.store("cat.webp", "image/webp", b"1234")
    assert host.describe(stored) == Blob("cat.webp", "image/webp", b"1234", stored)
    elsewhere = "https://cdn.example/media/clip%20one.mp4?sig=1"
    assert host.describe(elsewhere) == Blob("clip one.mp4", "video/mp4", b"", elsewhere)
    assert host.describe("https://cdn.example/blob").mime_type == "application/octet-stream"
    gone = host.base_url + "/files/0000/photo.jpg"  # this host's, never stored: named by its URL
    assert host.describe(gone) == Blob("photo.jpg", "image/jpeg", b"", gone)


def test_missing_is_a_url_of_this_host_with_nothing_behind_it() -> None:
    host = _host()
    stored = host.store("a.jpg", "image/jpeg", b"x")
    assert not host.missing(stored)
    assert not host.missing(host.sample_url("photo-1.jpg"))
    assert host.missing(host.base_url + "/files/0000/a.jpg")
    assert host.missing(host.base_url + "/samples/nothing.jpg")
    assert not host.missing("https://cdn.example/a.jpg")  # another host's: the sandbox cannot tell


class _Bare(Emulator):
    provider = "bare"
    auth_header = "X-Key"


def test_accounts_on_is_a_copy_of_the_linked_accounts_on_a_platform() -> None:
    emulator = _Bare()
    mine = [
        emulator.link(SandboxAccount(id=f"a{n}", platform=p, username=f"u{n}", display_name="U"))
        for n, p in enumerate(("tiktok", "instagram", "tiktok"))
    ]
    assert emulator.accounts_on("tiktok") == [mine[0], mine[2]]
    assert emulator.accounts_on() == mine
    emulator.accounts_on().clear()  # a copy: the emulator's own list is untouched
    assert emulator.accounts_on("instagram") == [mine[1]]
