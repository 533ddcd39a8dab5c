"""What the sync and the async publisher share: every decision that needs no I/O.

Resolving ``@username`` targets, validating, consulting the ledger, turning a
batch's exception into per-target outcomes and putting results back in the
order of ``Post.targets`` are the same whichever driver sends the requests;
:mod:`postmux.publisher` and :mod:`postmux.async_publisher` add only the I/O.
"""

from __future__ import annotations

import logging
import os
import random
import time
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import attrs
import httpx

from .adapter import Adapter, Route
from .capabilities import Capabilities
from .drivers import DEFAULT_TIMEOUT
from .errors import (
    ConfigurationError,
    FetchRefusedError,
    LedgerError,
    PostmuxError,
    Problem,
    ResponseError,
    ValidationError,
    nothing_done,
)
from .fetch import FetchPolicy
from .ledger import Ledger, LedgerEntry, Owner, open_ledger
from .ledger.base import DEFAULT_LEASE, SENDING
from .media import Media, MediaKind
from .plugins import PluginManager
from .post import Post, Target
from .results import Publication, PublishReport, error_facts
from .secrets import NO_KEY, UNSENDABLE, Secret, redact, sendable
from .status import AccountStatus, Status
from .validation import accepted_by, raise_for_problems, vendor_problems

if TYPE_CHECKING:  # loaded by media hosting, preview() and outcomes in doubt, not by a plain publish
    from .accounts import Account
    from .hosting import HostedFile, MediaHost
    from .preview import Preview
    from .reconcile import Attempt

__all__ = ["CLAIMED_ELSEWHERE", "PublisherCore", "as_publications", "own_client_timeout"]

log = logging.getLogger("postmux")

CLAIMED_ELSEWHERE = "claimed_elsewhere"
"""``Publication.error_code`` of a target another run holds a live claim on: it sent nothing."""


def as_publications(value: PublishReport | Publication | Sequence[Publication]) -> list[Publication]:
    """Accept a report, one publication or several, as a list."""
    if isinstance(value, PublishReport):
        return list(value.results)
    if isinstance(value, Publication):
        return [value]
    return list(value)


def _attempt(post: Post, account_id: str, sent_at: datetime, answer: str | None = None) -> Attempt:
    """:meth:`Attempt.of <postmux.reconcile.Attempt.of>`, with :mod:`postmux.reconcile` loaded only
    when a send's outcome is in doubt (a publish that goes through never needs it)."""
    from .reconcile import Attempt

    return Attempt.of(post, account_id, sent_at, answer)


def own_client_timeout(client: object, timeout: httpx.Timeout | float | None) -> httpx.Timeout | float:
    """The timeout for the client a publisher makes itself.

    An app's own client brings its own timeout: a ``timeout=`` beside it would
    be silently ignored, so the pair is a :class:`ConfigurationError`.
    """
    if client is not None and timeout is not None:
        raise ConfigurationError(
            "timeout= and client= together: set the timeout on your client "
            "(httpx.Client(timeout=…)), which postmux uses for every request"
        )
    return DEFAULT_TIMEOUT if timeout is None else timeout


