"""The plugin as postmux sees it: registration, credentials, what it declares and what it refuses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from importlib.metadata import entry_points

import pytest

import postmux
from postmux import Publication, Secret, Status, Target, UnsupportedError
from postmux_wonda import WondaAdapter

from .helpers import KEY, PLUGINS, Recorder, sync_publisher, wonda_server


def test_the_entry_point_names_the_package() -> None:
    (point,) = [ep for ep in entry_points(group="postmux") if ep.name == "wonda"]
    assert point.value == "postmux_wonda"


def test_the_provider_is_registered() -> None:
    assert PLUGINS.get("wonda") is WondaAdapter


def test_bearer_auth_header() -> None:
    assert WondaAdapter().auth_headers(Secret(KEY)) == {"Authorization": f"Bearer {KEY}"}


def test_the_key_comes_from_wonda_api_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WONDA_API_KEY", KEY)
    with postmux.publisher("wonda", plugins=PLUGINS) as pub:
        assert pub.provider == "wonda"
        assert KEY not in repr(pub)
        assert KEY not in repr(pub.driver.key)
    monkeypatch.delenv("WONDA_API_KEY")
    with pytest.raises(postmux.MissingCredentialsError, match="WONDA_API_KEY"):
        postmux.publisher("wonda", plugins=PLUGINS)


def test_base_url_default_and_override() -> None:
    assert WondaAdapter().base_url == "https://api.wondercat.ai/api/v1"
    adapter = WondaAdapter("http://127.0.0.1:8080/api/v1/")
    assert adapter.url("/publish/tiktok") == "http://127.0.0.1:8080/api/v1/publish/tiktok"


def test_capabilities_declare_the_schedule_window_and_uploads() -> None:
    caps = WondaAdapter.capabilities
    assert (caps.schedule_min, caps.schedule_max) == (timedelta(minutes=5), timedelta(days=29))
    assert caps.local_files
    assert caps.remote_media
    assert caps.cancel
    assert not caps.creator_info
    assert not caps.reschedule
    assert set(caps.platforms) == {"tiktok", "instagram"}


@pytest.mark.parametrize(
    "call",
    [
        lambda pub: pub.creator_info("acc-1"),
        lambda pub: pub.reschedule(
            Publication(target=Target("tiktok", "a"), provider="wonda", status=Status.SCHEDULED, id="j"),
            datetime.now(UTC) + timedelta(hours=1),
        ),
        lambda pub: pub.connect("tiktok"),
    ],
)
def test_operations_wonda_lacks_are_unsupported_without_a_request(call: object) -> None:
    recorder = Recorder(wonda_server())
    with sync_publisher(recorder) as pub, pytest.raises(UnsupportedError):
        call(pub)  # type: ignore[operator]
    assert recorder.requests == []
