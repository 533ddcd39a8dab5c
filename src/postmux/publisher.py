"""The synchronous :class:`Publisher`: ``Post`` in, ``PublishReport`` out.

Batches go out concurrently on a bounded thread pool (an
:class:`httpx.Client` is thread-safe); one target's failure becomes that
target's ``failed`` or ``unknown`` publication and never hides another's.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Self, TypeVar

import httpx

from . import errors, reconcile
from .accounts import Account, CreatorInfo
from .adapter import Adapter, Route
from .connect import ConnectSession
from .core import PublisherCore, as_publications, own_client_timeout
from .drivers import RetryPolicy, SyncDriver
from .errors import ConfigurationError, Problem
from .fetch import FetchPolicy
from .flow import Flow
from .hosting import HostedFile, MediaHost, host_local_media
from .ledger import Ledger, Owner
from .plugins import PluginManager
from .post import Post, Target
from .preview import Preview
from .results import Publication, PublishReport
from .secrets import Secret

__all__ = ["Publisher"]

T = TypeVar("T")


class Publisher(PublisherCore):
    """Publishes through one vendor, synchronously. Make one with :func:`postmux.publisher`."""

    def __init__(
        self,
        adapter: Adapter,
        key: Secret,
        *,
        client: httpx.Client | None = None,
        transport: httpx.BaseTransport | None = None,
        timeout: httpx.Timeout | float | None = None,
        retry: RetryPolicy | None = None,
        ledger: Ledger | str | Path | None = None,
        max_concurrency: int = 8,
        plugins: PluginManager | None = None,
        media_fetch: FetchPolicy | None = None,
        media_root: str | os.PathLike[str] | None = None,
        media_host: MediaHost | None = None,
        poll_interval: float | None = None,
        sleep: Callable[[float], None] = time.sleep,
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
        self.client = client or httpx.Client(timeout=own_timeout, transport=transport)
        self._sleep = sleep
        self.driver = SyncDriver(adapter, key, self.client, retry or RetryPolicy(), sleep, self.media_fetch)

    def run(self, flow: Flow[T]) -> T:
        """Drive one adapter flow (for plugins' extra operations)."""
        return self.driver.run(flow)

    # -- publishing ------------------------------------------------------

    def validate(self, post: Post, *, resolve: bool = False, now: datetime | None = None) -> list[Problem]:
        """Every problem with ``post`` for this vendor, at once; nothing is sent.

        Without ``resolve`` there is no I/O. ``resolve=True`` asks the vendor for
        its accounts (once, cached) and adds what only they show: an
        ``@username`` that is not linked, and a target whose account is
        expired or needs reconnecting. That is the whole pre-flight ``publish``
        does before sending.
        """
        if not resolve:
            return super().validate(post, now=now)
        accounts = self.accounts() if self._can_resolve(post) else []
        return self.resolved_problems(post, accounts, now=now)

    def publish(self, post: Post, *, targets: Sequence[Target | str] | None = None) -> PublishReport:
        """Send ``post`` to every target (or to ``targets``, a subset); one :class:`Publication` each.

        Raises :class:`~postmux.ValidationError` (or ``UnsupportedError``) with
        every problem, and :class:`~postmux.LedgerError` for an unusable
        ledger, before any I/O, and nothing after the first byte: vendor,
        network, media-host and staging failures, and a ledger write that
        fails after sending, become the affected targets' ``failed`` or
        ``unknown`` results.
        With a ledger, each target is claimed before any byte for it leaves;
        a target another run holds comes back ``unknown`` with
        ``error_code="claimed_elsewhere"``, and nothing is sent for it.
        """
        post = self.select(post, targets)
        self.prepare(post)
        accounts = self.accounts() if self.needs_accounts(post) else None
        routes = self.routes(post, accounts)
        owner = Owner.here()
        known = self.claim(post, routes, owner)
        todo = [i for i in range(len(routes)) if i not in known]
        sent: dict[int, Publication] = {}
        hosted: tuple[HostedFile, ...] = ()
        if todo:
            pending = [routes[i] for i in todo]
            # the vendor's flow sees URLs for local files where it takes URLs only; the
            # ledger keeps the post as the app wrote it
            wire = post
            try:
                if self.needs_hosting(post):
                    assert self.media_host is not None
                    wire, hosted = host_local_media(self.media_host, post)
                media = self.driver.run(
                    self.adapter.stage(wire, pending), fetch=self.fetch_for(wire, pending)
                )
            except Exception as exc:  # no post was sent: each pending target's outcome, never a raise
                self.drop_hosted(hosted)
                sent = dict(zip(todo, self.staging_failed(post, pending, exc, owner), strict=True))
                return self.assemble(len(routes), known, sent)
            except BaseException:
                self.drop_hosted(hosted)
                self.abandon(post, pending, owner)  # no post was sent: a re-run may send them
                raise
            batches = self.adapter.batches(wire, pending)
            index = {id(route): i for i, route in zip(todo, pending, strict=True)}
            outcomes = self._run_batches(post, wire, batches, media, owner)
            for batch, results in zip(batches, outcomes, strict=True):
                for route, publication in zip(batch, results, strict=True):
                    sent[index[id(route)]] = publication
        return self.assemble(len(routes), known, sent, hosted)

    def preview(self, post: Post, *, resolve: bool = True) -> Preview:
        """The exact requests ``publish(post)`` would send, per target, with the key redacted.

        Nothing is sent, except the ``accounts()`` look-up that resolves
        ``@username`` targets (cached; ``resolve=False`` skips it and shows the
        usernames as given). Raises :class:`~postmux.ValidationError` like
        :meth:`publish`. The ledger is not consulted: a target it already holds
        would not be sent again. See :mod:`postmux.preview` for what a
        multi-step flow shows.
        """
        self.prepare(post)
        accounts = self.accounts() if resolve and self.needs_accounts(post) else None
        return self.previewed(post, accounts, resolve=resolve)

    def _run_batches(
        self,
        post: Post,
        wire: Post,
        batches: Sequence[Sequence[Route]],
        media: tuple[str, ...],
        owner: Owner,
    ) -> list[list[Publication]]:
        def one(batch: Sequence[Route]) -> list[Publication]:
            live, lost = self.sending(post, batch, owner)
            results: list[Publication] = []
            if live:
                try:
                    answer = self.driver.run(self.adapter.publish(wire, live, media))
                    results = self.checked(post, live, answer)
                except Exception as exc:
                    results = self.failed_batch(post, live, exc)
                results = self.record(post, live, results)
            return self.merged(len(batch), lost, results)

        if len(batches) == 1:
            return [one(batches[0])]
        from concurrent.futures import ThreadPoolExecutor  # only a publish of several batches needs it

        workers = min(self.max_concurrency, len(batches))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="postmux") as pool:
            return list(pool.map(one, batches))

    # -- following -------------------------------------------------------

    def status(self, publication: Publication) -> Publication:
        """The publication as the vendor sees it now (recorded in the ledger, when it changed)."""
        return self.remember([publication], [self._status(publication)])[0]

    def _status(self, publication: Publication) -> Publication:
        return self.driver.run(self.adapter.status(publication))

    def wait(
        self,
        report: PublishReport | Publication | Sequence[Publication],
        timeout: float = 600.0,
        interval: float | None = None,
        *,
        on_update: Callable[[Publication], None] | None = None,
    ) -> PublishReport:
        """Poll until every publication is final; :class:`~postmux.TimeoutError` (with ``.report``) if not.

        It uses its whole ``timeout`` (a last poll at the deadline), and backs
        off from the vendor's advised first interval to its cap, with jitter
        (a given ``interval`` is kept fixed). A status answer that cannot be
        read keeps that publication's last state, with the error noted in
        ``error``, and waiting goes on. ``on_update`` is called with each
        publication whose state moved, as it moves (a progress display).
        """
        current = as_publications(report)
        pauses = self.pauses(interval)
        deadline = time.monotonic() + timeout
        while True:
            todo = self.pollable(current)
            if not todo:
                return self.settled(report, current)
            polled = [current[i] for i in todo]
            refreshed = self.remember(polled, self._refresh(polled))
            for i, p in zip(todo, refreshed, strict=True):
                current[i] = p
            if on_update is not None:
                for p in self.changed(polled, refreshed):
                    on_update(p)
            if not self.pollable(current):
                return self.settled(report, current)
            left = deadline - time.monotonic()
            if left <= 0:
                raise errors.TimeoutError(
                    f"not every publication was final after {timeout:g} s",
                    self.settled(report, current),
                )
            self._sleep(min(next(pauses), left))

    def reconcile(self, report: PublishReport | Publication | Sequence[Publication]) -> PublishReport:
        """Settle every ``unknown`` by asking the vendor what exists, as far as its API allows.

        Found: its real status, id and URL, recorded in the ledger. Provably
        absent: ``failed`` (``error_code="not_found_at_vendor"``), which lets a
        re-run send it. Not checkable: still ``unknown``, with a reason saying
        what to check by hand. The rest of ``report`` is returned as it is;
        see :mod:`postmux.reconcile`.
        """
        current, asked = reconcile.plan(self, report)
        try:
            findings = self.driver.run(self.adapter.reconcile(asked)) if asked else []
        except Exception as exc:  # the vendor could not be asked: each stays unknown, saying so
            findings = reconcile.not_asked(asked, self.provider, exc)
        return reconcile.conclude(self, report, current, findings)

    def clean_up(self, report: PublishReport) -> PublishReport:
        """Remove the media hosted for ``report`` now (``wait()`` does it once all is final)."""
        self.drop_hosted(report.hosted)
        return PublishReport(report.results)

    def _refresh(self, publications: list[Publication]) -> list[Publication]:
        """Every publication's state now: batches capped per vendor, others one by one, concurrently."""
        if self.capabilities.batch_status:
            groups = self.chunks(publications)
            read = self._read_many
        else:
            groups = [[p] for p in publications]
            read = self._read_one
        if len(groups) == 1:
            return read(groups[0])
        from concurrent.futures import ThreadPoolExecutor

        workers = min(self.max_concurrency, len(groups))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="postmux") as pool:
            return [p for group in pool.map(read, groups) for p in group]

    def _read_many(self, group: list[Publication]) -> list[Publication]:
        try:
            return self.driver.run(self.adapter.status_many(group))
        except Exception as exc:  # one unreadable answer: the last states kept, the error noted
            return self.unread(group, exc)

    def _read_one(self, group: list[Publication]) -> list[Publication]:
        try:
            return [self._status(group[0])]
        except Exception as exc:
            return self.unread(group, exc)

    # -- accounts, scheduling, linking -------------------------------------

    def accounts(self, *, refresh: bool = False) -> list[Account]:
        """Every linked account (cached; ``refresh=True`` asks again)."""
        if self._accounts is None or refresh:
            self._accounts = self.driver.run(self.adapter.accounts())
        return list(self._accounts)

    def creator_info(self, account_id: str) -> CreatorInfo:
        """What a TikTok creator allows now (privacy options, disabled interactions, max duration)."""
        if account_id.startswith("@"):
            account_id = self.resolve("tiktok", account_id, self.accounts())
        return self.driver.run(self.adapter.creator_info(account_id))

    def scheduled(self) -> list[Publication]:
        """Posts waiting for their time."""
        return self.driver.run(self.adapter.scheduled())

    def cancel(self, publication: Publication) -> Publication:
        """Cancel a scheduled post."""
        return self.driver.run(self.adapter.cancel(publication))

    def reschedule(self, publication: Publication, at: datetime) -> Publication:
        """Move a scheduled post to ``at`` (timezone-aware)."""
        return self.driver.run(self.adapter.reschedule(publication, at))

    def connect(self, platform: str, **options: Any) -> ConnectSession:
        """Start linking an account: show ``.url`` or ``.qr_image``, then ``.wait()``."""
        start = self.driver.run(self.adapter.connect(platform, options))
        return ConnectSession(
            start,
            self.driver.run,
            self.adapter.connect_poll,
            self.pause(start.poll_interval),
            self._sleep,
        )

    # -- lifetime --------------------------------------------------------

    def close(self) -> None:
        """Close the HTTP client and the ledger if this publisher made them."""
        try:
            if self._own_client:
                self.client.close()
        finally:
            self.close_ledger()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