class PublisherCore:
    """State and pure logic shared by :class:`Publisher` and :class:`AsyncPublisher`."""

    _app_rules: ClassVar[bool] = False
    """Whether a subclass overrides :meth:`validate` with an app's own rules: :meth:`prepare` then asks it."""

    def __init_subclass__(cls, *, publisher: bool = False, **kwargs: Any) -> None:
        """Note a subclass that brings its own ``validate`` (``publisher=True``: the library's two do not)."""
        super().__init_subclass__(**kwargs)
        if "validate" in vars(cls) and not publisher:
            cls._app_rules = True

    def __init__(
        self,
        adapter: Adapter,
        key: Secret,
        *,
        ledger: Ledger | str | Path | None,
        max_concurrency: int,
        plugins: PluginManager | None,
        media_fetch: FetchPolicy | None = None,
        media_root: str | os.PathLike[str] | None = None,
        media_host: MediaHost | None = None,
        poll_interval: float | None = None,
    ) -> None:
        if max_concurrency < 1:
            raise ValueError("max_concurrency must be at least 1")
        if key is not NO_KEY and not sendable(adapter.auth_headers(key)):
            # checked before any request: httpx's and h11's refusals of such a header quote the key
            var = getattr(adapter, "env_var", None)
            raise ConfigurationError(f"the {adapter.name} API key{f' ({var})' if var else ''} {UNSENDABLE}")
        if media_fetch is not None and not isinstance(media_fetch, FetchPolicy):
            raise ConfigurationError(
                f"media_fetch must be a postmux.FetchPolicy, got {type(media_fetch).__name__}"
            )
        self.media_fetch = media_fetch or FetchPolicy()
        self._fetch_base = self.media_fetch  # fetch_for's policies, by kind and platforms, made from it
        self._fetch_memo: dict[tuple[MediaKind | None, frozenset[str]], FetchPolicy] = {}
        self.media_root = _media_root(media_root)
        self.adapter = adapter
        self._key = key
        self.ledger: Ledger | None = open_ledger(ledger)
        self._own_ledger = isinstance(ledger, str | Path)
        self.max_concurrency = max_concurrency
        self._plugins = plugins
        self._accounts: list[Account] | None = None
        self.media_host = media_host
        caps = adapter.capabilities
        # with a media host, a URL-only vendor takes local files: the core turns them into URLs
        self._hosting = media_host is not None and not caps.local_files
        if poll_interval is not None and not poll_interval > 0:
            raise ValueError("poll_interval must be a positive number of seconds")
        self.poll_interval = poll_interval
        """Seconds between polls in ``wait()`` and link sessions; ``None``: the vendor's advice.
        (A sandbox's publishers poll at the emulators' speed through it.)"""

    def own_client(
        self, client: object, transport: object, timeout: httpx.Timeout | float | None
    ) -> httpx.Timeout | float:
        """Check a publisher's client arguments; the timeout for a client it makes itself.

        ``client=`` or ``transport=`` (a transport is a client's), and an
        app's own client brings its own timeout (:func:`own_client_timeout`).
        """
        self._own_client = client is None
        if client is not None and transport is not None:
            raise ConfigurationError("pass client= or transport=, not both (a transport is a client's)")
        return own_client_timeout(client, timeout)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} provider={self.provider!r} base_url={self.adapter.base_url!r}>"

    def pause(self, advised: float | None = None) -> float:
        """The wait between two polls: :attr:`poll_interval`, else ``advised``, else the adapter's."""
        return self.poll_interval or advised or self.adapter.poll_interval

    @property
    def provider(self) -> str:
        """The provider name (``"wahdx"``…)."""
        return self.adapter.name

    @property
    def capabilities(self) -> Capabilities:
        """What this vendor supports, per platform."""
        return self.adapter.capabilities

    def validate(self, post: Post, *, now: datetime | None = None) -> list[Problem]:
        """Every problem with ``post`` for this vendor; no I/O.

        A refusal (an ``unsupported`` problem) names the other installed
        vendors that would take that part of the post: "(accepted by: …)".
        """
        hosting = self.media_host is not None
        problems = vendor_problems(self.adapter, post, hosting=hosting, now=now)
        if isinstance(post, Post) and self.media_root is not None:
            problems += _outside(post, self.media_root)
        if self._plugins is None or not problems or not any(p.unsupported for p in problems):
            return problems
        others = self._others_problems(post, hosting, now)
        named: list[Problem] = []
        for problem in problems:
            names = accepted_by(problem, others) if problem.unsupported else []
            if names:
                alternatives = ", ".join(names)
                problem = attrs.evolve(problem, message=f"{problem.message} (accepted by: {alternatives})")
            named.append(problem)
        return named

    def _others_problems(self, post: Post, hosting: bool, now: datetime | None) -> dict[str, list[Problem]]:
        """Every other installed vendor's problems with ``post`` (a vendor that cannot say is left out)."""
        assert self._plugins is not None
        found: dict[str, list[Problem]] = {}
        try:
            providers = self._plugins.providers()
        except PostmuxError:
            return found  # validate() never raises; a broken plugin set names no alternatives
        for name, cls in providers.items():
            if name == self.provider:
                continue
            try:
                found[name] = vendor_problems(cls(), post, hosting=hosting, now=now, safe=False)
            except Exception:  # another vendor's own checks must not break this one's validate()
                log.debug("postmux: %s could not check the post", name, exc_info=True)
        return found

    # -- targets ---------------------------------------------------------

    @staticmethod
    def _can_resolve(post: Post) -> bool:
        """True when ``post`` has targets worth checking against the vendor's accounts."""
        return isinstance(post, Post) and isinstance(post.targets, tuple) and bool(post.targets)

    @staticmethod
    def needs_accounts(post: Post) -> bool:
        """True when some target is an ``@username`` to resolve."""
        return any(t.is_username for t in post.targets)

    def routes(self, post: Post, accounts: Sequence[Account] | None) -> list[Route]:
        """Each target with its vendor account id; an unknown or unusable account is a ``ValidationError``."""
        routes, problems = self.route_problems(post, accounts)
        if problems:
            raise ValidationError(problems)
        return routes

    def route_problems(
        self, post: Post, accounts: Sequence[Account] | None, *, check_ids: bool = False
    ) -> tuple[list[Route], list[Problem]]:
        """Routes for the targets ``accounts`` can place, and a problem for each they cannot.

        An ``@username`` must name a linked account; one the vendor lists as
        expired or needing reconnection is refused here, before sending, since
        the vendor would only fail it. ``check_ids`` applies that second rule
        to account-id targets too (``validate(post, resolve=True)``); an id the
        list does not show is left for the vendor to judge.
        """
        routes: list[Route] = []
        problems: list[Problem] = []
        for i, target in enumerate(post.targets):
            if not isinstance(target, Target) or not isinstance(target.account, str):
                continue  # reported by validate()
            if not target.is_username:
                listed = _by_id(accounts or (), target) if check_ids else None
                if listed is not None and listed.status in _UNUSABLE:
                    problems.append(_unusable(i, target, listed, self.provider))
                    continue
                routes.append(Route(target, target.account))
                continue
            account = _find(accounts or (), target)
            if account is None:
                names = sorted(
                    f"@{a.username}" for a in accounts or () if a.platform == target.platform and a.username
                )
                problems.append(
                    Problem(
                        f"targets[{i}].account",
                        f"no {target.platform} account {target.account} at {self.provider}"
                        + (f"; linked: {', '.join(names)}" if names else "; none linked"),
                    )
                )
                continue
            if account.status in _UNUSABLE:
                problems.append(_unusable(i, target, account, self.provider))
                continue
            routes.append(Route(target, account.id))
        return routes, problems + _twice(post, routes)

    def resolved_problems(
        self, post: Post, accounts: Sequence[Account], *, now: datetime | None
    ) -> list[Problem]:
        """:meth:`validate`'s problems plus those only the vendor's accounts show (no I/O itself)."""
        problems = self.validate(post, now=now)
        if isinstance(post, Post) and isinstance(post.targets, tuple):
            seen = set(problems)
            _, found = self.route_problems(post, accounts, check_ids=True)
            problems += [p for p in found if p not in seen]
        return problems

    def resolve(self, platform: str, username: str, accounts: Sequence[Account]) -> str:
        """The account id of ``@username`` on ``platform``."""
        return self.routes(Post(targets=(Target(platform, username),)), accounts)[0].account_id

    # -- ledger ----------------------------------------------------------

    def post_key(self, post: Post) -> str | None:
        """The key stamped on publications: the ledger's key when there is a ledger, else ``Post.key``.

        The content digest is the dearest step of a publish, so it is computed
        only where a ledger needs it.
        """
        return post.ledger_key if self.ledger is not None else post.key

    def target_key(self, route: Route) -> str:
        """The ledger's name for a target: provider, platform and resolved account."""
        return f"{self.provider}:{route.platform}:{route.account_id}"

    def select(self, post: Post, targets: Sequence[Target | str] | None) -> Post:
        """``post`` narrowed to ``targets`` (a queue job's share of a cross-post), or ``post`` itself.

        The ledger key leaves the targets out, so a subset is claimed and
        recorded under the same keys as the whole post: jobs that split one
        cross-post between them never send a target twice.
        """
        if targets is None:
            return post
        given = [targets] if isinstance(targets, str | Target) else list(targets)
        parsed = attrs.evolve(post, targets=given).targets  # the same spellings a Post accepts
        chosen: list[Target] = []
        problems: list[Problem] = []
        for i, (value, parsed_target) in enumerate(zip(given, parsed, strict=True)):
            target = _own_target(post, parsed_target)
            if target is None:
                problems.append(Problem(f"targets[{i}]", f"{value!r} is not one of the post's targets"))
            elif target in chosen:
                problems.append(Problem(f"targets[{i}]", f"{value!r} is chosen twice"))
            else:
                chosen.append(target)
        if not chosen and not problems:
            problems.append(Problem("targets", "no target chosen (pass None for every target of the post)"))
        if problems:
            raise ValidationError(problems)
        if self.ledger is not None and not post.key:
            # the digest holds the per-target texts of the post's targets: the subset's own
            # would leave out those of the targets not chosen, and be another post's key
            return attrs.evolve(post, targets=tuple(chosen), key=post.ledger_key)
        return attrs.evolve(post, targets=tuple(chosen))

    def claim(self, post: Post, routes: Sequence[Route], owner: Owner) -> dict[int, Publication]:
        """Claim every route before any byte leaves; by index, the outcome of each this run does not own.

        A :class:`LedgerError` here is raised (nothing was sent), after giving
        back the claims this call had already won.
        """
        ledger = self.ledger
        if ledger is None:
            return {}
        key = post.ledger_key
        target_keys = [self.target_key(route) for route in routes]
        known: dict[int, Publication] = {}
        won: set[str] = set()
        free: list[str] = []
        try:
            # a read first, for every target at once: it spares the writes where targets are
            # plainly taken; the claim itself is what decides, atomically per target
            entries = ledger.lookup_many(key, target_keys)
            now = self.lease_time(entries.values())
            free = [k for k in dict.fromkeys(target_keys) if k not in entries or entries[k].claimable(now)]
            won = ledger.claim_many(key, free, owner=owner) if free else set()
            lost = [k for k in free if k not in won]
            if lost:
                entries.update(ledger.lookup_many(key, lost))
        except LedgerError:
            # claim_many may have won some of ``free`` (an earlier statement of its batches) before it
            # raised: giving back with ``owner`` frees only this run's own claims, so ask for them all
            tried = won | set(free)
            self.abandon(post, [r for r, k in zip(routes, target_keys, strict=True) if k in tried], owner)
            raise
        for i, (route, target_key) in enumerate(zip(routes, target_keys, strict=True)):
            # one route an account: route_problems() refused two targets naming one (@name and its id)
            if target_key not in won:
                known[i] = self._not_owned(post, route, entries.get(target_key), now)
        return known

    def abandon(self, post: Post, routes: Sequence[Route], owner: Owner) -> None:
        """Give back ``owner``'s claims on routes of which nothing was sent (staging failed, say)."""
        if self.ledger is None:
            return
        key = post.ledger_key
        for route in routes:
            try:
                self.ledger.release(key, self.target_key(route), owner=owner)
            except LedgerError as exc:
                log.warning("postmux: %s; the claim ends with its lease", exc)

    def sending(
        self, post: Post, batch: Sequence[Route], owner: Owner
    ) -> tuple[list[Route], dict[int, Publication]]:
        """The routes of ``batch`` still owned, marked as being sent; by position, the others' outcomes.

        Checked just before the batch's request: a claim taken over while this
        run was staging (its lease ran out) is sent by its new owner only.
        """
        if self.ledger is None:
            return list(batch), {}
        live: list[Route] = []
        lost: dict[int, Publication] = {}
        key = post.ledger_key
        for j, route in enumerate(batch):
            target_key = self.target_key(route)
            try:
                if self.ledger.sending(key, target_key, owner):
                    live.append(route)
                    continue
                entry = self.ledger.lookup(key, target_key)
                now = self.lease_time([entry])
            except LedgerError as exc:
                lost[j] = attrs.evolve(
                    self._in_doubt(post, route, f"not sent: {exc}"), status=Status.FAILED, exception=exc
                )
                # not sent, so its claim is given back (if the ledger still can: a claim only, never a
                # sending mark the failing call may have made), lest a re-run wait out its lease
                self.abandon(post, [route], owner)
                continue
            lost[j] = self._not_owned(post, route, entry, now)
        return live, lost

    @staticmethod
    def merged(size: int, lost: dict[int, Publication], live: Sequence[Publication]) -> list[Publication]:
        """A batch's outcomes in its order, from those not sent (by position) and those sent."""
        sent = iter(live)
        return [lost[j] if j in lost else next(sent) for j in range(size)]

    def close_ledger(self) -> None:
        """Close the ledger if this publisher opened it (from a path or URL)."""
        if self._own_ledger and self.ledger is not None:
            self.ledger.close()

    def release(self, post: Post, publication: Publication) -> None:
        """Let the ledger send ``publication``'s target again, after a human checked it is not live."""
        if self.ledger is not None:
            self.ledger.release(post.ledger_key, self.target_key(_route_of(publication)))

    def record(
        self, post: Post, routes: Sequence[Route], results: Sequence[Publication]
    ) -> list[Publication]:
        """Store outcomes and tell listening plugins; the results, a failure to record noted on them."""
        kept = list(results)
        if self.ledger is not None:
            key = post.ledger_key
            for i, (route, publication) in enumerate(zip(routes, results, strict=True)):
                try:
                    self.ledger.record(key, self.target_key(route), publication)
                except LedgerError as exc:
                    kept[i] = _unrecorded(publication, exc)
        return self._announced(kept)

    def remember(self, before: Sequence[Publication], after: Sequence[Publication]) -> list[Publication]:
        """Record refreshed states that changed, so a re-run returns the newest one (``status``, ``wait``)."""
        kept = list(after)
        if self.ledger is None:
            return kept
        for i, (old, new) in enumerate(zip(before, after, strict=True)):
            if new.post_key is None or new.provider != self.provider or _same_state(old, new):
                continue
            try:
                self.ledger.record(new.post_key, self.target_key(_route_of(new)), new)
            except LedgerError as exc:
                kept[i] = _unrecorded(new, exc)
        return kept

    # -- media -------------------------------------------------------------

    def fetch_for(self, post: Post, routes: Sequence[Route]) -> FetchPolicy:
        """The fetch policy for staging ``post``: the publisher's, capped at its platforms' file size.

        Made once per media kind and set of platforms (a policy is frozen), not on every publish.
        """
        kinds = {m.kind for m in post.media if isinstance(m, Media)}
        kind = kinds.pop() if len(kinds) == 1 else None
        platforms = frozenset(route.platform for route in routes)
        base = self.media_fetch
        if self._fetch_base is not base or len(self._fetch_memo) > 64:  # replaced: the old ones are stale
            self._fetch_base, self._fetch_memo = base, {}
        policy = self._fetch_memo.get((kind, platforms))
        if policy is None:
            policy = attrs.evolve(base, max_bytes=base.limited(kind, platforms))
            self._fetch_memo[kind, platforms] = policy
        return policy

    def staging_failed(
        self, post: Post, routes: Sequence[Route], exc: BaseException, owner: Owner | None = None
    ) -> list[Publication]:
        """Every target that needed media that could not be staged (hosted, fetched or uploaded): ``failed``.

        Staging serves every target of a publish, so its failure is each
        pending target's outcome, never an exception from ``publish()``.
        Staging sends no post (a media upload, a download, a media host), so
        even an upload that timed out after sending published nothing: the
        targets are ``failed`` and ``owner``'s claims go back to the ledger
        (a fetch policy's refusal is recorded as ``failed``): either way a
        re-run sends them. The error's facts stay on each publication.
        """
        results = [
            attrs.evolve(p, status=Status.FAILED, attempt=None) for p in self.failed_batch(post, routes, exc)
        ]  # failed_batch's "unknown" is about a post that may exist: none was sent
        if not isinstance(exc, FetchRefusedError):  # its message already says nothing was uploaded
            results = [attrs.evolve(p, error=f"staging the media failed: {p.error}") for p in results]
        if owner is None or isinstance(exc, FetchRefusedError):  # the refusal is kept, as issue 17 did
            return self.record(post, routes, results)
        self.abandon(post, routes, owner)
        return self._announced(results)

    def unresolved(self, post: Post, exc: PostmuxError) -> PublishReport:
        """Every target ``failed`` when the accounts naming them could not be listed.

        The listing comes before any claim or post byte, so nothing was sent
        and the ledger holds nothing new: a re-run resolves and sends them
        (or finds what an earlier run recorded). The error's facts stay on
        each publication.
        """
        why = f"not sent: listing the {self.provider} accounts to resolve the targets failed: {exc}"
        return PublishReport(
            tuple(
                self._announced(
                    [
                        Publication(
                            target=target,
                            provider=self.provider,
                            status=Status.FAILED,
                            error=why,
                            post_key=self.post_key(post),
                            exception=exc,
                            **error_facts(exc),
                        )
                        for target in post.targets
                    ]
                )
            )
        )

    def _announced(self, results: list[Publication]) -> list[Publication]:
        """``results``, told to the publish listeners (:meth:`record` tells them of recorded ones).

        A listener's own failure (a webhook that is down, a plugin that cannot be loaded) is
        logged, never raised: the outcomes are settled, often sent, and a raise here would hide
        every target's outcome from ``publish()``, which promises to raise nothing after the
        first byte; the other outcomes are still told.
        """
        plugins = self._plugins
        if plugins is None:
            return results
        try:
            listening = plugins.has_publish_listeners()
        except Exception:
            log.exception("postmux: the publish listeners could not be loaded; none is told")
            return results
        if listening:
            for publication in results:
                try:
                    plugins.publish_finished(publication=publication)
                except Exception:
                    log.exception(
                        "postmux: a publish listener failed on %s %s (%s); the outcome stands",
                        publication.provider,
                        publication.target,
                        publication.status,
                    )
        return results

    def refused(self, post: Post, routes: Sequence[Route], exc: FetchRefusedError) -> list[Publication]:
        """The name issue 17 gave it: :meth:`staging_failed` for a :class:`FetchRefusedError`."""
        return self.staging_failed(post, routes, exc)

    # -- outcomes --------------------------------------------------------

    def _in_doubt(self, post: Post, route: Route, why: str, code: str | None = None) -> Publication:
        return Publication(
            target=route.target,
            provider=self.provider,
            status=Status.UNKNOWN,
            error=why,
            error_code=code,
            account_id=route.account_id,
            post_key=self.post_key(post),
        )

    def ledger_now(self) -> float:
        """The time by the ledger's clock (a PostgreSQL server's), which its leases are measured on.

        A ledger without a ``now()`` is judged by this machine's clock.
        """
        clock = getattr(self.ledger, "now", None)
        return float(clock()) if callable(clock) else time.time()

    def lease_time(self, entries: Iterable[LedgerEntry | None]) -> float:
        """The time to judge ``entries``' leases by: the ledger's (:meth:`ledger_now`), not this
        machine's, which may be off; asked of the ledger only when some entry has no outcome yet
        (only such an entry's lease is judged), so the common publish pays no round trip."""
        if any(e is not None and e.publication is None for e in entries):
            return self.ledger_now()
        return time.time()

    def _not_owned(self, post: Post, route: Route, entry: LedgerEntry | None, now: float) -> Publication:
        """What a run that did not win the claim returns: the recorded outcome, or why it sent nothing.

        ``now`` is the ledger's time (:meth:`ledger_now`), against which its lease is judged.
        """
        if entry is None:
            return self._in_doubt(
                post,
                route,
                "another run claimed this target, then it was released; publish again to send it",
                CLAIMED_ELSEWHERE,
            )
        if entry.publication is not None:
            return attrs.evolve(entry.publication, target=route.target)
        owner = str(entry.owner) if entry.owner is not None else "an unknown owner"
        if entry.live(now):
            stage = "sending it" if entry.phase == SENDING else "not sent yet"
            return self._in_doubt(
                post,
                route,
                f"claimed by {owner} (lease until {entry.lease_end}, {stage}); that run sends it"
                " and records its outcome in the ledger",
                CLAIMED_ELSEWHERE,
            )
        if entry.sent_at is not None:  # when it was marked as being sent: the request left then
            claimed = datetime.fromtimestamp(entry.sent_at, UTC)
        else:  # a backend that does not say: marking it sending started its lease again, so its end
            lease = getattr(self.ledger, "lease", DEFAULT_LEASE)  # less a lease (this ledger's) is when
            claimed = datetime.fromtimestamp((entry.expires_at or time.time()) - lease, UTC)
        return attrs.evolve(
            self._in_doubt(
                post,
                route,
                f"a previous run ({owner}) claimed this target and never recorded an outcome"
                f" (lease ended {entry.lease_end}): reconcile() asks the vendor, or check it there"
                " and release it to send again",
            ),
            attempt=_attempt(post, route.account_id, claimed),
        )

    def failed_batch(self, post: Post, batch: Sequence[Route], exc: BaseException) -> list[Publication]:
        """The outcome of every target in a batch whose flow raised ``exc``.

        A refusal (4xx, bad input) is ``failed``: nothing was published. A
        timeout after sending, a 5xx or an unreadable 2xx body is ``unknown``:
        the post may exist, so it is never resent on its own. A ``503`` with
        ``Retry-After`` still there after the retries is ``failed``: the vendor
        said it did nothing. A credential source failing is ``failed`` unless
        the flow had sent a request that may have done something before
        (``CredentialError.after_send``). Every publication carries the error's
        facts (:func:`~postmux.results.error_facts`).
        """
        status = Status.FAILED if nothing_done(exc) else Status.UNKNOWN
        if not isinstance(exc, PostmuxError):
            log.error("postmux: %s adapter raised %r", self.provider, exc, exc_info=exc)
            wrapped = PostmuxError(
                redact(f"{self.provider} plugin error: {type(exc).__name__}: {exc}", self._key)
            )
            wrapped.__cause__ = exc
            exc = wrapped
        assert isinstance(exc, PostmuxError)
        sent = datetime.now(UTC) if status is Status.UNKNOWN else None  # reconcile() matches by it
        answer = exc.body if isinstance(exc, ResponseError) else None  # a cut-short body may hold an id
        return [
            Publication(
                target=route.target,
                provider=self.provider,
                status=status,
                error=str(exc),
                account_id=route.account_id,
                post_key=self.post_key(post),
                exception=exc,
                attempt=_attempt(post, route.account_id, sent, answer) if sent else None,
                **error_facts(exc),
            )
            for route in batch
        ]

    def interrupted(self, post: Post, batch: Sequence[Route], exc: BaseException) -> list[Publication]:
        """The outcome of every target of a batch whose publish was cancelled or interrupted: ``unknown``.

        Its request may have reached the vendor, so it is never resent on its own; recorded so, a
        re-run returns it at once (not "claimed by" a run that is gone) and reconcile asks about it.
        """
        why = (
            f"the publish was interrupted ({type(exc).__name__}) while its request may have been out:"
            " the post may exist; reconcile() asks the vendor"
        )
        sent = datetime.now(UTC)
        return [
            attrs.evolve(self._in_doubt(post, route, why), attempt=_attempt(post, route.account_id, sent))
            for route in batch
        ]

    def checked(
        self, post: Post, batch: Sequence[Route], results: Sequence[Publication]
    ) -> list[Publication]:
        """A batch's results, checked for count and stamped with target and post key."""
        if len(results) != len(batch):
            exc = PostmuxError(
                f"{self.provider} plugin returned {len(results)} results for {len(batch)} targets"
            )
            # the requests went out and were answered: the posts may exist, so never resend
            sent = datetime.now(UTC)
            return [
                attrs.evolve(p, status=Status.UNKNOWN, attempt=_attempt(post, r.account_id, sent))
                for p, r in zip(self.failed_batch(post, batch, exc), batch, strict=True)
            ]
        key = self.post_key(post)
        stamped: list[Publication] = []
        for route, p in zip(batch, results, strict=True):
            account_id = p.account_id or route.account_id
            if p.target == route.target and p.account_id == account_id and p.post_key == key:
                stamped.append(p)  # the plugin filled them in already: no copy (it is frozen)
            else:
                stamped.append(attrs.evolve(p, target=route.target, account_id=account_id, post_key=key))
        return stamped

    def previewed(self, post: Post, accounts: Sequence[Account] | None, *, resolve: bool) -> Preview:
        """The requests ``publish(post)`` would send; ``@username`` targets stay as given unless resolved.

        Validates first (raising every problem, as ``publish`` does); sends nothing.
        """
        from .preview import preview_post  # only previews need it, not publishing

        routes = self.routes(post, accounts) if resolve else [Route(t, t.account) for t in post.targets]
        client = getattr(self, "client", None)  # the publisher's: its headers are part of the request
        return preview_post(self.adapter, self._key, post, routes, client)

    def prepare(self, post: Post) -> None:
        """Validate, raising every problem before any I/O.

        The common post has none: it is checked as :meth:`validate` checks it, without the
        publisher's two layers of it; a post with any goes through :meth:`validate` itself, so
        what is raised is the same (the other vendors that would take a refusal named). A
        subclass that overrides :meth:`validate` (an app's own rules) is always asked through
        it, so its rules hold for every post it publishes, not only for those with a problem.
        """
        if self._app_rules:
            raise_for_problems(self.validate(post))
            return
        problems = vendor_problems(self.adapter, post, hosting=self.media_host is not None)
        if problems or (
            self.media_root is not None and isinstance(post, Post) and _outside(post, self.media_root)
        ):
            raise_for_problems(self.validate(post))

    @staticmethod
    def assemble(
        size: int,
        known: dict[int, Publication],
        sent: dict[int, Publication],
        hosted: tuple[HostedFile, ...] = (),
    ) -> PublishReport:
        """The report in target order from what the ledger knew and what was sent."""
        results = tuple(known[i] if i in known else sent[i] for i in range(size))
        return PublishReport(results, hosted=hosted)

    # -- media hosting -----------------------------------------------------

    def needs_hosting(self, post: Post) -> bool:
        """True when local files of ``post`` must become URLs before this vendor's flow sees them."""
        return self._hosting and any(isinstance(m, Media) and m.is_local for m in post.media)

    def drop_hosted(self, hosted: Sequence[HostedFile]) -> None:
        """Remove hosted files, quietly (they expire anyway)."""
        if self.media_host is not None and hosted:
            from .hosting import remove_quietly  # hosted files come from a media host, which loaded it

            remove_quietly(self.media_host, hosted)

    def settled(self, given: object, current: Sequence[Publication]) -> PublishReport:
        """The final report of ``wait()``: hosted media of ``given`` is removed once all is final."""
        hosted = given.hosted if isinstance(given, PublishReport) else ()
        if hosted and all(p.is_final for p in current):
            self.drop_hosted(hosted)
            hosted = ()
        return PublishReport(tuple(current), hosted=hosted)

    def pauses(self, interval: float | None) -> Iterator[float]:
        """The pauses between polls: the vendor's first interval, x1.5 up to its cap, jittered.

        A fixed ``interval`` from the caller, or the publisher's own
        ``poll_interval`` (:meth:`pause`), is kept as it is (no backoff, no
        jitter): the caller chose it.
        """
        fixed = interval if interval is not None else self.poll_interval
        if fixed:
            while True:
                yield fixed
        first = self.adapter.poll_interval
        cap = self.adapter.poll_max_interval or 4 * first
        pause = first
        while True:
            yield min(cap, pause * random.uniform(0.9, 1.1))
            pause = min(cap, pause * 1.5)

    def chunks(self, publications: Sequence[Publication]) -> list[list[int]]:
        """The indexes of ``publications`` in ``status_many`` calls of at most ``status_batch_size``.

        Where one read of an id answers for every publication that has it
        (``status_shared_by_id``: one post's targets), the size counts ids and
        an id's publications go in the same call, however many: split, each
        part would read the same post again (a post to 1,000 accounts in
        groups of 25 was 40 reads of it a round).
        """
        if self.adapter.status_shared_by_id:
            by_id: dict[str | None, list[int]] = {}
            for i, publication in enumerate(publications):
                by_id.setdefault(publication.id, []).append(i)
            groups = list(by_id.values())
        else:
            groups = [[i] for i in range(len(publications))]
        size = self.adapter.status_batch_size or len(groups) or 1
        return [[i for group in groups[k : k + size] for i in group] for k in range(0, len(groups), size)]

    @staticmethod
    def unread(publications: Sequence[Publication], exc: BaseException) -> list[Publication]:
        """Their last state kept, the poll's error noted: one unreadable answer never ends ``wait()``."""
        note = f"status not read this time: {exc}"
        kept = exc if isinstance(exc, PostmuxError) else None
        return [attrs.evolve(p, error=note, exception=kept) for p in publications]

    @staticmethod
    def changed(before: Sequence[Publication], after: Sequence[Publication]) -> list[Publication]:
        """The publications of ``after`` whose status, id or URL moved (what ``on_update`` is told)."""
        return [
            b
            for a, b in zip(before, after, strict=True)
            if (a.status, a.id, a.url, a.error) != (b.status, b.id, b.url, b.error)
        ]

    @staticmethod
    def pollable(publications: Sequence[Publication]) -> list[int]:
        """Indexes of publications that polling can still move."""
        return [
            i
            for i, p in enumerate(publications)
            if not p.is_final and p.id is not None and p.status is not Status.UNKNOWN
        ]


