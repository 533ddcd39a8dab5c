"""What the sync and the async publisher share: every decision that needs no I/O.

Resolving ``@username`` targets, validating, consulting the ledger, turning a
batch's exception into per-target outcomes and putting results back in the
order of ``Post.targets`` are the same whichever driver sends the requests;
:mod:`postmux.publisher` and :mod:`postmux.async_publisher` add only the I/O.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import attrs
import httpx

from .accounts import Account, AccountStatus
from .adapter import Adapter, Route
from .capabilities import Capabilities
from .drivers import DEFAULT_TIMEOUT
from .errors import (
    ConfigurationError,
    FetchRefusedError,
    PostmuxError,
    Problem,
    ProviderError,
    ResponseError,
    ServerError,
    TransportError,
    ValidationError,
)
from .fetch import FetchPolicy
from .hosting import HostedFile, MediaHost, remove_quietly
from .ledger import Ledger
from .media import Media
from .plugins import PluginManager
from .portable import accepted_by, vendor_problems
from .post import Post, Target
from .preview import Preview, preview_post
from .results import Publication, PublishReport
from .secrets import Secret, redact
from .status import Status
from .validation import raise_for_problems

__all__ = ["PublisherCore", "as_publications", "own_client_timeout"]

log = logging.getLogger("postmux")


def as_publications(value: PublishReport | Publication | Sequence[Publication]) -> list[Publication]:
    """Accept a report, one publication or several, as a list."""
    if isinstance(value, PublishReport):
        return list(value.results)
    if isinstance(value, Publication):
        return [value]
    return list(value)


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

    def __init__(
        self,
        adapter: Adapter,
        key: Secret,
        *,
        ledger: Ledger | None,
        max_concurrency: int,
        plugins: PluginManager | None,
        media_fetch: FetchPolicy | None = None,
        media_root: str | os.PathLike[str] | None = None,
        media_host: MediaHost | None = None,
    ) -> None:
        if max_concurrency < 1:
            raise ValueError("max_concurrency must be at least 1")
        if media_fetch is not None and not isinstance(media_fetch, FetchPolicy):
            raise ConfigurationError(
                f"media_fetch must be a postmux.FetchPolicy, got {type(media_fetch).__name__}"
            )
        self.media_fetch = media_fetch or FetchPolicy()
        self.media_root = _media_root(media_root)
        self.adapter = adapter
        self._key = key
        self.ledger = ledger
        self.max_concurrency = max_concurrency
        self._plugins = plugins
        self._accounts: list[Account] | None = None
        self.media_host = media_host
        caps = adapter.capabilities
        # with a media host, a URL-only vendor takes local files: the core turns them into URLs
        self._hosting = media_host is not None and not caps.local_files

    def __repr__(self) -> str:
        return f"<{type(self).__name__} provider={self.provider!r} base_url={self.adapter.base_url!r}>"

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
        if self._plugins is None or not any(p.unsupported for p in problems):
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
                found[name] = vendor_problems(cls(), post, hosting=hosting, now=now)
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
        return routes, problems

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

    def recorded(self, post: Post, routes: Sequence[Route]) -> dict[int, Publication]:
        """Targets the ledger says must not be sent again, by index."""
        if self.ledger is None:
            return {}
        known: dict[int, Publication] = {}
        for i, route in enumerate(routes):
            entry = self.ledger.lookup(post.ledger_key, self.target_key(route))
            if entry is None:
                continue
            if entry.publication is None:
                known[i] = self._in_doubt(
                    post, route, "a previous run claimed this target and never recorded an outcome"
                )
            elif entry.publication.status is Status.FAILED:
                continue  # refused by the vendor: nothing was published, sending again is safe
            else:
                known[i] = attrs.evolve(entry.publication, target=route.target)
        return known

    def release(self, post: Post, publication: Publication) -> None:
        """Let the ledger send ``publication``'s target again, after a human checked it is not live."""
        if self.ledger is not None:
            route = Route(publication.target, publication.account_id or publication.target.account)
            self.ledger.release(post.ledger_key, self.target_key(route))

    def claim(self, post: Post, routes: Sequence[Route]) -> None:
        """Mark routes as being sent, before the first byte leaves."""
        if self.ledger is not None:
            for route in routes:
                self.ledger.claim(post.ledger_key, self.target_key(route))

    def record(self, post: Post, routes: Sequence[Route], results: Sequence[Publication]) -> None:
        """Store outcomes and tell listening plugins."""
        for route, publication in zip(routes, results, strict=True):
            if self.ledger is not None:
                self.ledger.record(post.ledger_key, self.target_key(route), publication)
        if self._plugins is not None and self._plugins.has_publish_listeners():
            for publication in results:
                self._plugins.publish_finished(publication=publication)

    # -- media -------------------------------------------------------------

    def fetch_for(self, post: Post, routes: Sequence[Route]) -> FetchPolicy:
        """The fetch policy for staging ``post``: the publisher's, capped at its platforms' file size."""
        kinds = {m.kind for m in post.media if isinstance(m, Media)}
        kind = kinds.pop() if len(kinds) == 1 else None
        limit = self.media_fetch.limited(kind, {route.platform for route in routes})
        return attrs.evolve(self.media_fetch, max_bytes=limit)

    def refused(self, post: Post, routes: Sequence[Route], exc: FetchRefusedError) -> list[Publication]:
        """Every target that needed a medium the fetch policy refused: ``failed``, nothing sent.

        Staging serves every target of a publish, so a refused medium fails
        them all; the ledger records ``failed``, which may be sent again.
        """
        results = self.failed_batch(post, routes, exc)
        self.record(post, routes, results)
        return results

    # -- outcomes --------------------------------------------------------

    def _in_doubt(self, post: Post, route: Route, why: str) -> Publication:
        return Publication(
            target=route.target,
            provider=self.provider,
            status=Status.UNKNOWN,
            error=why,
            account_id=route.account_id,
            post_key=self.post_key(post),
        )

    def failed_batch(self, post: Post, batch: Sequence[Route], exc: BaseException) -> list[Publication]:
        """The outcome of every target in a batch whose flow raised ``exc``.

        A refusal (4xx, bad input) is ``failed``: nothing was published. A
        timeout after sending, a 5xx or an unreadable 2xx body is ``unknown``:
        the post may exist, so it is never resent on its own.
        """
        status = Status.FAILED
        code: str | None = None
        if isinstance(exc, TransportError):
            status = Status.UNKNOWN if exc.request_sent else Status.FAILED
        elif isinstance(exc, ServerError | ResponseError):
            status = Status.UNKNOWN
        elif isinstance(exc, ProviderError):
            code = exc.code
        elif not isinstance(exc, ValidationError | PostmuxError):
            log.error("postmux: %s adapter raised %r", self.provider, exc, exc_info=exc)
            wrapped = PostmuxError(
                redact(f"{self.provider} plugin error: {type(exc).__name__}: {exc}", self._key)
            )
            wrapped.__cause__ = exc
            exc = wrapped
            status = Status.UNKNOWN
        assert isinstance(exc, PostmuxError)
        return [
            Publication(
                target=route.target,
                provider=self.provider,
                status=status,
                error=str(exc),
                error_code=code,
                account_id=route.account_id,
                post_key=self.post_key(post),
                exception=exc,
            )
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
            return [attrs.evolve(p, status=Status.UNKNOWN) for p in self.failed_batch(post, batch, exc)]
        return [
            attrs.evolve(
                p,
                target=route.target,
                account_id=p.account_id or route.account_id,
                post_key=self.post_key(post),
            )
            for route, p in zip(batch, results, strict=True)
        ]

    def previewed(self, post: Post, accounts: Sequence[Account] | None, *, resolve: bool) -> Preview:
        """The requests ``publish(post)`` would send; ``@username`` targets stay as given unless resolved.

        Validates first (raising every problem, as ``publish`` does); sends nothing.
        """
        routes = self.routes(post, accounts) if resolve else [Route(t, t.account) for t in post.targets]
        client = getattr(self, "client", None)  # the publisher's: its headers are part of the request
        return preview_post(self.adapter, self._key, post, routes, client)

    def prepare(self, post: Post) -> None:
        """Validate, raising every problem before any I/O."""
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
            remove_quietly(self.media_host, hosted)

    def settled(self, given: object, current: Sequence[Publication]) -> PublishReport:
        """The final report of ``wait()``: hosted media of ``given`` is removed once all is final."""
        hosted = given.hosted if isinstance(given, PublishReport) else ()
        if hosted and all(p.is_final for p in current):
            self.drop_hosted(hosted)
            hosted = ()
        return PublishReport(tuple(current), hosted=hosted)

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
