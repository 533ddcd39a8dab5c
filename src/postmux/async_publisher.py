"""The asyncio :class:`AsyncPublisher`: the same methods as :class:`~postmux.Publisher`, awaited.

Batches run as tasks bounded by a semaphore; the adapter's flows are the very
same generators the sync publisher drives.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal, Self, TypeVar, overload

import httpx

from . import errors, reconcile
from .accounts import Account, CreatorInfo
from .adapter import Adapter, Route
from .connect import AsyncConnectSession, asleep
from .core import PublisherCore, as_publications, own_client_timeout
from .drivers import AsyncDriver, RetryPolicy
from .errors import ConfigurationError, Problem
from .fetch import FetchPolicy
from .flow import Flow
from .hosting import HostedFile, MediaHost, ahost_local_media, aremove
from .ledger import Ledger, Owner
from .plugins import PluginManager
from .pool import DEFAULT_CONNECTIONS, ShardedAsyncTransport
from .post import Post, Target
from .preview import Preview
from .results import Publication, PublishReport
from .secrets import Secret

if TYPE_CHECKING:
    import asyncio

__all__ = ["AsyncPublisher"]

log = logging.getLogger("postmux")

T = TypeVar("T")


class AsyncPublisher(PublisherCore):
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
        self._own_client = client is None
        if client is not None and transport is not None:
            raise ConfigurationError("pass client= or transport=, not both (a transport is a client's)")
        own_timeout = own_client_timeout(client, timeout)  # before any client is made
        if transport is None and client is None:
            # several small pools: one large httpx pool costs ms of CPU a request under load (pool.py)
            connections = max(max_concurrency, DEFAULT_CONNECTIONS)
            transport = ShardedAsyncTransport(connections)
        self.client = client or httpx.AsyncClient(timeout=own_timeout, transport=transport)
        self._sleep = sleep
        self.driver = AsyncDriver(adapter, key, self.client, retry or RetryPolicy(), sleep, self.media_fetch)

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
        return self._validate_resolved(post, now)

    async def _validate_resolved(self, post: Post, now: datetime | None) -> list[Problem]:
        accounts = await self.accounts() if self._can_resolve(post) else []
        return self.resolved_problems(post, accounts, now=now)

    async def preview(self, post: Post, *, resolve: bool = True) -> Preview:
        """The exact requests ``publish(post)`` would send; see :meth:`postmux.Publisher.preview`."""
        self.prepare(post)
        accounts = await self.accounts() if resolve and self.needs_accounts(post) else None
        return self.previewed(post, accounts, resolve=resolve)

    async def publish(self, post: Post, *, targets: Sequence[Target | str] | None = None) -> PublishReport:
        """Send ``post`` to every target (or to ``targets``); see :meth:`postmux.Publisher.publish`."""
        import asyncio  # here, not at the top: a sync app never pays for importing asyncio

        post = self.select(post, targets)
        self.prepare(post)
        accounts = await self.accounts() if self.needs_accounts(post) else None
        routes = self.routes(post, accounts)
        owner = Owner.here()
        known = self.claim(post, routes, owner)
        todo = [i for i in range(len(routes)) if i not in known]
        sent: dict[int, Publication] = {}
        hosted: tuple[HostedFile, ...] = ()
        if todo:
            pending = [routes[i] for i in todo]
            wire = post  # see Publisher.publish: hosted URLs for the vendor, the app's post for the ledger
            try:
                if self.needs_hosting(post):
                    assert self.media_host is not None
                    wire, hosted = await ahost_local_media(self.media_host, post)
                media = await self.driver.run(
                    self.adapter.stage(wire, pending), fetch=self.fetch_for(wire, pending)
                )
            except Exception as exc:  # no post was sent: each pending target's outcome, never a raise
                await asyncio.to_thread(self.drop_hosted, hosted)
                sent = dict(zip(todo, self.staging_failed(post, pending, exc, owner), strict=True))
                return self.assemble(len(routes), known, sent)
            except BaseException:
                await asyncio.to_thread(self.drop_hosted, hosted)
                self.abandon(post, pending, owner)  # no post was sent: a re-run may send them
                raise
            batches = self.adapter.batches(wire, pending)
            index = {id(route): i for i, route in zip(todo, pending, strict=True)}
            gate = asyncio.Semaphore(self.max_concurrency)
            outcomes = await asyncio.gather(*(self._one(post, wire, b, media, owner, gate) for b in batches))
            for batch, results in zip(batches, outcomes, strict=True):
                for route, publication in zip(batch, results, strict=True):
                    sent[index[id(route)]] = publication
        return self.assemble(len(routes), known, sent, hosted)

    async def _one(
        self,
        post: Post,
        wire: Post,
        batch: Sequence[Route],
        media: tuple[str, ...],
        owner: Owner,
        gate: asyncio.Semaphore,
    ) -> list[Publication]:
        async with gate:
            live, lost = self.sending(post, batch, owner)
            results: list[Publication] = []
            if live:
                try:
                    answer = await self.driver.run(self.adapter.publish(wire, live, media))
                    results = self.checked(post, live, answer)
                except Exception as exc:
                    results = self.failed_batch(post, live, exc)
                results = self.record(post, live, results)
            return self.merged(len(batch), lost, results)

    async def _settled(self, given: object, current: list[Publication]) -> PublishReport:
        if isinstance(given, PublishReport) and given.hosted and all(p.is_final for p in current):
            await self._remove(given.hosted)
            return PublishReport(tuple(current))
        return self.settled(given, current)

    async def _remove(self, hosted: Sequence[HostedFile]) -> None:
        assert self.media_host is not None
        for item in hosted:
            try:
                await aremove(self.media_host, item)
            except Exception as exc:
                log.warning("postmux: could not remove hosted media %s: %s", item.key, type(exc).__name__)

    async def reconcile(self, report: PublishReport | Publication | Sequence[Publication]) -> PublishReport:
        """Settle every ``unknown`` by asking the vendor; :meth:`postmux.Publisher.reconcile`, awaited."""
        current, asked = reconcile.plan(self, report)
        try:
            findings = await self.driver.run(self.adapter.reconcile(asked)) if asked else []
        except Exception as exc:  # the vendor could not be asked: each stays unknown, saying so
            findings = reconcile.not_asked(asked, self.provider, exc)
        return reconcile.conclude(self, report, current, findings)

    async def clean_up(self, report: PublishReport) -> PublishReport:
        """Remove the media hosted for ``report`` now; see :meth:`postmux.Publisher.clean_up`."""
        if report.hosted and self.media_host is not None:
            await self._remove(report.hosted)
        return PublishReport(report.results)

    async def status(self, publication: Publication) -> Publication:
        """The publication as the vendor sees it now (recorded in the ledger, when it changed)."""
        return self.remember([publication], [await self._status(publication)])[0]

    async def _status(self, publication: Publication) -> Publication:
        return await self.driver.run(self.adapter.status(publication))

    async def wait(
        self,
        report: PublishReport | Publication | Sequence[Publication],
        timeout: float = 600.0,
        interval: float | None = None,
        *,
        on_update: Callable[[Publication], object] | None = None,
    ) -> PublishReport:
        """Poll until every publication is final; see :meth:`postmux.Publisher.wait`."""
        current = as_publications(report)
        pauses = self.pauses(interval)
        deadline = time.monotonic() + timeout
        while True:
            todo = self.pollable(current)
            if not todo:
                return await self._settled(report, current)
            polled = [current[i] for i in todo]
            refreshed = self.remember(polled, await self._refresh(polled))
            for i, p in zip(todo, refreshed, strict=True):
                current[i] = p
            if on_update is not None:
                for p in self.changed(polled, refreshed):
                    on_update(p)
            if not self.pollable(current):
                return await self._settled(report, current)
            left = deadline - time.monotonic()
            if left <= 0:
                raise errors.TimeoutError(
                    f"not every publication was final after {timeout:g} s",
                    self.settled(report, current),
                )
            await self._sleep(min(next(pauses), left))

    async def _refresh(self, publications: list[Publication]) -> list[Publication]:
        """Every publication's state now: batches capped per vendor, others one by one, concurrently."""
        import asyncio

        batch = self.capabilities.batch_status
        groups = self.chunks(publications) if batch else [[p] for p in publications]
        gate = asyncio.Semaphore(self.max_concurrency)

        async def read(group: list[Publication]) -> list[Publication]:
            async with gate:
                try:
                    if batch:
                        return await self.driver.run(self.adapter.status_many(group))
                    return [await self._status(group[0])]
                except Exception as exc:  # one unreadable answer: the last states kept, the error noted
                    return self.unread(group, exc)

        done = await asyncio.gather(*(read(g) for g in groups))
        return [p for group in done for p in group]

    async def accounts(self, *, refresh: bool = False) -> list[Account]:
        """Every linked account (cached; ``refresh=True`` asks again)."""
        if self._accounts is None or refresh:
            self._accounts = await self.driver.run(self.adapter.accounts())
        return list(self._accounts)

    async def creator_info(self, account_id: str) -> CreatorInfo:
        """What a TikTok creator allows now."""
        if account_id.startswith("@"):
            account_id = self.resolve("tiktok", account_id, await self.accounts())
        return await self.driver.run(self.adapter.creator_info(account_id))

    async def scheduled(self) -> list[Publication]:
        """Posts waiting for their time."""
        return await self.driver.run(self.adapter.scheduled())

    async def cancel(self, publication: Publication) -> Publication:
        """Cancel a scheduled post."""
        return await self.driver.run(self.adapter.cancel(publication))

    async def reschedule(self, publication: Publication, at: datetime) -> Publication:
        """Move a scheduled post to ``at`` (timezone-aware)."""
        return await self.driver.run(self.adapter.reschedule(publication, at))

    async def connect(self, platform: str, **options: Any) -> AsyncConnectSession:
        """Start linking an account: show ``.url`` or ``.qr_image``, then ``await .wait()``."""
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
