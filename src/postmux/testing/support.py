"""One vendor in the sandbox, driven the same way whether the publisher is sync or async.

The conformance tests are written once against :class:`Vendor`. In ``async``
mode every call goes to a real :class:`~postmux.AsyncPublisher` and is run on
one event loop kept for the test (an ``httpx.AsyncClient`` belongs to one
loop), so both publishers are exercised through the very same assertions.

Nothing here names a vendor: what a vendor can do is read from its
``Capabilities``, its seeded accounts and publish routes from its emulator.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

import attrs
import pytest

import postmux
from postmux import Capabilities, Post, RetryPolicy, Target
from postmux.plugins import plugin_manager
from postmux.rules import RULES
from postmux.sandbox import Emulator, Record, Sandbox

from .selection import chosen

__all__ = [
    "CAROUSEL",
    "CASES",
    "MODES",
    "PROVIDERS",
    "SAMPLE_PHOTOS",
    "SAMPLE_VIDEO",
    "Driven",
    "Vendor",
    "capabilities_of",
    "cases_where",
    "in_sandbox",
    "photo_platforms",
    "schedule_time",
]

PROVIDERS: list[str] = chosen()
"""The providers the suite runs over: ``--postmux-provider``'s, or every installed one."""

MODES = ("sync", "async")

FAST = RetryPolicy(max_retries=2, backoff=0.01, max_backoff=0.02)
WAIT = {"timeout": 10.0, "interval": 0.02}
"""How the tests wait: emulators run with tiny timings, so polls are short."""

SAMPLE_VIDEO = "clip.mp4"
SAMPLE_PHOTOS = ("photo-1.jpg", "photo-2.jpg", "photo-3.jpg")
CAROUSEL = "Three photos"
"""A carousel's text: short enough for the tightest photo caption any vendor allows."""


def capabilities_of(provider: str) -> Capabilities:
    """What ``provider`` declares, read at collection time."""
    return plugin_manager().get(provider).capabilities


def _cases(where: Callable[[Capabilities], bool] = lambda caps: True) -> list[Any]:
    return [
        pytest.param(p, m, id=f"{p}-{m}", marks=pytest.mark.postmux_sandbox(providers=[p]))
        for p in PROVIDERS
        if where(capabilities_of(p))
        for m in MODES
    ]


def cases_where(where: Callable[[Capabilities], bool]) -> list[Any]:
    """:data:`CASES` limited to the vendors whose capabilities satisfy ``where``."""
    return _cases(where)


CASES = _cases()
"""(provider, mode) for every installed provider, each test with a sandbox running only that emulator."""


class Driven:
    """A publisher whose calls return results, awaiting them when the publisher is async."""

    def __init__(self, publisher: postmux.Publisher | postmux.AsyncPublisher, run: Callable[[Any], Any]):
        self.raw = publisher
        self._run = run

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self.raw, name)
        if not callable(attr):
            return attr

        def call(*args: Any, **kwargs: Any) -> Any:
            return self._run(attr(*args, **kwargs))

        return call

    def wait(self, report: Any) -> postmux.PublishReport:
        """Wait with the suite's short timings."""
        wait = self.raw.wait(report, timeout=WAIT["timeout"], interval=WAIT["interval"])
        return self._run(wait)  # type: ignore[no-any-return]


class Vendor:
    """One provider's emulator and a publisher (sync or async) pointed at it."""

    def __init__(self, sandbox: Sandbox, provider: str, mode: str) -> None:
        self.sandbox = sandbox
        self.provider = provider
        self.mode = mode
        self.emulator: Emulator = sandbox.emulator(provider)
        self._loop = asyncio.new_event_loop() if mode == "async" else None
        self._made: list[Driven] = []
        self.pub = self.publisher()

    @property
    def capabilities(self) -> Capabilities:
        return self.pub.raw.capabilities

    def publisher(self, **options: Any) -> Driven:
        """Another publisher of the same mode (with a ledger, say)."""
        options.setdefault("retry", FAST)
        if self._loop is None:
            raw: Any = self.sandbox.publisher(self.provider, **options)
        else:
            raw = self.sandbox.async_publisher(self.provider, **options)
        driven = Driven(raw, self._run)
        self._made.append(driven)
        return driven

    def _run(self, value: Any) -> Any:
        if inspect.isawaitable(value):
            assert self._loop is not None, "a sync publisher returned an awaitable"
            return self._loop.run_until_complete(value)
        return value

    def close(self) -> None:
        for driven in self._made:
            raw = driven.raw
            if isinstance(raw, postmux.AsyncPublisher):
                self._run(raw.aclose())
            else:
                raw.close()
        if self._loop is not None:
            self._loop.close()

    # -- what the emulator seeds and saw ------------------------------------------

    def handle(self, platform: str) -> str:
        """``@username`` of the first active account the emulator seeds on ``platform``."""
        for account in self.emulator.accounts:
            if account.platform == platform and account.active:
                return f"@{account.username}"
        pytest.skip(f"{self.provider}'s emulator seeds no active {platform} account")

    def seeded_id(self, platform: str) -> str:
        """The vendor's id of that account."""
        handle = self.handle(platform)[1:]
        return next(a.id for a in self.emulator.accounts if a.platform == platform and a.username == handle)

    def target(self, platform: str) -> Target:
        return Target(platform, self.handle(platform))

    def sample(self, name: str) -> str:
        return self.sandbox.sample_url(name)

    def video(self) -> list[str]:
        return [self.sample(SAMPLE_VIDEO)]

    def photos(self) -> list[str]:
        return [self.sample(name) for name in SAMPLE_PHOTOS]

    def records(self, account_id: str) -> list[Record]:
        return self.emulator.records_for(account_id)

    def writes(self) -> list[tuple[str, str]]:
        """Every request that reached the emulator and was not a read."""
        return [(m, p) for m, p in self.emulator.requests if m not in ("GET", "HEAD")]

    def publish_requests(self) -> int:
        """How many requests reached the emulator's publish routes (its ``publish`` role)."""
        return sum(
            1 for method, path in self.emulator.requests if "publish" in self.emulator.roles_of(method, path)
        )


def photo_platforms(caps: Capabilities, count: int, ext: str = "jpg") -> Iterator[str]:
    """Platforms that take ``count`` photos of format ``ext`` through a vendor with ``caps``."""
    for platform, support in caps.platforms.items():
        rules = RULES[platform]
        if not (rules.photos and support.photos):
            continue
        low = max(rules.min_photos, support.min_photos or 0)
        highs = [h for h in (rules.max_photos, support.max_photos) if h is not None]
        formats = support.photo_formats if support.photo_formats is not None else rules.photo_formats
        if low <= count and all(count <= h for h in highs) and (not formats or ext in formats):
            yield platform


def schedule_time(caps: Capabilities, now: datetime) -> datetime:
    """A time comfortably inside the vendor's scheduling window."""
    ahead = timedelta(hours=1)
    if caps.schedule_min is not None and ahead < caps.schedule_min:
        ahead = caps.schedule_min + timedelta(hours=1)
    if caps.schedule_max is not None and ahead > caps.schedule_max:
        ahead = ((caps.schedule_min or timedelta()) + caps.schedule_max) / 2
    return now + ahead


def in_sandbox(vendor: Vendor, post: Post) -> Post:
    """``post`` aimed at the emulator's seeded accounts, with the sandbox's sample video."""
    return attrs.evolve(post, media=vendor.video(), targets=[vendor.target(t.platform) for t in post.targets])
