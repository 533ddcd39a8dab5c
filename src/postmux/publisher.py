"""The synchronous :class:`Publisher`: ``Post`` in, ``PublishReport`` out.

What to do is decided once, in :mod:`postmux.plan`; this publisher carries
the plans out: flows on its :class:`~postmux.drivers.SyncDriver`, concurrent
batches and status reads on a bounded thread pool (an :class:`httpx.Client`
is thread-safe). One target's failure becomes that target's ``failed`` or
``unknown`` publication and never hides another's.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self, TypeVar

import httpx

from . import plan
from .adapter import Adapter
from .connections import make_client
from .core import PublisherCore
from .drivers import RetryPolicy, SyncDriver
from .errors import Problem
from .fetch import FetchPolicy
from .flow import Flow
from .ledger import Ledger
from .plan import Concurrently, DropHosted, HostMedia, Plan, RunFlow, Step
from .plugins import PluginManager
from .pool import ShardedTransport
from .post import Post, Target
from .results import Publication, PublishReport
from .secrets import Secret
from .stepping import drive
from .validation import check_new_time

if TYPE_CHECKING:  # imported by preview(), connect() and media hosting only: a plain publish never loads them
    from .accounts import Account, CreatorInfo
    from .connect import ConnectSession
    from .hosting import MediaHost
    from .preview import Preview

__all__ = ["Publisher"]

T = TypeVar("T")


class Publisher(PublisherCore, publisher=True):
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
        own_timeout = self.own_client(client, transport, timeout)  # before any client is made
        self.client = client or make_client(
            httpx.Client, ShardedTransport, transport, max_concurrency=max_concurrency, timeout=own_timeout
        )
        self._sleep = sleep
        self.driver = SyncDriver(
            adapter, key, self.client, retry or RetryPolicy(), sleep, self.media_fetch, owned=self._own_client
        )

    def run(self, flow: Flow[T]) -> T:
        """Drive one adapter flow (for plugins' extra operations)."""
        return self.driver.run(flow)

    # -- publishing ------------------------------------------------------

    def validate(self, post: Post, *, resolve: bool = False, now: datetime | None = None) -> list[Problem]:
        """Every problem with ``post`` for this vendor, at once; nothing is sent.

        Without ``resolve`` there is no I/O. ``resolve=True`` asks the vendor for
        its accounts (once, cached) and adds what only they show: an
        ``@username`` that is not linked, and a target whose account is
        expired or needs reconnecting. ``publish`` refuses the same before
        sending for an ``@username`` target (it reads the accounts to resolve
        one); an account-id target it sends as given, and the vendor's refusal
        makes it ``failed``.
        """
        if not resolve:
            return super().validate(post, now=now)
        return self._follow(plan.validating(self, post, now))

    def publish(self, post: Post, *, targets: Sequence[Target | str] | None = None) -> PublishReport:
        """Send ``post`` to every target (or to ``targets``, a subset); one :class:`Publication` each.

        Raises :class:`~postmux.ValidationError` (or ``UnsupportedError``) with
        every problem, and :class:`~postmux.LedgerError` for an unusable
        ledger, before any I/O, and nothing after the first byte: vendor,
        network, media-host and staging failures, an account list (for
        ``@username`` targets) that cannot be read, and a ledger write that
        fails after sending, become the affected targets' ``failed`` or
        ``unknown`` results.
        With a ledger, each target is claimed before any byte for it leaves;
        a target another run holds comes back ``unknown`` with
        ``error_code="claimed_elsewhere"``, and nothing is sent for it.
        Batches go out concurrently on up to ``max_concurrency`` threads.
        """
        return self._follow(plan.publishing(self, post, targets))

    def preview(self, post: Post, *, resolve: bool = True) -> Preview:
        """The exact requests ``publish(post)`` would send, per target, with the key redacted.

        Nothing is sent, except the ``accounts()`` look-up that resolves
        ``@username`` targets (cached; ``resolve=False`` skips it and shows the
        usernames as given). Raises :class:`~postmux.ValidationError` like
        :meth:`publish`. The ledger is not consulted: a target it already holds
        would not be sent again. See :mod:`postmux.preview` for what a
        multi-step flow shows.
        """
        return self._follow(plan.previewing(self, post, resolve))

    # -- following -------------------------------------------------------

    def status(self, publication: Publication) -> Publication:
        """The publication as the vendor sees it now (recorded in the ledger, when it changed)."""
        return self._follow(plan.refreshing(self, publication))

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
        return self._follow(plan.waiting(self, report, timeout, interval, on_update))

    def reconcile(
        self,
        report: PublishReport | Publication | Sequence[Publication],
        *,
        absent_after: float | None = None,
    ) -> PublishReport:
        """Settle every ``unknown`` by asking the vendor what exists, as far as its API allows.

        Found: its real status, id and URL, recorded in the ledger. Provably
        absent: ``failed`` (``error_code="not_found_at_vendor"``), which lets a
        re-run send it. Not checkable: still ``unknown``, with a reason saying
        what to check by hand. The rest of ``report`` is returned as it is;
        see :mod:`postmux.reconcile`.

        A vendor may not list a post it is still making, so "not found" is
        believed only for a send at least ``absent_after`` seconds old
        (default: the vendor's ``Adapter.reconcile_absent_after``), and so is
        a failed post found without the send's own id (an earlier try's may
        match it); a younger one stays ``unknown``, saying when to reconcile
        again. The sandbox lists a post at once: tests against it can pass
        ``absent_after=0``.
        """
        return self._follow(plan.reconciling(self, report, absent_after))

    def clean_up(self, report: PublishReport) -> PublishReport:
        """Remove the media hosted for ``report`` now (``wait()`` does it once all is final)."""
        return self._follow(plan.cleaning(report))

    # -- carrying out plans ------------------------------------------------

    def _follow(self, steps: Plan[T]) -> T:
        """Carry out a plan of :mod:`postmux.plan`: the core decides, this does the I/O."""
        return drive(steps, self._perform)  # every error thrown in: the plan decides what it means

    def _perform(self, step: Step) -> Any:
        """One step of a plan, done with this publisher's I/O (a pause is the last kind left)."""
        if isinstance(step, RunFlow):
            return self.driver.run(step.flow, fetch=step.fetch)
        if isinstance(step, Concurrently):
            return self._concurrently(step.plans)
        if isinstance(step, HostMedia):
            from .hosting import host_local_media  # only a publisher with a media host gets here

            assert self.media_host is not None
            return host_local_media(self.media_host, step.post)
        if isinstance(step, DropHosted):
            return self.drop_hosted(step.hosted)
        return self._sleep(step.seconds)

    def _concurrently(self, plans: Sequence[Plan[T]]) -> list[T]:
        """Each plan on a thread of a bounded pool (one plan runs here: no pool for it)."""
        if len(plans) <= 1:
            return [self._follow(p) for p in plans]
        from concurrent.futures import ThreadPoolExecutor  # only a publish of several batches needs it

        workers = min(self.max_concurrency, len(plans))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="postmux") as pool:
            return list(pool.map(self._follow, plans))

    # -- accounts, scheduling, linking -------------------------------------

    def accounts(self, *, refresh: bool = False) -> list[Account]:
        """Every linked account (cached; ``refresh=True`` asks again)."""
        return self._follow(plan.listing(self, refresh=refresh))

    def creator_info(self, account_id: str) -> CreatorInfo:
        """What a TikTok creator allows now (privacy options, disabled interactions, max duration)."""
        return self._follow(plan.creator_info(self, account_id))

    def scheduled(self) -> list[Publication]:
        """Posts waiting for their time."""
        return self.driver.run(self.adapter.scheduled())

    def cancel(self, publication: Publication) -> Publication:
        """Cancel a scheduled post (recorded in the ledger: a re-run returns it cancelled)."""
        done = self.driver.run(self.adapter.cancel(publication))
        return self.remember([publication], [done])[0]

    def reschedule(self, publication: Publication, at: datetime) -> Publication:
        """Move a scheduled post to ``at`` (timezone-aware, in the future: checked before any request)."""
        check_new_time(at)
        moved = self.driver.run(self.adapter.reschedule(publication, at))
        return self.remember([publication], [moved])[0]  # a re-run returns the new time

    def connect(self, platform: str, **options: Any) -> ConnectSession:
        """Start linking an account: show ``.url`` or ``.qr_image``, then ``.wait()``."""
        from .connect import ConnectSession  # linking only: a publish never loads it

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
