"""``validate(post, resolve=True)``: the whole pre-flight, with the vendor's accounts, before sending."""

from __future__ import annotations

import pytest

from postmux import Post, Target, ValidationError
from postmux.sandbox import Sandbox

pytestmark = pytest.mark.postmux_sandbox(providers=["wahdx", "postpeer"])


def _post(sandbox: Sandbox, *targets: Target) -> Post:
    return Post(text="hi", media=[sandbox.sample_url("clip.mp4")], targets=list(targets))


def test_an_unknown_username_is_a_problem_of_validate(postmux_sandbox: Sandbox) -> None:
    pub = postmux_sandbox.publisher("wahdx")
    post = _post(postmux_sandbox, Target("facebook", "@sandbox_facebook"))
    assert pub.validate(post) == []  # no I/O: the username cannot be checked
    (problem,) = pub.validate(post, resolve=True)
    assert problem.field == "targets[0].account"
    assert "no facebook account @sandbox_facebook at wahdx" in problem.message
    assert postmux_sandbox.emulator("wahdx").published() == 0


@pytest.mark.parametrize("provider", ["wahdx", "postpeer"])
def test_an_account_needing_reconnection_is_refused_before_sending(
    postmux_sandbox: Sandbox, provider: str
) -> None:
    pub = postmux_sandbox.publisher(provider)
    post = _post(postmux_sandbox, Target("tiktok", "@sandbox_expired"))
    (problem,) = pub.validate(post, resolve=True)
    assert problem.field == "targets[0].account"
    assert "reconnect" in problem.message
    emulator = postmux_sandbox.emulator(provider)
    before = len(emulator.requests)
    with pytest.raises(ValidationError, match="reconnect"):
        pub.publish(post)
    sent = [r for r in emulator.requests[before:] if r[0] == "POST"]
    assert sent == []  # only the accounts were asked for


def test_an_account_id_listed_as_expired_is_a_problem(postmux_sandbox: Sandbox) -> None:
    pub = postmux_sandbox.publisher("postpeer")
    expired = next(a for a in pub.accounts() if not a.active)
    post = _post(postmux_sandbox, Target("tiktok", expired.id), Target("tiktok", "@sandbox_tiktok"))
    problems = pub.validate(post, resolve=True)
    assert [p.field for p in problems] == ["targets[0].account"]


async def test_the_async_publisher_awaits_the_same_pre_flight(postmux_sandbox: Sandbox) -> None:
    async with postmux_sandbox.async_publisher("wahdx") as pub:
        post = _post(
            postmux_sandbox, Target("facebook", "@sandbox_facebook"), Target("tiktok", "@sandbox_expired")
        )
        assert pub.validate(post) == []
        problems = await pub.validate(post, resolve=True)
        assert [p.field for p in problems] == ["targets[0].account", "targets[1].account"]


@pytest.mark.parametrize("provider", ["wahdx", "postpeer"])
def test_publish_leaves_an_account_id_to_the_vendor_though_validate_flags_it(
    postmux_sandbox: Sandbox, provider: str
) -> None:
    # validate(resolve=True) reads the accounts for every target; publish() reads them only to
    # resolve an @username, and sends an account-id target as given: the vendor's refusal fails it
    pub = postmux_sandbox.publisher(provider)
    expired = next(a for a in pub.accounts() if not a.active)
    for post in (
        _post(postmux_sandbox, Target("tiktok", expired.id)),
        _post(postmux_sandbox, Target("tiktok", expired.id), Target("instagram", "@sandbox_instagram")),
    ):
        assert [p.field for p in pub.validate(post, resolve=True)] == ["targets[0].account"]
        report = pub.publish(post)
        assert report[0].status.value == "failed"
        assert report[0].error is not None
        assert "reconnect it (postmux connect)" not in report[0].error  # the vendor's, not the pre-flight's
