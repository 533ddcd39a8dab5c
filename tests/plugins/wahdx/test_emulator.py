"""The Wahdx emulator accepts what the adapter sends: every value validation lets through is published.

Real HTTP on loopback through the sandbox (``postmux_sandbox``), Wahdx only.
"""

from __future__ import annotations

import attrs
import pytest

from postmux import Post, Status, Target, ThreadsOptions
from postmux.options import ThreadsReplyControl
from postmux.rules import THREADS_REPLY_CONTROL
from postmux.sandbox import Sandbox

pytestmark = pytest.mark.postmux_sandbox(providers=["wahdx"])


def _account(sandbox: Sandbox, platform: str) -> str:
    return next(a.id for a in sandbox.emulator("wahdx").accounts if a.platform == platform and a.active)


@pytest.mark.parametrize("reply", sorted(THREADS_REPLY_CONTROL))
def test_every_threads_reply_control_validation_allows_is_published(
    postmux_sandbox: Sandbox, reply: ThreadsReplyControl
) -> None:
    pub = postmux_sandbox.publisher("wahdx")
    post = Post(
        text="reply control",
        media=[postmux_sandbox.sample_url("photo-1.jpg")],
        targets=[Target("threads", _account(postmux_sandbox, "threads"))],
        threads=ThreadsOptions(reply_control=reply),
    )
    assert pub.validate(post) == []
    (p,) = pub.publish(post)
    assert (p.status, p.error) == (Status.PUBLISHED, None)
    (record,) = postmux_sandbox.emulator("wahdx").records
    assert record.options == {"reply_control": reply}


def test_facebook_multi_photo_post_has_no_invented_maximum(postmux_sandbox: Sandbox) -> None:
    pub = postmux_sandbox.publisher("wahdx")
    post = Post(
        text="eleven photos",
        media=[postmux_sandbox.sample_url("photo-1.jpg")] * 11,
        targets=[Target("facebook", _account(postmux_sandbox, "facebook"))],
    )
    assert pub.validate(post) == []
    (p,) = pub.publish(post)
    assert (p.status, p.error) == (Status.PUBLISHED, None)


def test_facebook_text_at_wahdx_limit_is_published(postmux_sandbox: Sandbox) -> None:
    pub = postmux_sandbox.publisher("wahdx")
    post = Post(
        text="x" * 4000,
        media=[postmux_sandbox.sample_url("photo-1.jpg")],
        targets=[Target("facebook", _account(postmux_sandbox, "facebook"))],
    )
    (p,) = pub.publish(post)
    assert p.status is Status.PUBLISHED
    assert pub.validate(attrs.evolve(post, text="x" * 4001))  # one more is refused before any request


@pytest.mark.postmux_sandbox(providers=["wahdx"], faults="wahdx:POST /api/content/post=fail")
def test_a_meta_post_failing_at_once_says_why(postmux_sandbox: Sandbox) -> None:
    pub = postmux_sandbox.publisher("wahdx")
    post = Post(
        text="fails",
        media=[postmux_sandbox.sample_url("clip.mp4")],
        targets=[Target("instagram", _account(postmux_sandbox, "instagram"))],
    )
    (p,) = pub.publish(post)
    assert p.status is Status.FAILED
    assert (p.error, p.error_code) == ("sandbox_fault", "sandbox_fault")
    assert p.raw["data"]["fail_reason"] == "sandbox_fault"
