"""``postmux reconcile REPORT``: the unknowns of a saved ``post --json`` report settled at the vendor."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from postmux.sandbox import Sandbox
from postmux_postpeer.emulator import PostPeerEmulator

from .invoke import data, run


def post_in_doubt(sandbox: Sandbox, provider: str, fault: str, tmp_path: Path) -> Path:
    """``postmux post --json`` under ``fault``, saved as a report file; the fault then removed."""
    sandbox.emulator(provider).faults.add(fault)
    media = sandbox.sample_url("clip.mp4")
    sent = run("post", media, "--to", "tiktok:@sandbox_tiktok", "--text", f"cli {fault}", "--sandbox",
               "-p", provider, "--json")  # fmt: skip
    assert sent.exit_code == 3, sent.output  # unknown
    sandbox.emulator(provider).faults.clear()
    report = tmp_path / "report.json"
    report.write_text(sent.stdout)
    return report


def test_a_post_that_went_out_is_found(running: Sandbox, tmp_path: Path) -> None:
    report = post_in_doubt(running, "postpeer", "*:publish=drop-after", tmp_path)
    result = run("reconcile", str(report), "--sandbox", "--json")
    assert result.exit_code == 0, result.output
    (p,) = data(result)["publications"]
    assert (p["verdict"], p["status"]) == ("found", "published")
    emulator = running.emulator("postpeer")
    assert isinstance(emulator, PostPeerEmulator)
    assert p["id"] in emulator.posts
    assert data(result)["counts"] == {"found": 1}
    status = run("status", p["id"], "--sandbox", "-p", "postpeer", "--json")  # remembered by its id now
    assert status.exit_code == 0, status.output


def test_a_post_never_made_is_absent_and_the_ledger_lets_a_re_run_send_it(
    running: Sandbox, tmp_path: Path
) -> None:
    ledger = tmp_path / "ledger.db"
    running.emulator("postpeer").faults.add("*:publish=500")
    media = running.sample_url("clip.mp4")
    post = ("post", media, "--to", "tiktok:@sandbox_tiktok", "--text", "cli absent", "--sandbox",
            "-p", "postpeer", "--ledger", str(ledger), "--json")  # fmt: skip
    sent = run(*post)
    assert sent.exit_code == 3, sent.output
    running.emulator("postpeer").faults.clear()
    report = tmp_path / "report.json"
    report.write_text(sent.stdout)
    soon = run("reconcile", str(report), "--sandbox", "--ledger", str(ledger), "--json")
    (p,) = data(soon)["publications"]  # just sent: PostPeer may not list it yet
    assert (p["verdict"], p["status"]) == ("check by hand", "unknown"), p
    assert "reconcile again after" in p["error"]
    assert run(*post).exit_code == 3  # still held: nothing sent
    result = run(
        "reconcile", str(report), "--sandbox", "--ledger", str(ledger), "--absent-after", "0", "--json"
    )
    assert result.exit_code == 1, result.output
    (p,) = data(result)["publications"]
    assert (p["verdict"], p["status"], p["error_code"]) == ("absent", "failed", "not_found_at_vendor")
    again = run(*post)
    assert again.exit_code == 0, again.output
    assert running.emulator("postpeer").received() == 2


@pytest.mark.parametrize("provider", ["wahdx", "wonda"])
def test_what_the_vendor_cannot_check_is_shown_with_what_to_check(
    running: Sandbox, tmp_path: Path, provider: str
) -> None:
    report = post_in_doubt(running, provider, "*:publish=drop-after", tmp_path)
    table = run("reconcile", str(report), "--sandbox")
    assert table.exit_code == 3
    assert "check by hand" in table.stdout
    assert "check the tiktok account @sandbox_tiktok" in table.stdout
    result = run("reconcile", "-", "--sandbox", "--json", stdin=report.read_text())
    (p,) = data(result)["publications"]
    assert (p["verdict"], p["status"]) == ("check by hand", "unknown")


def test_a_file_that_is_not_a_report_is_a_usage_error(running: Sandbox, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"publications": [{"status": "unknown"}]}))
    result = run("reconcile", str(bad), "--sandbox")
    assert result.exit_code == 2
    assert "publications[0]" in result.stderr
    assert run("reconcile", str(tmp_path / "missing.json"), "--sandbox").exit_code == 2
