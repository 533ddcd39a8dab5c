"""Every request a bundled plugin makes is answered by a route of its emulator, never by a routing miss.

Each publisher operation the vendor's capabilities allow is run once against
the emulator (in-process): publishing a video and a carousel to every
platform, following them, the accounts, creator info, scheduling, cancelling,
rescheduling and linking. A request no route of the emulator matches would
get Starlette's plain-text ``404 Not Found`` or ``405 Method Not Allowed``
instead of the vendor's JSON; none may.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

import postmux
from postmux import Post, Status, Target
from postmux.sandbox import InProcessTransport, Sandbox, Timing

PROVIDERS = ["wahdx", "wonda", "postpeer"]
PHOTOS = ("photo-1.jpg", "photo-2.jpg", "photo-3.jpg")


class Recording(httpx.BaseTransport):
    """The in-process transport, keeping (method, path, status, content type) of every exchange."""

    def __init__(self, inner: InProcessTransport) -> None:
        self.inner = inner
        self.seen: list[tuple[str, str, int, str]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        kind = response.headers.get("content-type", "")
        self.seen.append((request.method, request.url.path, response.status_code, kind))
        return response


def _exercise(sandbox: Sandbox, provider: str, pub: postmux.Publisher) -> None:
    caps = pub.capabilities
    emulator = sandbox.emulator(provider)
    accounts = pub.accounts()
    active = {a.platform: a for a in accounts if a.active}
    if caps.creator_info and "tiktok" in active:
        pub.creator_info(active["tiktok"].id)
    made = []
    for platform in caps.platforms:
        if platform not in active:
            continue
        for media in ([sandbox.sample_url("clip.mp4")], [sandbox.sample_url(n) for n in PHOTOS]):
            post = Post(text="every endpoint", media=media, targets=[Target(platform, active[platform].id)])
            if pub.validate(post):
                continue
            made += list(pub.publish(post))
    assert made, f"{provider}: nothing could be published"
    done = pub.wait(made, timeout=10)
    assert all(p.status in (Status.PUBLISHED, Status.INBOX) for p in done), done
    for p in made:
        pub.status(p)
    if caps.scheduling:
        platform = next(p for p in active if caps.can_schedule(p))
        later = datetime.now(UTC) + (caps.schedule_min or timedelta()) + timedelta(hours=1)
        post = Post(
            text="later",
            media=[sandbox.sample_url("clip.mp4")],
            targets=[Target(platform, active[platform].id)],
            schedule_at=later,
        )
        (scheduled,) = pub.publish(post)
        assert scheduled.status is Status.SCHEDULED
        assert pub.scheduled()
        if caps.reschedule:
            scheduled = pub.reschedule(scheduled, later + timedelta(hours=1))
        if caps.cancel:
            assert pub.cancel(scheduled).status is Status.CANCELLED
    for platform in sorted(caps.connect):
        session = pub.connect(platform)
        account = sandbox.approve(session)
        assert session.wait(timeout=5).id == account.id
    assert emulator.received() >= 1


@pytest.mark.parametrize("provider", PROVIDERS)
def test_every_request_of_the_plugin_meets_a_route_of_its_emulator(provider: str) -> None:
    sandbox = Sandbox([provider], timing=Timing.instant())
    recording = Recording(sandbox.transport(provider))
    with httpx.Client(transport=recording) as client:
        pub = sandbox.publisher(provider, client=client)
        _exercise(sandbox, provider, pub)
    misses = [s for s in recording.seen if s[2] in (404, 405) and not s[3].startswith("application/json")]
    assert not misses, f"requests no route of the {provider} emulator answers: {misses}"
    answered = {(m, path) for m, path, status, _ in recording.seen if status < 400}
    assert len(answered) >= 4, answered


def test_a_routing_miss_would_be_caught() -> None:
    """The check above is not vacuous: a path the emulator lacks is Starlette's plain-text 404."""
    sandbox = Sandbox(["wahdx"])
    recording = Recording(sandbox.transport("wahdx"))
    with httpx.Client(transport=recording) as client:
        client.get(sandbox.url("wahdx") + "/api/content/nothing", headers={"X-API-Key": sandbox.key("wahdx")})
    ((_, _, status, kind),) = recording.seen
    assert status == 404
    assert not kind.startswith("application/json")
