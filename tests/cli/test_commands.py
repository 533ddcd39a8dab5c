"""The ``postmux`` command through the emulators (click's CliRunner), and one real ``postmux demo``."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from postmux.sandbox import Sandbox
from postmux.sandbox.samples import write_samples
from postmux.testing.servers import InternalService

from .invoke import data, run


def test_providers_shows_the_capability_matrix() -> None:
    result = run("providers", "--json")
    assert result.exit_code == 0
    matrix = data(result)["providers"]
    assert {"wahdx", "wonda", "postpeer"} <= set(matrix)
    assert matrix["wonda"]["platforms"]["threads"]["supported"] is False
    assert matrix["wahdx"]["emulator"] is True
    table = run("providers")
    assert "publishes" in table.stdout
    assert "scheduling" in table.stdout


@pytest.mark.parametrize("provider", ["wahdx", "wonda", "postpeer"])
def test_accounts(running: Sandbox, provider: str) -> None:
    result = run("accounts", "--sandbox", "-p", provider, "--json")
    assert result.exit_code == 0
    assert "tiktok" in {a["platform"] for a in data(result)["accounts"]}


@pytest.mark.parametrize("provider", ["wonda", "postpeer"])
def test_done_when_a_local_video_to_tiktok_and_instagram_is_published(
    running: Sandbox, provider: str, tmp_path: Path
) -> None:
    clip = write_samples(tmp_path)[0]
    result = run(
        "post",
        str(clip),
        "--to",
        "tiktok:@sandbox_tiktok",
        "--to",
        "instagram:@sandbox_instagram",
        "--text",
        "hello",
        "--wait",
        "--sandbox",
        "--provider",
        provider,
        "--json",
    )
    assert result.exit_code == 0, result.output
    assert [p["status"] for p in data(result)["publications"]] == ["published", "published"]


def test_done_when_urls_work_on_every_vendor(running: Sandbox) -> None:
    for provider in ("wahdx", "wonda", "postpeer"):
        result = run(
            "post",
            running.sample_url("clip.mp4"),
            "--to",
            "tiktok:@sandbox_tiktok",
            "--to",
            "instagram:@sandbox_instagram",
            "--wait",
            "--sandbox",
            "-p",
            provider,
            "--json",
        )
        assert result.exit_code == 0, (provider, result.output)
        assert {p["status"] for p in data(result)["publications"]} == {"published"}


def test_only_the_sandbox_media_host_is_fetched_from_loopback(running: Sandbox) -> None:
    with InternalService() as internal:
        result = run(
            "post",
            f"{internal.origin}/clip.mp4",
            "--to",
            "tiktok:@sandbox_tiktok",
            "--sandbox",
            "-p",
            "wonda",
            "--json",
        )
    assert result.exit_code == 1, result.output
    (publication,) = data(result)["publications"]
    assert publication["status"] == "failed"
    assert "fetch policy: address" in publication["error"]
    assert internal.hits == []
    assert not any(path.endswith("/media/upload") for _, path in running.emulator("wonda").requests)


def test_wahdx_refuses_a_local_file_before_any_io(
    running: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("POSTMUX_MEDIA_HOST", raising=False)
    clip = write_samples(tmp_path)[0]
    result = run("post", str(clip), "--to", "tiktok:@sandbox_tiktok", "--sandbox", "-p", "wahdx")
    assert result.exit_code == 2
    assert "unsupported: media[0].path" in result.stderr
    assert "POSTMUX_MEDIA_HOST" in result.stderr  # and it says how to get a media host
    assert running.emulator("wahdx").requests == []


def test_wahdx_publishes_a_local_file_through_the_media_host_named_in_the_environment(
    running: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POSTMUX_MEDIA_HOST", "sandbox://" + running.media.base_url.split("://", 1)[1])
    clip = write_samples(tmp_path)[0]
    result = run(
        "post", str(clip), "--to", "tiktok:@sandbox_tiktok", "--wait", "--sandbox", "-p", "wahdx", "--json"
    )
    assert result.exit_code == 0, result.output
    assert [p["status"] for p in data(result)["publications"]] == ["published"]
    (record,) = running.emulator("wahdx").records
    assert running.media.owns(record.media[0])
    assert running.media.lookup(record.media[0]) is None  # final, so the command removed it


def test_bad_input_lists_every_problem_and_sends_nothing(running: Sandbox) -> None:
    result = run(
        "post",
        running.sample_url("clip.mp4"),
        running.sample_url("photo-1.jpg"),
        "--to",
        "tiktok",
        "--to",
        "myspace:@me",
        "--at",
        "tomorrow",
        "--sandbox",
        "-p",
        "wahdx",
    )
    assert result.exit_code == 2
    lines = [line for line in result.stderr.splitlines() if line.startswith(("invalid", "unsupported"))]
    assert len(lines) >= 2
    assert running.emulator("wahdx").requests == []


def test_post_then_status_and_wait_by_id(running: Sandbox) -> None:
    posted = run(
        "post",
        running.sample_url("clip.mp4"),
        "--to",
        "tiktok:@sandbox_tiktok",
        "--sandbox",
        "-p",
        "wahdx",
        "--json",
    )
    assert posted.exit_code == 0
    (p,) = data(posted)["publications"]
    assert p["status"] == "processing"
    waited = run("wait", p["id"], "--sandbox", "-p", "wahdx", "--json")
    assert waited.exit_code == 0
    assert data(waited)["publications"][0]["status"] == "published"
    status = run("status", p["id"], "--sandbox", "-p", "wahdx")
    assert status.exit_code == 0
    assert "published" in status.stdout


def test_drop_after_exits_3_and_a_ledger_rerun_does_not_post_twice(running: Sandbox, tmp_path: Path) -> None:
    running.inject("wahdx:POST /api/content/post=drop-after")
    args = [
        "post",
        running.sample_url("clip.mp4"),
        "--to",
        "instagram:@sandbox_instagram",
        "--ledger",
        str(tmp_path / "l.db"),
        "--sandbox",
        "-p",
        "wahdx",
        "--json",
    ]
    assert run(*args).exit_code == 3
    running.clear_faults()
    assert run(*args).exit_code == 3
    assert running.emulator("wahdx").published() == 1


def test_a_failed_publication_exits_1(running: Sandbox) -> None:
    running.inject("wahdx:POST /api/content/post=fail")
    result = run(
        "post",
        running.sample_url("clip.mp4"),
        "--to",
        "tiktok:@sandbox_tiktok",
        "--wait",
        "--sandbox",
        "-p",
        "wahdx",
    )
    assert result.exit_code == 1
    assert "failed" in result.stdout


def test_schedule_list_and_cancel(running: Sandbox) -> None:
    later = (running.clock.datetime() + timedelta(hours=2)).isoformat()
    posted = run(
        "post",
        running.sample_url("clip.mp4"),
        "--to",
        "tiktok:@sandbox_tiktok",
        "--at",
        later,
        "--sandbox",
        "-p",
        "wonda",
        "--json",
    )
    assert posted.exit_code == 0, posted.output
    (p,) = data(posted)["publications"]
    assert p["status"] == "scheduled"
    listed = run("scheduled", "--sandbox", "-p", "wonda", "--json")
    assert p["id"] in {s["id"] for s in data(listed)["scheduled"]}
    cancelled = run("cancel", p["id"], "--sandbox", "-p", "wonda", "--json")
    assert cancelled.exit_code == 0
    assert data(cancelled)["publications"][0]["status"] == "cancelled"


def test_creator_info_and_connect(running: Sandbox, tmp_path: Path) -> None:
    info = run("creator-info", "@sandbox_tiktok", "--sandbox", "-p", "wahdx", "--json")
    assert info.exit_code == 0
    assert "SELF_ONLY" in data(info)["privacy_options"]
    qr = tmp_path / "qr.png"
    linked = run("connect", "tiktok", "--qr-file", str(qr), "--sandbox", "-p", "wahdx", "--json")
    assert linked.exit_code == 0, linked.output
    assert qr.read_bytes().startswith(b"\x89PNG")
    assert data(linked)["account"]["platform"] == "tiktok"
    oauth = run("connect", "facebook", "--sandbox", "-p", "postpeer", "--json", "--timeout", "10")
    assert oauth.exit_code == 0, oauth.output
    assert data(oauth)["url"].startswith("http://127.0.0.1:")


def test_no_provider_or_no_key_is_a_usage_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("POSTMUX_PROVIDER", raising=False)
    monkeypatch.delenv("WAHDX_API_KEY", raising=False)
    assert run("accounts").exit_code == 2
    result = run("accounts", "-p", "wahdx")
    assert result.exit_code == 2
    assert "WAHDX_API_KEY" in result.stderr


def test_sandbox_command_prints_urls_keys_and_accounts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POSTMUX_HOME", str(tmp_path))
    result = run("sandbox", "--duration", "0.2", "--faults", "429:retry-after=1", "--json")
    assert result.exit_code == 0
    shown = data(result)
    assert set(shown["providers"]) >= {"wahdx", "wonda", "postpeer"}
    assert shown["providers"]["wahdx"]["base_url"].startswith("http://127.0.0.1:")
    assert not (tmp_path / "sandbox.json").exists()  # removed when it stopped
    assert run("sandbox", "--faults", "nonsense", "--duration", "0").exit_code == 2


def test_one_shot_sandbox_without_a_running_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POSTMUX_HOME", str(tmp_path))
    result = run("accounts", "--sandbox", "-p", "wonda", "--json")
    assert result.exit_code == 0
    assert "starting the emulators in this process" not in result.stdout


def test_demo_in_a_real_subprocess() -> None:
    script = Path(sys.executable).with_name("postmux")
    command = (
        [str(script)] if script.exists() else [sys.executable, "-c", "from postmux.cli import main; main()"]
    )
    done = subprocess.run(
        [*command, "demo", "--json"], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["seconds"] < 60
    rows = report["results"]
    assert {r["provider"] for r in rows} >= {"wahdx", "wonda", "postpeer"}
    assert {r["status"] for r in rows} <= {"published", "unsupported"}
    assert any(r["status"] == "unsupported" and r["provider"] == "wonda" for r in rows)


def test_sandbox_command_refuses_a_port_out_of_range_and_an_unwritable_samples_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POSTMUX_HOME", str(tmp_path))
    result = run("sandbox", "--port", "70000", "--duration", "0", "--json")
    assert result.exit_code == 2
    assert "port" in data(result)["error"]
    (tmp_path / "a-file").write_text("")
    result = run("sandbox", "--samples", str(tmp_path / "a-file" / "samples"), "--duration", "0", "--json")
    assert result.exit_code == 2
    assert "--samples" in data(result)["error"]
    assert not (tmp_path / "sandbox.json").exists()  # removed when it stopped
