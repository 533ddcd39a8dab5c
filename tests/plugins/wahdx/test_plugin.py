"""The plugin as an app meets it: found by name, keyed from the environment, one request per target."""

from __future__ import annotations

from importlib.metadata import entry_points

import httpx
import pytest

import postmux
from postmux import MissingCredentialsError, Post, Status, Target
from postmux_wahdx import WahdxAdapter

from .support import CO, KEY, PLUGINS, Recorder, mock_pub, publish_answer


def test_entry_point_names_the_plugin() -> None:
    (found,) = [ep for ep in entry_points(group="postmux") if ep.name == "wahdx"]
    assert found.value == "postmux_wahdx"


def test_adapter_settings() -> None:
    assert (WahdxAdapter.name, WahdxAdapter.env_var) == ("wahdx", "WAHDX_API_KEY")
    assert WahdxAdapter().base_url == CO
    assert WahdxAdapter("https://api.wahdx.com/").base_url == "https://api.wahdx.com"
    assert WahdxAdapter().auth_headers(postmux.Secret(KEY)) == {"X-API-Key": KEY}


def test_key_from_the_environment_and_never_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WAHDX_API_KEY", KEY)
    with postmux.publisher("wahdx", plugins=PLUGINS) as pub:
        assert KEY not in repr(pub)
        assert pub.provider == "wahdx"
    monkeypatch.delenv("WAHDX_API_KEY")
    with pytest.raises(MissingCredentialsError) as caught:
        postmux.publisher("wahdx", plugins=PLUGINS)
    assert "WAHDX_API_KEY" in str(caught.value)


def test_one_request_per_target() -> None:
    post = Post(
        text="One post, four platforms",
        media=["https://cdn.example.com/a.jpg", "https://cdn.example.com/b.jpg"],
        targets=["tiktok:t1", "instagram:i1", "threads:h1", "facebook:f1"],
    )
    recorder = Recorder(publish_answer)
    with mock_pub(recorder) as pub:
        report = pub.publish(post)
    assert len(report) == 4
    assert sorted((b["platform"], b["accountId"]) for b in recorder.bodies()) == [
        ("facebook", "f1"),
        ("instagram", "i1"),
        ("threads", "h1"),
        ("tiktok", "t1"),
    ]
    assert all(r.url.path == "/api/content/post" for r in recorder.requests)
    assert [p.status for p in report] == [
        Status.PROCESSING,
        Status.PUBLISHED,
        Status.PUBLISHED,
        Status.PUBLISHED,
    ]
    assert [p.target for p in report] == list(post.targets)


def test_username_target_resolves_through_accounts() -> None:
    accounts = {
        "success": True,
        "data": [
            {"accountId": "old", "platform": "instagram", "username": "brand_ig", "status": "expired"},
            {"accountId": "8abd", "platform": "instagram", "username": "brand_ig", "status": "active"},
        ],
    }

    def answer(request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            return httpx.Response(200, json=accounts)
        return publish_answer(request)

    recorder = Recorder(answer)
    with mock_pub(recorder) as pub:
        (p,) = pub.publish(
            Post(media=["https://cdn.example.com/clip.mp4"], targets=[Target("instagram", "@Brand_IG")])
        )
    assert (p.target, p.account_id, p.status) == (Target("instagram", "@Brand_IG"), "8abd", Status.PUBLISHED)
    assert recorder.bodies()[1]["accountId"] == "8abd"  # the active account, not the expired one
