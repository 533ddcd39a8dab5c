"""The asyncio :class:`AsyncPublisher`: the same methods as :class:`~postmux.Publisher`, awaited.

It carries out the very same plans (:mod:`postmux.plan`) and adapter flows
as the sync publisher; concurrent batches and status reads run as tasks
bounded by a semaphore.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal, Self, TypeVar, overload

import httpx

from . import plan
from .accounts import Account, CreatorInfo
from .adapter import Adapter
from .connections import make_client
from .core import PublisherCore
from .drivers import AsyncDriver, RetryPolicy
from .errors import Problem
from .fetch import FetchPolicy
from .flow import Flow
from .hosting import HostedFile, MediaHost, ahost_local_media, aremove_quietly
from .ledger import Ledger
from .plan import Concurrently, DropHosted, HostMedia, Plan, RunFlow, Step
from .plugins import PluginManager
from .pool import ShardedAsyncTransport
from .post import Post, Target
from .preview import Preview
from .results import Publication, PublishReport
from .secrets import Secret
from .stepping import adrive, asleep
from .validation import check_new_time

if TYPE_CHECKING:  # imported by connect() only: a publish never loads it
    from .connect import AsyncConnectSession

__all__ = ["AsyncPublisher"]

T = TypeVar("T")


class AsyncPublisher(PublisherCore, publisher=True):
    """Publishes through one vendor with asyncio. Make one with :func:`postmux.async_publisher`."""

    def __init__(
        self,
        adapter: Adapter,
        key: Secret,
        *,
        client: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: httpx.Timeout | float | None = None,
        retry: RetryPolicy | None = None,
        ledger: Ledger | str | Path | None = None,
        max_concurrency: int = 8,
        plugins: PluginManager | None = None,
        media_fetch: FetchPolicy | None = None,
        media_root: str | os.PathLike[str] | None = None,
        media_host: MediaHost | None = None,
        poll_interval: float | None = None,
        sleep: Callable[[float], Awaitable[Any]] = asleep,
    ) -> None:
        super().__init__(
            adapter,
            key,
            ledger=ledger,
            max_concurrency=max_concurrency,
            plugins=plugins,
            media_fetch=media_fetch,
            media_root=media_root,
            media_host=media_host,
            poll_interval=poll_interval,
        )
        own_timeout = self.own_client(client, transport, timeout)  # before any client is made
        self.client = client or make_client(
            httpx.AsyncClient,
            ShardedAsyncTransport,
            transport,
            max_concurrency=max_concurrency,
            timeout=own_timeout,
        )
        self._sleep = sleep
        self.driver = AsyncDriver(
            adapter, key, self.client, retry or RetryPolicy(), sleep, self.media_fetch, owned=self._own_client
        )

    async def run(self, flow: Flow[T]) -> T:
        """Drive one adapter flow (for plugins' extra operations)."""
        return await self.driver.run(flow)

    @overload
    def validate(
        self, post: Post, *, resolve: Literal[False] = False, now: datetime | None = None
    ) -> list[Problem]: ...

    @overload
    def validate(
        self, post: Post, *, resolve: Literal[True], now: datetime | None = None
    ) -> Awaitable[list[Problem]]: ...

    def validate(
        self, post: Post, *, resolve: bool = False, now: datetime | None = None
    ) -> list[Problem] | Awaitable[list[Problem]]:
        """Every problem with ``post``; see :meth:`postmux.Publisher.validate`.

        Without ``resolve`` it is a plain call with no I/O, as on the sync
        publisher; ``resolve=True`` asks the vendor for its accounts, so like
        every method here that does I/O it is awaited:
        ``problems = await pub.validate(post, resolve=True)``.
        """
        if not resolve:
            return super().validate(post, now=now)
        return self._follow(plan.validating(self, post, now))

    async def preview(self, post: Post, *, resolve: bool = True) -> Preview:
        """The exact requests ``publish(post)`` would send; see :meth:`postmux.Publisher.preview`."""
        return await self._follow(plan.previewing(self, post, resolve))

    async def publish(self, post: Post, *, targets: Sequence[Target | str] | None = None) -> PublishReport:
        """Send ``post`` to every target (or to ``targets``); see :meth:`postmux.Publisher.publish`."""
        return await self._follow(plan.publishing(self, post, targets))

    async def reconcile(
        self,
        report: PublishReport | Publication | Sequence[Publication],
        *,
        absent_after: float | None = None,
    ) -> PublishReport:
        """Settle every ``unknown`` by asking the vendor; :meth:`postmux.Publisher.reconcile`, awaited."""
        return await self._follow(plan.reconciling(self, report, absent_after))

    async def clean_up(self, report: PublishReport) -> PublishReport:
        """Remove the media hosted for ``report`` now; see :meth:`postmux.Publisher.clean_up`."""
        return await self._follow(plan.cleaning(report))

    async def status(self, publication: Publication) -> Publication:
        """The publication as the vendor sees it now (recorded in the ledger, when it changed)."""
        return await self._follow(plan.refreshing(self, publication))

    async def wait(
        self,
        report: PublishReport | Publication | Sequence[Publication],
        timeout: float = 600.0,
        interval: float | None = None,
        *,
        on_update: Callable[[Publication], object] | None = None,
    ) -> PublishReport:
        """Poll until every publication is final; see :meth:`postmux.Publisher.wait`."""
        return await self._follow(plan.waiting(self, report, timeout, interval, on_update))

    async def accounts(self, *, refresh: bool = False) -> list[Account]:
        """Every linked account (cached; ``refresh=True`` asks again)."""
        return await self._follow(plan.listing(self, refresh=refresh))

    async def creator_info(self, account_id: str) -> CreatorInfo:
        """What a TikTok creator allows now."""
        return await self._follow(plan.creator_info(self, account_id))

    # -- carrying out plans ------------------------------------------------

    async def _follow(self, steps: Plan[T]) -> T:
        """Carry out a plan of :mod:`postmux.plan`: the core decides, this does the I/O."""
        return await adrive(steps, self._perform)  # every error (a cancel too) thrown in: the plan decides

    async def _perform(self, step: Step) -> Any:
        """One step of a plan, done with this publisher's I/O (a pause is the last kind left)."""
        if isinstance(step, RunFlow):
            return await self.driver.run(step.flow, fetch=step.fetch)
        if isinstance(step, Concurrently):
            return await self._concurrently(step.plans)
        if isinstance(step, HostMedia):
            assert self.media_host is not None
            return await ahost_local_media(self.media_host, step.post)
        if isinstance(step, DropHosted):
            return await self._drop(step.hosted)
        return await self._sleep(step.seconds)

    async def _concurrently(self, plans: Sequence[Plan[T]]) -> list[T]:
        """Each plan as a task, at most ``max_concurrency`` running at once (one plan runs here: no task)."""
        if len(plans) <= 1:  # a one-target publish, one status read: no task, no semaphore, no loop turns
            return [await self._follow(p) for p in plans]
        import asyncio  # here, not at the top: a sync app never pays for importing asyncio

        gate = asyncio.Semaphore(self.max_concurrency)

        async def gated(steps: Plan[T]) -> T:
            async with gate:
                return await self._follow(steps)

        return list(await asyncio.gather(*(gated(p) for p in plans)))

    async def _drop(self, hosted: Sequence[HostedFile]) -> None:
        if self.media_host is not None:
            await aremove_quietly(self.media_host, hosted)

    async def scheduled(self) -> list[Publication]:
        """Posts waiting for their time."""
        return await self.driver.run(self.adapter.scheduled())

    async def cancel(self, publication: Publication) -> Publication:
        """Cancel a scheduled post (recorded in the ledger: a re-run returns it cancelled)."""
        done = await self.driver.run(self.adapter.cancel(publication))
        return self.remember([publication], [done])[0]

    async def reschedule(self, publication: Publication, at: datetime) -> Publication:
        """Move a scheduled post to ``at`` (timezone-aware, in the future: checked before any request)."""
        check_new_time(at)
        moved = await self.driver.run(self.adapter.reschedule(publication, at))
        return self.remember([publication], [moved])[0]  # a re-run returns the new time

    async def connect(self, platform: str, **options: Any) -> AsyncConnectSession:
        """Start linking an account: show ``.url`` or ``.qr_image``, then ``await .wait()``."""
        from .connect import AsyncConnectSession  # linking only: a publish never loads it

        start = await self.driver.run(self.adapter.connect(platform, options))
        return AsyncConnectSession(
            start,
            self.driver.run,
            self.adapter.connect_poll,
            self.pause(start.poll_interval),
            self._sleep,
        )

    async def aclose(self) -> None:
        """Close the HTTP client and the ledger if this publisher made them."""
        try:
            if self._own_client:
                await self.client.aclose()
        finally:
            self.close_ledger()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