_UNUSABLE = frozenset({AccountStatus.EXPIRED, AccountStatus.RECONNECT_REQUIRED})
"""Account states the vendor would refuse a post to: refused before sending instead."""


def _unusable(i: int, target: Target, account: Account, provider: str) -> Problem:
    why = f" ({account.status_reason})" if account.status_reason else ""
    return Problem(
        f"targets[{i}].account",
        f"the {target.platform} account {target.account} at {provider} is {account.status.value}{why}; "
        "reconnect it (postmux connect) before posting to it",
    )


def _own_target(post: Post, given: object) -> Target | None:
    """The post's target that ``given`` names: equal to it, or, given without a text of its own
    (``"tiktok:a"`` can carry none), the post's target on that platform and account, with its text."""
    if not isinstance(given, Target):
        return None
    if given in post.targets:
        return given
    if given.text is not None:
        return None
    where = (given.platform, given.account)
    return next((t for t in post.targets if isinstance(t, Target) and (t.platform, t.account) == where), None)


def _twice(post: Post, routes: Sequence[Route]) -> list[Problem]:
    """A problem for each target that resolves to the account of an earlier one (``@name`` and its id,
    ``@Name`` and ``@name``): it would be posted twice. Two equal spellings are validate()'s to report."""
    first: dict[tuple[str, str], Target] = {}
    problems: list[Problem] = []
    for route in routes:
        earlier = first.setdefault((route.platform, route.account_id), route.target)
        if earlier is not route.target and earlier.account != route.target.account:
            i = post.targets.index(route.target)
            problems.append(
                Problem(
                    f"targets[{i}]",
                    f"{route.target} is the same {route.platform} account as {earlier}"
                    f" (id {route.account_id}); it would be posted twice",
                )
            )
    return problems


