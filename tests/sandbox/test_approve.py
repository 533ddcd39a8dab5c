"""``Sandbox.approve``: a test finishes a QR or OAuth link in-process, as a person scanning would."""

from __future__ import annotations

import time

import httpx
import pytest

import postmux
from postmux import ConnectStart
from postmux.sandbox import Sandbox


def test_a_qr_login_is_finished_in_process_within_the_vendors_poll_interval() -> None:
    with Sandbox() as sandbox:
        pub = sandbox.publisher("wahdx")
        link = pub.connect("tiktok")
        assert link.qr_image is not None
        account = sandbox.approve(link)  # "the person scanned the code and confirmed"
        started = time.monotonic()
        linked = link.wait(timeout=15)
        assert time.monotonic() - started < 5  # the first poll sees it: no 10 s wait
        assert (linked.id, linked.username) == (account.id, account.username)
        assert linked.id in {a.id for a in pub.accounts(refresh=True)}
        assert link.poll().status.value == "used"  # a code is used once


def test_an_oauth_link_is_finished_in_process() -> None:
    with Sandbox() as sandbox:
        pub = sandbox.publisher("postpeer")
        link = pub.connect("facebook")
        account = sandbox.approve(link, username="brand_page")
        linked = link.wait(timeout=15)
        assert (linked.id, linked.username) == (account.id, "brand_page")


async def test_the_async_session_is_approved_the_same_way() -> None:
    with Sandbox(providers=["wahdx"]) as sandbox:
        async with sandbox.async_publisher("wahdx") as pub:
            link = await pub.connect("tiktok")
            account = sandbox.approve(link)
            assert (await link.wait(timeout=15)).id == account.id


def test_a_link_no_emulator_issued_is_refused() -> None:
    with (
        Sandbox(providers=["wahdx"]) as sandbox,
        pytest.raises(ValueError, match="no emulator in this sandbox issued"),
    ):
        sandbox.approve(ConnectStart(platform="tiktok", state={"token": "NOPE"}))


def test_left_alone_a_sandbox_publishers_qr_login_confirms_at_the_sandboxs_poll_speed() -> None:
    # the docs' "left alone": the vendor's 10 s applies to a publisher of postmux.publisher(); a
    # sandbox publisher polls at the sandbox's speed, so polling alone confirms within the wait
    with Sandbox(providers=["wahdx"]) as sandbox:
        own = postmux.publisher(
            "wahdx",
            api_key=sandbox.key("wahdx"),
            base_url=sandbox.url("wahdx"),
            client=httpx.Client(transport=sandbox.transport("wahdx")),
        )
        with own:
            assert own.connect("tiktok").interval == 10.0  # Wahdx's advice: polls at 0, 10, 20 s
        link = sandbox.publisher("wahdx").connect("tiktok")
        assert link.interval == sandbox.poll_interval()
        started = time.monotonic()
        linked = link.wait(timeout=15)  # new → scanned → confirmed over successive polls
        assert time.monotonic() - started < 5
        assert linked.username
