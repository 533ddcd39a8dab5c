"""The CLI as a user's shell leaves it: POSTMUX_SANDBOX, Ctrl-C, unwritable files, out-of-range options."""

from __future__ import annotations

import time
import types
from pathlib import Path
from typing import Any

import pytest

from postmux import Publisher
from postmux.cli import waiting
from postmux.cli.state import PublicationStore, read_sandbox_state, remove_sandbox_state
from postmux.post import Target
from postmux.results import Publication
from postmux.sandbox import Sandbox
from postmux.status import Status

from .invoke import data, run


def _posts(sandbox: Sandbox, provider: str) -> list[tuple[str, str]]:
    return [r for r in sandbox.emulator(provider).requests if r[0] == "POST"]


# -- POSTMUX_SANDBOX: the URL `postmux sandbox` tells you to export ---------------------------------


def test_the_sandbox_url_postmux_sandbox_prints_is_the_sandbox_every_command_uses(
    running: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POSTMUX_SANDBOX", running.base_url)  # as `postmux sandbox` and the README say
    accounts = run("accounts", "-p", "wahdx", "--json")
    assert accounts.exit_code == 0, accounts.output
    assert {a["id"] for a in data(accounts)["accounts"]} == {a.id for a in running.emulator("wahdx").accounts}
    posted = run(
        "post", running.sample_url("clip.mp4"), "--to", "tiktok:@sandbox_tiktok", "-p", "wahdx", "--json"
    )
    assert posted.exit_code == 0, posted.output
    (p,) = data(posted)["publications"]
    status = run("status", p["id"], "-p", "wahdx", "--json")  # remembered where that sandbox keeps them
    assert status.exit_code == 0, status.output
    assert data(status)["publications"][0]["id"] == p["id"]


def test_a_sandbox_known_only_by_its_url_is_reached_not_replaced_by_in_process_emulators(
    running: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    remove_sandbox_state()  # another machine's sandbox, or another POSTMUX_HOME: no state file here
    monkeypatch.setenv("POSTMUX_SANDBOX", running.base_url)
    result = run("accounts", "-p", "wonda", "--json")
    assert result.exit_code == 0, result.output
    assert "starting the emulators in this process" not in result.stderr
    assert running.emulator("wonda").requests  # the served emulator answered


def test_postmux_sandbox_set_to_1_is_the_flag_and_anything_else_is_named(
    running: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POSTMUX_SANDBOX", "1")
    assert run("accounts", "-p", "wahdx", "--json").exit_code == 0
    monkeypatch.setenv("POSTMUX_SANDBOX", "maybe")
    result = run("accounts", "-p", "wahdx")
    assert result.exit_code == 2
    assert "POSTMUX_SANDBOX" in result.stderr


# -- Ctrl-C -------------------------------------------------------------------------------------------


def _interrupt(_: float) -> None:
    raise KeyboardInterrupt


def test_ctrl_c_while_waiting_still_reports_and_remembers_what_was_sent(
    running: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    running.inject("wahdx:POST /api/content/post=stuck")  # never final: the command waits
    monkeypatch.setattr(waiting, "time", types.SimpleNamespace(monotonic=time.monotonic, sleep=_interrupt))
    result = run("post", running.sample_url("clip.mp4"), "--to", "tiktok:@sandbox_tiktok", "--wait",
                 "--sandbox", "-p", "wahdx", "--json")  # fmt: skip
    assert result.exit_code == 3, result.output  # still open: check before resending
    (p,) = data(result)["publications"]
    assert p["status"] == "processing"
    assert p["id"]
    monkeypatch.setattr(waiting, "time", time)
    status = run("status", p["id"], "--sandbox", "-p", "wahdx", "--json")
    assert status.exit_code == 0, status.output  # the id was kept for `postmux status`
    assert running.emulator("wahdx").received(role="publish") == 1


def test_ctrl_c_while_publishing_is_in_doubt_not_failed(
    running: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = Publisher.publish

    def publish_then_interrupted(self: Publisher, *args: Any, **kwargs: Any) -> Any:
        real(self, *args, **kwargs)  # the post went out; the user pressed Ctrl-C as the answer came
        raise KeyboardInterrupt

    monkeypatch.setattr(Publisher, "publish", publish_then_interrupted)
    args = (
        "post",
        running.sample_url("clip.mp4"),
        "--to",
        "tiktok:@sandbox_tiktok",
        "--sandbox",
        "-p",
        "wahdx",
    )
    shown = run(*args)
    assert shown.exit_code == 3, shown.output  # unknown, never "failed": a resend may post twice
    assert "may have been posted" in shown.stderr
    as_json = run(*args, "--json")
    assert as_json.exit_code == 3
    assert data(as_json)["kind"] == "interrupted"


# -- the file of ids `postmux status` reads ------------------------------------------------------------


def test_two_commands_at_once_keep_each_others_ids(running: Sandbox) -> None:
    state = read_sandbox_state()
    assert state is not None
    earlier = PublicationStore(Path(state["store"]))  # a command that started first, and saves last
    posted = run("post", running.sample_url("clip.mp4"), "--to", "tiktok:@sandbox_tiktok", "--sandbox",
                 "-p", "wahdx", "--json")  # fmt: skip
    assert posted.exit_code == 0, posted.output
    other = Publication(
        target=Target("instagram", "@sandbox_instagram"),
        provider="wahdx",
        status=Status.PROCESSING,
        id="other-1",
    )
    assert earlier.save([other]) is None
    (p,) = data(posted)["publications"]
    status = run("status", p["id"], "--sandbox", "-p", "wahdx", "--json")
    assert status.exit_code == 0, status.output
    assert PublicationStore(Path(state["store"])).find("other-1", "wahdx")


def test_a_publications_file_that_cannot_be_written_does_not_lose_the_result(
    running: Sandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("POSTMUX_HOME", str(blocker / "postmux"))  # a home that cannot be made
    monkeypatch.setenv("WAHDX_API_KEY", running.key("wahdx"))
    result = run("post", running.sample_url("clip.mp4"), "--to", "tiktok:@sandbox_tiktok", "-p", "wahdx",
                 "--base-url", running.url("wahdx"), "--json")  # fmt: skip
    assert result.exit_code == 0, result.output
    (p,) = data(result)["publications"]
    assert p["id"]
    assert "could not remember" in result.stderr
    assert running.emulator("wahdx").received(role="publish") == 1


# -- options out of range, files that cannot be written: a usage error, nothing sent --------------------


def test_a_negative_timeout_is_refused_before_anything_is_sent(running: Sandbox) -> None:
    result = run("post", running.sample_url("clip.mp4"), "--to", "tiktok:@sandbox_tiktok", "--wait",
                 "--timeout", "-5", "--sandbox", "-p", "wahdx")  # fmt: skip
    assert result.exit_code == 2
    assert "--timeout" in result.output
    assert _posts(running, "wahdx") == []


@pytest.mark.parametrize("ledger", ["mysql://db/postmux", "missing-dir/ledger.db"])
def test_a_ledger_that_cannot_be_opened_is_a_usage_error(
    running: Sandbox, tmp_path: Path, ledger: str
) -> None:
    where = ledger if "://" in ledger else str(tmp_path / ledger)
    result = run("post", running.sample_url("clip.mp4"), "--to", "tiktok:@sandbox_tiktok", "--ledger", where,
                 "--sandbox", "-p", "wahdx", "--json")  # fmt: skip
    assert result.exit_code == 2, result.output  # bad input, and nothing was sent
    assert data(result)["kind"] == "configuration"
    assert _posts(running, "wahdx") == []


def test_connect_names_a_qr_file_it_cannot_write_and_shows_one_it_wrote_as_it_is(
    running: Sandbox, tmp_path: Path
) -> None:
    missing = tmp_path / "no-such-dir" / "qr.png"
    refused = run("connect", "tiktok", "--qr-file", str(missing), "--no-wait", "--sandbox", "-p", "wahdx")
    assert refused.exit_code == 2
    assert "--qr-file" in refused.stderr
    odd = tmp_path / "qr[tiktok].png"
    shown = run("connect", "tiktok", "--qr-file", str(odd), "--no-wait", "--sandbox", "-p", "wahdx")
    assert shown.exit_code == 0, shown.output
    assert odd.exists()
    assert "qr[tiktok].png" in shown.stdout.replace("\n", "")  # not "qr.png": no markup in a path


def test_sandbox_options_it_cannot_use_are_usage_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POSTMUX_HOME", str(tmp_path / "home"))
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    samples = run("sandbox", "--samples", str(blocker / "samples"), "--duration", "0")
    assert samples.exit_code == 2
    assert "--samples" in samples.stderr
    assert not (tmp_path / "home" / "sandbox.json").exists()
    assert run("sandbox", "--port", "70000", "--duration", "0").exit_code == 2
    past_the_end = run("sandbox", "--port", "65535", "--duration", "0")  # the emulators' ports run past it
    assert past_the_end.exit_code == 2
