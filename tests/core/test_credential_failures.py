"""A credential source's own failure: a ``CredentialError`` naming the account, no token anywhere.

An app's source is a database's (``sqlite3.OperationalError: database is
locked``) or a vault's; its ``load``, ``store``, listing or refresh hook may
raise anything, and the text or attributes of what it raises may quote a
token. Whichever path asks (a request's token, a refresh, a flow's own store
or listing; the sync driver in place, the async one on the source's worker),
the app gets a :class:`postmux.CredentialError` without that exception in its
chain, and a publish records it: ``failed`` when nothing was sent, ``unknown``
when the flow had sent a request that may have done something.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Literal

import httpx
import pytest

import postmux
from postmux import AsyncPublisher, Post, Publication, Publisher, Secret, Status
from postmux.credentials import NO_KEY, CredentialSource, Token
from postmux.flow import Flow, account_ids, store_token

from .fakes import Vendor
from .test_credentials import POST, CreatorAdapter, _ok
from .test_key_unreachable import leaks

ONE = Post(text="hi", media=POST.media, targets=["tiktok:creator-a"])
STORED = "tok-stored-secret"
REFRESHED = "tok-refreshed-secret"
REFRESH = "refresh-secret"
Kind = Literal["sync", "async"]
KINDS: tuple[Kind, ...] = ("sync", "async")


class LockedDatabase(CredentialSource):
    """A database's source: the calls named in ``failing`` raise what sqlite raises, quoting a token."""

    def __init__(self, *failing: str, expiring: bool = False) -> None:
        super().__init__(
            refresh=lambda account, stale: Token(access=Secret(REFRESHED), refresh=stale.refresh)
        )
        self.failing = set(failing)
        when = datetime.now(UTC) + (timedelta(seconds=30) if expiring else timedelta(hours=2))
        self.tokens = {"creator-a": Token(access=Secret(STORED), refresh=Secret(REFRESH), expires_at=when)}

    def _fail(self, call: str, token: Token | None = None) -> None:
        if call in self.failing:
            quoted = token.access.reveal() if token else STORED  # a row, a bound parameter, in its text
            error = sqlite3.OperationalError(f"database is locked: UPDATE tokens SET access = '{quoted}'")
            error.token = quoted  # type: ignore[attr-defined]  # an attribute holding it too
            raise error

    def load(self, account: str) -> Token | None:
        self._fail("load")
        return self.tokens.get(account)

    def store(self, account: str, token: Token) -> None:
        self._fail("store", token)
        self.tokens[account] = token

    def __iter__(self) -> Iterator[str]:
        self._fail("accounts")
        return iter(list(self.tokens))


def _adapter(source: CredentialSource, cls: type[CreatorAdapter] = CreatorAdapter) -> CreatorAdapter:
    adapter = cls()
    adapter.credentials = source
    return adapter


def _publish(kind: Kind, adapter: CreatorAdapter, vendor: Vendor, post: Post = ONE) -> postmux.PublishReport:
    if kind == "sync":
        return Publisher(adapter, NO_KEY, client=vendor.client(), sleep=lambda _: None).publish(post)

    async def sleep(_: float) -> None:
        return None

    async def run() -> postmux.PublishReport:
        return await AsyncPublisher(adapter, NO_KEY, client=vendor.async_client(), sleep=sleep).publish(post)

    return asyncio.run(run())


def _run(kind: Kind, adapter: CreatorAdapter, flow: Flow[object]) -> object:
    """A flow driven by the sync or the async publisher's driver."""
    if kind == "sync":
        return Publisher(adapter, NO_KEY, client=Vendor().client()).driver.run(flow)

    async def run() -> object:
        return await AsyncPublisher(adapter, NO_KEY, client=Vendor().async_client()).driver.run(flow)

    return asyncio.run(run())


def _tokenless(*roots: object) -> None:
    """No token (as text or bytes) in anything reachable from ``roots``: str, repr, chain, attributes."""
    for root in roots:
        for needle in (STORED, REFRESHED, REFRESH):
            assert needle not in str(root)
            assert needle not in repr(root)
            assert leaks([root], needles=(needle, needle.encode())) == [], needle


def _source_error(error: BaseException | None, operation: str, account: str | None) -> None:
    """``error`` is the source's failure as postmux says it, with nothing of the sqlite exception in it."""
    assert isinstance(error, postmux.CredentialError), repr(error)
    assert (error.operation, error.account) == (operation, account)
    assert "LockedDatabase" in str(error)
    assert "sqlite3.OperationalError" in str(error)
    if account is not None:
        assert repr(account) in str(error)
    assert error.__cause__ is None
    assert error.__context__ is None
    _tokenless(error)


