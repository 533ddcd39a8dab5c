"""Faults added to and cleared from a running sandbox: the control route and ``postmux faults``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

from postmux import Post, Status, Target
from postmux.cli.app import cli
from postmux.sandbox import Sandbox, Timing


@pytest.fixture
def control() -> Iterator[tuple[Sandbox, httpx.Client]]:
    """A served sandbox, and a client holding its control token."""
    with Sandbox(["wahdx", "wonda"], timing=Timing.instant()) as sandbox:
        headers = {"Authorization": f"Bearer {sandbox.control_token}"}
        with httpx.Client(base_url=sandbox.media.base_url + "/_postmux", headers=headers) as client:
            yield sandbox, client


def _post(sandbox: Sandbox) -> Post:
    return Post(
        text="c", media=[sandbox.sample_url("clip.mp4")], targets=[Target("instagram", "@sandbox_instagram")]
    )


def test_faults_are_added_listed_removed_and_cleared_while_serving(
    control: tuple[Sandbox, httpx.Client],
) -> None:
    sandbox, client = control
    assert client.get("/faults").json() == {"faults": []}
    added = client.post(
        "/faults", json={"rules": ["*:publish=503", "wahdx:POST /api/content/post=500;latency=5ms"]}
    )
    assert added.status_code == 200
    assert added.json()["faults"] == ["*:publish=503", "wahdx:POST /api/content/post=500", "latency=5ms"]
    (p,) = sandbox.publisher("wahdx", retry=None).publish(_post(sandbox))
    assert p.status is Status.UNKNOWN  # a 503 to a publish: the client cannot know, so never resent
    assert (sandbox.emulator("wahdx").received(), sandbox.emulator("wahdx").published()) == (1, 0)
    removed = client.request("DELETE", "/faults", json={"rules": ["*:publish=503"]}).json()
    assert removed == {"removed": 1, "faults": ["wahdx:POST /api/content/post=500", "latency=5ms"]}
    assert client.request("DELETE", "/faults").json() == {"removed": None, "faults": []}
    (p,) = sandbox.publisher("wahdx").publish(_post(sandbox))
    assert p.status is Status.PUBLISHED


def test_a_bad_rule_is_a_400_naming_it_and_changes_nothing(control: tuple[Sandbox, httpx.Client]) -> None:
    sandbox, client = control
    for rules in (["*:publish=503", "wahdx:POST=bogus"], ["*:publish=503", "wahdx:upload=500"], "nope"):
        answer = client.post("/faults", json={"rules": rules})
        assert answer.status_code == 400
        assert "error" in answer.json()
    assert sandbox.faults() == []
    assert client.post("/faults", content=b"{not json").status_code == 400


def test_the_control_route_needs_the_token(control: tuple[Sandbox, httpx.Client]) -> None:
    sandbox, _ = control
    url = sandbox.media.base_url + "/_postmux/faults"
    assert httpx.post(url, json={"rules": ["500"]}).status_code == 401
    assert (
        httpx.post(url, json={"rules": ["500"]}, headers={"Authorization": "Bearer wrong"}).status_code == 401
    )
    assert sandbox.faults() == []
    assert httpx.get(sandbox.sample_url("clip.mp4")).status_code == 200  # the media host is unchanged


def test_settle_and_advance_through_the_control_route(control: tuple[Sandbox, httpx.Client]) -> None:
    sandbox, client = control
    sandbox.timing = Timing(queued=60, processing=60)
    sandbox.emulator("wahdx").records.timing = sandbox.timing
    post = Post(
        text="c", media=[sandbox.sample_url("clip.mp4")], targets=[Target("tiktok", "@sandbox_tiktok")]
    )
    sandbox.publisher("wahdx").publish(post)
    assert sandbox.emulator("wahdx").published() == 0
    assert client.post("/settle").json() == {"settled": 1}
    assert sandbox.emulator("wahdx").published() == 1
    before = sandbox.clock.now()
    assert client.post("/advance", json={"seconds": 3600}).json() == {"advanced": 3600}
    assert sandbox.clock.now() - before >= 3600
    assert client.post("/advance", json={"seconds": "soon"}).status_code == 400
    assert client.get("/nothing").status_code == 404


def _postmux() -> list[str]:
    script = Path(sys.executable).with_name("postmux")
    fallback = [sys.executable, "-c", "from postmux.cli import main; main()"]
    return [str(script)] if script.exists() else fallback


def _wait_for(path: Path, timeout: float = 20.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists():
            try:
                state = json.loads(path.read_text())
            except ValueError:
                pass
            else:
                assert isinstance(state, dict), state  # the state file holds one object
                return state
        time.sleep(0.05)
    raise AssertionError("postmux sandbox did not write its state file")


def test_postmux_faults_changes_a_running_postmux_sandbox(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``postmux sandbox`` in its own process; ``postmux faults add|list|clear`` from another."""
    monkeypatch.setenv("POSTMUX_HOME", str(tmp_path))
    env = {**os.environ, "POSTMUX_HOME": str(tmp_path)}
    server = subprocess.Popen(
        [*_postmux(), "sandbox", "--json", "--duration", "60", "--queued", "0.01", "--processing", "0.01"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        state = _wait_for(tmp_path / "sandbox.json")
        assert state["control"]["url"].startswith("http://127.0.0.1:")
        runner = CliRunner()
        added = runner.invoke(cli, ["faults", "add", "*:publish=503", "wonda:upload=500:times=1", "--json"])
        assert added.exit_code == 0, added.output
        assert json.loads(added.stdout)["faults"] == ["*:publish=503", "wonda:upload=500:times=1"]
        listed = runner.invoke(cli, ["faults", "list"])
        assert "*:publish=503" in listed.stdout
        post = [
            "post",
            "--sandbox",
            "-p",
            "wahdx",
            state["samples"]["clip.mp4"],
            "--to",
            "instagram:@sandbox_instagram",
        ]
        posted = runner.invoke(cli, post)
        assert posted.exit_code == 3  # the vendor answered 503 to the publish: unknown, never resent
        bad = runner.invoke(cli, ["faults", "add", "*:reconcile=500"])
        assert bad.exit_code == 2
        assert "reconcile" in bad.stderr
        cleared = runner.invoke(cli, ["faults", "clear", "--json"])
        assert json.loads(cleared.stdout)["faults"] == []
        posted = runner.invoke(cli, post)
        assert posted.exit_code == 0, posted.output
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_postmux_faults_without_a_sandbox_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POSTMUX_HOME", str(tmp_path))
    result = CliRunner().invoke(cli, ["faults", "list"])
    assert result.exit_code == 2
    assert "no postmux sandbox is running" in result.stderr


@pytest.mark.parametrize("seconds", [b"NaN", b"Infinity", b"1e400", b"1" + b"0" * 400])
def test_advance_refuses_a_time_that_is_not_finite_and_the_clock_keeps_working(
    control: tuple[Sandbox, httpx.Client], seconds: bytes
) -> None:
    sandbox, client = control
    before = sandbox.clock.now()
    answer = client.post("/advance", content=b'{"seconds": ' + seconds + b"}")
    assert answer.status_code == 400
    assert "seconds" in answer.json()["error"]
    assert before <= sandbox.clock.now() < before + 60
    with pytest.raises(ValueError, match="finite"):
        sandbox.advance(float("nan"))
    post = _post(sandbox)
    (p,) = sandbox.publisher("wahdx").publish(post)
    assert p.status is Status.PUBLISHED, p.error
