"""The CLI with one vendor id for several targets, and with a key the vendor refuses."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from postmux.cli.state import read_sandbox_state
from postmux.sandbox import Sandbox
from postmux.sandbox.samples import write_samples

from .invoke import data, run


def test_status_of_one_post_id_shows_every_target(running: Sandbox, tmp_path: Path) -> None:
    clip = write_samples(tmp_path)[0]
    posted = run(
        "post",
        str(clip),
        "--to",
        "tiktok:@sandbox_tiktok",
        "--to",
        "instagram:@sandbox_instagram",
        "--provider",
        "postpeer",
        "--sandbox",
        "--json",
        "--wait",
    )
    assert posted.exit_code == 0, posted.output
    ids = {p["id"] for p in data(posted)["publications"]}
    assert len(ids) == 1  # PostPeer: one post for both targets
    status = run("status", ids.pop(), "--provider", "postpeer", "--sandbox", "--json")
    assert status.exit_code == 0, status.output
    assert [p["platform"] for p in data(status)["publications"]] == ["tiktok", "instagram"]
    table = run("status", data(posted)["publications"][0]["id"], "-p", "postpeer", "--sandbox")
    assert "tiktok" in table.stdout
    assert "instagram" in table.stdout


def test_cancel_of_one_post_id_cancels_it_once_for_every_target(running: Sandbox) -> None:
    later = (running.clock.datetime() + timedelta(hours=2)).isoformat()
    posted = run(
        "post",
        running.sample_url("clip.mp4"),
        "--to",
        "tiktok:@sandbox_tiktok",
        "--to",
        "instagram:@sandbox_instagram",
        "--at",
        later,
        "-p",
        "postpeer",
        "--sandbox",
        "--json",
    )
    assert posted.exit_code == 0, posted.output
    post_id = data(posted)["publications"][0]["id"]
    listed = run("scheduled", "-p", "postpeer", "--sandbox", "--json")
    assert [s["account_id"] for s in data(listed)["scheduled"]] == [
        p["account_id"] for p in data(posted)["publications"]
    ]
    cancelled = run("cancel", post_id, "-p", "postpeer", "--sandbox", "--json")
    assert cancelled.exit_code == 0, cancelled.output
    assert [p["status"] for p in data(cancelled)["publications"]] == ["cancelled", "cancelled"]


def _wahdx_id(sandbox: Sandbox) -> str:
    return next(a.id for a in sandbox.emulator("wahdx").accounts if a.platform == "tiktok" and a.active)


@pytest.mark.parametrize("target", ["id", "@username"])
def test_a_refused_key_is_one_line_and_exit_2(
    running: Sandbox, monkeypatch: pytest.MonkeyPatch, target: str
) -> None:
    monkeypatch.setenv("WAHDX_API_KEY", "wx_wrong_key_0000")
    account = _wahdx_id(running) if target == "id" else "@sandbox_tiktok"
    result = run(
        "post",
        running.sample_url("clip.mp4"),
        "--to",
        f"tiktok:{account}",
        "-p",
        "wahdx",
        "--base-url",
        running.url("wahdx"),
    )
    assert result.exit_code == 2, result.output
    errors = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(errors) == 1, result.stderr
    assert "the WAHDX_API_KEY was refused" in errors[0]
    assert "wx_wrong_key_0000" not in result.output
    assert running.emulator("wahdx").published() == 0


def test_a_refused_key_in_json_says_so(running: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WAHDX_API_KEY", "wx_wrong_key_0000")
    result = run("accounts", "-p", "wahdx", "--base-url", running.url("wahdx"), "--json")
    assert result.exit_code == 2
    assert data(result)["kind"] == "configuration"
    assert "the WAHDX_API_KEY was refused" in data(result)["error"]


@pytest.mark.parametrize(
    ("target", "why"),
    [("facebook:@sandbox_facebook", "no facebook account"), ("tiktok:@sandbox_expired", "reconnect")],
)
def test_the_pre_flight_refuses_unknown_and_expired_accounts(running: Sandbox, target: str, why: str) -> None:
    result = run("post", running.sample_url("clip.mp4"), "--to", target, "-p", "wahdx", "--sandbox")
    assert result.exit_code == 2, result.output
    assert why in result.stderr
    assert [r for r in running.emulator("wahdx").requests if r[0] == "POST"] == []


def test_a_hand_edited_publications_file_is_read_around_not_a_traceback(
    running: Sandbox, tmp_path: Path
) -> None:
    clip = write_samples(tmp_path)[0]
    posted = run("post", str(clip), "--to", "tiktok:@sandbox_tiktok", "-p", "wonda", "--sandbox", "--json")
    assert posted.exit_code == 0, posted.output
    (publication,) = data(posted)["publications"]
    state = read_sandbox_state()
    assert state is not None
    store = Path(state["store"])
    items = json.loads(store.read_text())
    items["no-colon"] = ["{}"]  # a key of no provider
    items["wonda:broken"] = ["not json", "[1]", '{"platform": "tiktok"}', '{"status": "gone"}']
    store.write_text(json.dumps(items))

    found = run("status", publication["id"], "-p", "wonda", "--sandbox", "--json")
    assert found.exit_code == 0, found.output
    assert [p["id"] for p in data(found)["publications"]] == [publication["id"]]
    for ref in ("broken", "elsewhere"):
        missing = run("status", ref, "-p", "wonda", "--sandbox")
        assert missing.exit_code == 2, missing.output
        assert f"unknown publication '{ref}'" in missing.output
