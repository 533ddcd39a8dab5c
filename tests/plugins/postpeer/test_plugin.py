"""The plugin as postmux finds it: entry point, auth header, capabilities, no key in sight."""

from __future__ import annotations

import pytest

import postmux
from postmux import Secret
from postmux.plugins import PluginManager
from postmux_postpeer import PostPeerAdapter

from .conftest import KEY


def test_the_entry_point_registers_postpeer() -> None:
    assert PluginManager().get("postpeer") is PostPeerAdapter


def test_auth_header_and_base_url() -> None:
    adapter = PostPeerAdapter()
    assert adapter.base_url == "https://api.postpeer.dev"
    assert adapter.auth_headers(Secret(KEY)) == {"x-access-key": KEY}
    assert PostPeerAdapter("https://sandbox.example/").base_url == "https://sandbox.example"


def test_the_key_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POSTPEER_API_KEY", KEY)
    with postmux.publisher("postpeer") as pub:
        assert pub.provider == "postpeer"
        assert KEY not in repr(pub)
        assert KEY not in repr(pub.driver.key)
    monkeypatch.delenv("POSTPEER_API_KEY")
    with pytest.raises(postmux.MissingCredentialsError, match="POSTPEER_API_KEY"):
        postmux.publisher("postpeer")


def test_capabilities_say_what_postpeer_does() -> None:
    caps = PostPeerAdapter.capabilities
    assert set(caps.platforms) == {"tiktok", "instagram", "threads", "facebook", "youtube"}
    assert (caps.scheduling, caps.cancel, caps.reschedule) == (True, True, True)
    assert (caps.local_files, caps.batch_status, caps.creator_info) == (True, True, True)
    youtube = caps.for_platform("youtube")
    assert youtube is not None
    assert not youtube.photos