@pytest.mark.parametrize("kind", KINDS)
def test_a_failing_load_fails_the_target_naming_the_account_with_nothing_sent(kind: Kind) -> None:
    vendor = Vendor({"POST /posts": _ok})
    (result,) = _publish(kind, _adapter(LockedDatabase("load")), vendor)
    assert result.status is Status.FAILED
    assert result.attempt is None
    _source_error(result.exception, "load", "creator-a")
    assert "could not load the token of account 'creator-a'" in (result.error or "")
    assert vendor.requests == []
    _tokenless(result)


@pytest.mark.parametrize("kind", KINDS)
def test_a_failing_store_after_a_refresh_fails_the_target_with_nothing_sent(kind: Kind) -> None:
    vendor = Vendor({"POST /posts": _ok})
    (result,) = _publish(kind, _adapter(LockedDatabase("store", expiring=True)), vendor)
    assert result.status is Status.FAILED
    _source_error(result.exception, "store", "creator-a")
    assert vendor.requests == []
    _tokenless(result)


@pytest.mark.parametrize("kind", KINDS)
def test_a_failing_store_after_a_401_fails_the_target(kind: Kind) -> None:
    refused = httpx.Response(401, json={"error": {"code": "access_token_invalid", "message": "stale"}})
    vendor = Vendor({"POST /posts": refused})
    (result,) = _publish(kind, _adapter(LockedDatabase("store")), vendor)
    assert result.status is Status.FAILED  # a 401 did nothing at the vendor
    _source_error(result.exception, "store", "creator-a")
    assert vendor.count("POST /posts") == 1
    _tokenless(result)


@pytest.mark.parametrize("kind", KINDS)
def test_a_refresh_hook_that_raises_its_own_exception_is_a_credential_error(kind: Kind) -> None:
    source = LockedDatabase(expiring=True)

    def refresh(account: str, stale: Token) -> Token:
        assert stale.refresh is not None
        raise ConnectionError(f"oauth server down, refresh_token={stale.refresh.reveal()}")

    source._refresh = refresh
    vendor = Vendor({"POST /posts": _ok})
    (result,) = _publish(kind, _adapter(source), vendor)
    assert result.status is Status.FAILED
    error = result.exception
    assert isinstance(error, postmux.CredentialError)
    assert (error.operation, error.account) == ("refresh", "creator-a")
    assert "its refresh hook raised ConnectionError" in str(error)
    assert error.__cause__ is None
    assert error.__context__ is None
    assert vendor.requests == []
    _tokenless(result)


def _link_and_list(source: CredentialSource) -> Flow[list[str]]:
    yield from store_token(source, "creator-b", Token(access=Secret(REFRESHED), refresh=Secret(REFRESH)))
    return (yield from account_ids(source))


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("failing", "account"), [("store", "creator-b"), ("accounts", None)])
def test_a_flows_store_or_listing_that_fails_is_a_credential_error(
    kind: Kind, failing: str, account: str | None
) -> None:
    source = LockedDatabase(failing)
    with pytest.raises(postmux.CredentialError) as caught:
        _run(kind, _adapter(source), _link_and_list(source))
    _source_error(caught.value, failing, account)


class ListingAdapter(CreatorAdapter):
    """A vendor whose accounts are its credential source's (an ``@name`` target lists them)."""

    def accounts(self) -> Flow[list[postmux.Account]]:
        assert self.credentials is not None
        ids = yield from account_ids(self.credentials)
        return [postmux.Account(id=i, platform="tiktok", provider=self.name, username=i) for i in ids]


@pytest.mark.parametrize("kind", KINDS)
def test_a_listing_that_fails_while_resolving_targets_fails_them_with_nothing_sent(kind: Kind) -> None:
    vendor = Vendor({"POST /posts": _ok})
    post = Post(text="hi", media=POST.media, targets=["tiktok:@creator-a"])
    (result,) = _publish(kind, _adapter(LockedDatabase("accounts"), ListingAdapter), vendor, post)
    assert result.status is Status.FAILED
    _source_error(result.exception, "accounts", None)
    assert "could not list its accounts" in (result.error or "")
    assert vendor.requests == []


class StoreAfterPost(CreatorAdapter):
    """A vendor that rotates the token in its publish answer: the flow keeps it after the post is made."""

    def publish(
        self, post: Post, routes: Sequence[postmux.Route], media: tuple[str, ...]
    ) -> Flow[list[Publication]]:
        results = yield from super().publish(post, routes, media)
        assert self.credentials is not None
        yield from store_token(self.credentials, routes[0].account_id or "", Token(access=Secret(REFRESHED)))
        return results