def _by_id(accounts: Sequence[Account], target: Target) -> Account | None:
    return next((a for a in accounts if a.platform == target.platform and a.id == target.account), None)


def _media_root(value: str | os.PathLike[str] | None) -> Path | None:
    """``media_root`` as a resolved directory (symlinks followed), or ``None``."""
    if value is None:
        return None
    root = Path(value).resolve()
    if not root.is_dir():
        raise ConfigurationError(f"media_root {os.fspath(value)!r} is not a directory")
    return root


def _outside(post: Post, root: Path) -> list[Problem]:
    """A problem for each local file that is not inside ``root`` once symlinks and ``..`` are resolved."""
    problems: list[Problem] = []
    media = post.media if isinstance(post.media, tuple) else ()
    for i, item in enumerate(media):
        if not isinstance(item, Media) or not isinstance(item.path, str) or item.url is not None:
            continue
        try:
            inside = Path(item.path).resolve().is_relative_to(root)
        except (OSError, RuntimeError, ValueError):  # a symlink loop, a NUL byte
            inside = False
        if not inside:
            problems.append(Problem(f"media[{i}].path", "the file is outside media_root"))
    return problems


def _route_of(publication: Publication) -> Route:
    """The route a publication went by, for its ledger key."""
    return Route(publication.target, publication.account_id or publication.target.account)


def _same_state(old: Publication, new: Publication) -> bool:
    return (old.status, old.id, old.url, old.error, old.scheduled_for) == (
        new.status,
        new.id,
        new.url,
        new.error,
        new.scheduled_for,
    )


def _unrecorded(publication: Publication, exc: LedgerError) -> Publication:
    """``publication`` with the ledger's failure to record it noted (and logged): the outcome is kept."""
    note = f"the ledger did not record this outcome ({exc}); a re-run treats the target as in doubt"
    log.error("postmux: %s %s:%s: %s", publication.provider, publication.target, publication.status, note)
    return attrs.evolve(
        publication,
        error=f"{publication.error}; {note}" if publication.error else note,
        exception=publication.exception or exc,
    )


def _find(accounts: Sequence[Account], target: Target) -> Account | None:
    wanted = target.account.lstrip("@").lower()
    matches = [
        a
        for a in accounts
        if a.platform == target.platform and (a.username or "").lstrip("@").lower() == wanted
    ]
    active = [a for a in matches if a.active]
    found = active or matches
    return found[0] if found else None
