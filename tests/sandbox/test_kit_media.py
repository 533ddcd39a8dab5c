"""The kit's media facts: a stored blob's URL and kind, what a URL tells, what a vendor cannot fetch."""

from __future__ import annotations

import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from postmux import ConnectStart
from postmux.sandbox import Emulator, MediaHost, SandboxAccount
from postmux.sandbox.kit import link_numbered
from postmux.sandbox.media import Blob
from postmux_tiktok.emulator import CLIENT_KEY, TikTokEmulator


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


def _at_once(link: Callable[[int], SandboxAccount], people: int = 8, each: int = 40) -> list[str]:
    """The usernames ``people`` threads get linking ``each`` accounts at once, switching threads often."""
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # let a thread be interrupted between counting and linking
    try:
        with ThreadPoolExecutor(people) as pool:
            return [a.username for a in pool.map(link, range(people * each))]
    finally:
        sys.setswitchinterval(interval)


def test_accounts_linked_at_once_get_distinct_numbers() -> None:
    """``link_numbered`` counts and links under the emulator's lock: no two get the same name."""
    emulator = _Bare()
    names = _at_once(lambda _: link_numbered(emulator, "tiktok"))
    assert len(set(names)) == len(names) == 320
    assert set(names) == {f"sandbox_tiktok_{n}" for n in range(1, 321)}


def test_tiktok_consents_at_once_get_distinct_names() -> None:
    """The TikTok emulator's ``approve`` numbers its ``sandbox_linked_<n>`` under the lock too."""
    emulator = TikTokEmulator()
    start = ConnectStart(
        platform="tiktok", url=f"https://tiktok.test/v2/auth/authorize/?client_key={CLIENT_KEY}"
    )

    def consent(_: int) -> SandboxAccount:
        account = emulator.approve(start)
        assert account is not None
        return account

    names = _at_once(consent)
    assert sorted(names) == sorted(f"sandbox_linked_{n}" for n in range(1, 321))