@pytest.mark.parametrize("kind", KINDS)
def test_a_store_failing_after_the_post_was_sent_leaves_the_target_unknown(kind: Kind) -> None:
    vendor = Vendor({"POST /posts": _ok})
    (result,) = _publish(kind, _adapter(LockedDatabase("store"), StoreAfterPost), vendor)
    assert vendor.count("POST /posts") == 1
    assert result.status is Status.UNKNOWN  # the post exists: never sent again as if it had failed
    assert result.attempt is not None  # reconcile() can find it
    _source_error(result.exception, "store", "creator-a")
    assert result.exception.after_send  # type: ignore[union-attr]
    _tokenless(result)


def test_a_sources_own_postmux_error_passes_as_it_is() -> None:
    class Refusing(LockedDatabase):
        def load(self, account: str) -> Token | None:
            raise postmux.MissingCredentialsError(f"account {account!r} was unlinked")

    (result,) = _publish("sync", _adapter(Refusing()), Vendor({"POST /posts": _ok}))
    assert result.status is Status.FAILED
    assert type(result.exception) is postmux.MissingCredentialsError
    assert str(result.exception) == "account 'creator-a' was unlinked"


def test_the_sources_own_calls_say_the_same_without_a_driver() -> None:
    """An app calling its source through postmux's API (``token``, ``atoken``, ``astore``) gets the same."""
    with pytest.raises(postmux.CredentialError) as caught:
        LockedDatabase("load").token("creator-a")
    _source_error(caught.value, "load", "creator-a")
    with pytest.raises(postmux.CredentialError) as caught:
        asyncio.run(LockedDatabase("load").atoken("creator-a"))
    _source_error(caught.value, "load", "creator-a")
    with pytest.raises(postmux.CredentialError) as caught:
        asyncio.run(LockedDatabase("store").astore("creator-a", Token(access=Secret(REFRESHED))))
    _source_error(caught.value, "store", "creator-a")


def test_a_preview_whose_source_fails_says_so_without_the_token() -> None:
    """A preview reads the stored token (to show its header, redacted): the same error, not a plugin's bug."""
    publisher = Publisher(_adapter(LockedDatabase("load")), NO_KEY, client=Vendor().client())
    with pytest.raises(postmux.CredentialError) as caught:
        publisher.preview(ONE)
    _source_error(caught.value, "load", "creator-a")


def _unusable(change: str) -> Token:
    later = datetime.now(UTC) + timedelta(hours=2)
    token = Token(access=Secret(STORED), refresh=Secret(REFRESH), expires_at=later)
    if change == "naive expires_at":  # a database's timestamp column read back without its zone
        return token._replace(expires_at=later.replace(tzinfo=None))
    return token._replace(access=STORED)  # type: ignore[arg-type]  # a str, not a Secret


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("change", ["naive expires_at", "access not a Secret"])
def test_a_stored_token_postmux_cannot_use_fails_the_target_naming_the_account_with_nothing_sent(
    kind: Kind, change: str
) -> None:
    source = LockedDatabase()
    source.tokens["creator-a"] = _unusable(change)
    vendor = Vendor({"POST /posts": _ok})
    (result,) = _publish(kind, _adapter(source), vendor)
    assert vendor.requests == []
    assert result.status is Status.FAILED, result.error  # nothing was sent: not a plugin's bug in doubt
    error = result.exception
    assert isinstance(error, postmux.CredentialError)
    assert (error.operation, error.account) == ("load", "creator-a")
    assert ("expires_at" if change.startswith("naive") else "access") in str(error)
    _tokenless(result)


@pytest.mark.parametrize("kind", KINDS)
def test_a_refresh_hook_giving_a_naive_expiry_is_a_credential_error_and_its_token_is_kept(kind: Kind) -> None:
    """The hook's token holds the refresh token the vendor just issued: stored all the same, never lost."""
    source = LockedDatabase(expiring=True)
    source._refresh = lambda account, stale: _unusable("naive expires_at")._replace(refresh=Secret(REFRESHED))
    vendor = Vendor({"POST /posts": _ok})
    (result,) = _publish(kind, _adapter(source), vendor)
    assert vendor.requests == []
    assert result.status is Status.FAILED, result.error
    error = result.exception
    assert isinstance(error, postmux.CredentialError)
    assert (error.operation, error.account) == ("refresh", "creator-a")
    assert "expires_at" in str(error)
    assert source.tokens["creator-a"].refresh == Secret(REFRESHED)
    _tokenless(result)
