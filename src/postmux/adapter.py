"""What a vendor plugin implements: one :class:`Adapter` subclass.

An adapter maps the neutral model to one vendor's wire format and back, as
sans-I/O flows (see :mod:`postmux.flow`). It owns no client, no key and no
retry: the core sends its requests, adds the auth header it names, maps errors
through :meth:`Adapter.error_for`, runs batches concurrently and keeps the
ledger. Operations a vendor lacks keep the defaults here, which raise
:class:`~postmux.UnsupportedError` before any I/O.
"""

from __future__ import annotations

import json as _json
from collections.abc import Mapping, Sequence
from datetime import datetime
from types import UnionType
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

import attrs
import httpx

from ._eq import fields_eq, fields_hash
from ._repr import fields_repr
from .capabilities import Capabilities
from .errors import (
    Problem,
    ProviderError,
    ResponseError,
    ServerError,
    TransportError,
    UnsupportedError,
    ValidationError,
)
from .extras import merge
from .flow import ACCOUNT, Flow, done, file_parts, multipart_request
from .post import Post, Target
from .results import Publication

if TYPE_CHECKING:
    from .accounts import Account, CreatorInfo
    from .connect import ConnectPoll, ConnectStart
    from .credentials import CredentialSource
    from .reconcile import Finding
from .secrets import Secret
from .status import AccountStatus
from .vocabulary import AccountFields, Vocabulary
from .vocabulary import header_retry_after as retry_after
from .wire import base_converter, excerpt, parse, read_json  # no cattrs: it comes with the first parse

__all__ = ["Adapter", "Route", "retry_after"]

T = TypeVar("T")


@attrs.frozen(slots=True)
class Route:
    """A target with its account resolved to the vendor's id."""

    target: Target
    account_id: str

    __repr__ = fields_repr
    __eq__ = fields_eq
    __hash__ = fields_hash

    @property
    def platform(self) -> str:
        """The target's platform."""
        return self.target.platform


_JSON = _json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False)
"""httpx's JSON encoding (``json.dumps`` with these options), made once instead of per request."""


def _json_request(
    method: str, url: httpx.URL, host: bytes, body: Any, extensions: dict[str, Any]
) -> httpx.Request:
    """What ``httpx.Request(method, url, json=body)`` builds, byte for byte, in half the time.

    httpx derives each default header through its generic header machinery;
    a publish needs exactly three, so they are set at once (``host``: ``url.netloc``, kept with the URL).
    """
    content = _JSON.encode(body).encode()
    headers = [  # bytes already, in httpx's order: nothing for httpx.Headers to encode
        (b"Host", host),
        (b"Content-Length", str(len(content)).encode()),
        (b"Content-Type", b"application/json"),
    ]
    request = httpx.Request(
        method, url, headers=headers, stream=httpx.ByteStream(content), extensions=extensions
    )
    request.read()
    return request


def _part(data: Any, at: str) -> Any:
    """The part of an answer at the dotted path ``at`` (``"data.user"``); ``None`` where it has none."""
    for key in at.split(".") if at else ():
        data = data.get(key) if isinstance(data, Mapping) else None
    return data


def _admits_bool(kind: type[Any] | UnionType) -> bool:
    """True when ``kind`` names ``bool`` (alone or in a union), not only ``int`` (a bool's base class)."""
    return kind is bool or bool in getattr(kind, "__args__", ())


def _unsupported(provider: str, what: str) -> UnsupportedError:
    return UnsupportedError([Problem(what, f"{provider} does not support this", unsupported=True)])


class Adapter:
    """The base of every vendor adapter.

    Subclasses set the class attributes (:attr:`auth_header`, or their own
    :meth:`auth_headers`) and implement :meth:`publish`; everything else is optional.
    """

    name: ClassVar[str]
    """The provider name apps pass to ``postmux.publisher()``."""
    env_var: ClassVar[str]
    """The environment variable holding the API key; unset, the name's: ``WAHDX_API_KEY`` for ``wahdx``."""
    base_url_var: ClassVar[str | None] = None
    """The environment variable holding another base URL; unset, the key variable's
    name with ``_BASE_URL`` for its suffix (``WAHDX_API_KEY`` → ``WAHDX_BASE_URL``)."""
    default_base_url: ClassVar[str]
    auth_header: ClassVar[str | None] = None
    """The header carrying the key (``X-API-Key``), for the default :meth:`auth_headers`."""
    auth_scheme: ClassVar[str] = ""
    """What the key follows in :attr:`auth_header` (``Bearer``), if anything."""
    capabilities: ClassVar[Capabilities]
    conformance_limits: ClassVar[Mapping[str, str]] = {}
    """Cases of the conformance suite (:mod:`postmux.testing`) this vendor cannot pass, by test
    name, each with the reason; they skip with it. Only for what :attr:`capabilities` cannot
    say: a lacking feature the capabilities declare is already checked to be refused."""
    poll_interval: ClassVar[float] = 2.0
    """Seconds before the first status poll while waiting (the vendor's advised first interval)."""
    poll_max_interval: ClassVar[float | None] = None
    """The pause between polls backs off to this (x1.5 a poll, jittered); ``None``: 4 x ``poll_interval``."""
    status_batch_size: ClassVar[int | None] = None
    """The most publications one ``status_many`` call reads (a batch-status vendor); ``None``: no cap."""
    status_shared_by_id: ClassVar[bool] = False
    """True when one read of an id answers for every publication that has it (a post read once for
    all its targets): :attr:`status_batch_size` then counts ids, and one id's publications come in
    the same ``status_many`` call."""
    reconcile_absent_after: ClassVar[float] = 600.0
    """Seconds after a send before ``reconcile`` believes "no such post" (the vendor may still make it)."""
    answer_id_key: ClassVar[str | None] = None
    """The key of the vendor's id in a publish answer (``"publish_id"``): the default :meth:`reconcile`
    reads the id from an answer cut short (:func:`postmux.reconcile.salvaged`)."""
    vocabulary: ClassVar[Vocabulary] = Vocabulary()
    """The vendor's words: option maps, status map, error envelope (see :mod:`postmux.vocabulary`)."""
    converter: ClassVar[Any] = None
    """The plugin's cattrs converter (:func:`postmux.wire.base_converter`): :meth:`answer` parses with it.

    Unset, each adapter class gets a plain one of its own (answer classes spelled as the vendor
    spells its keys need no hooks); cattrs is imported only when it first parses.
    """
    field_mapping: ClassVar[Mapping[str, Mapping[str, str]]] = {}
    """Option class → {neutral field: vendor field}, for the generated docs (``"TikTokOptions"`` → …).

    Derived from :attr:`vocabulary` unless a subclass sets it; ``!`` marks an inverted boolean.
    """

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "field_mapping" not in cls.__dict__ and "vocabulary" in cls.__dict__:
            cls.field_mapping = cls.vocabulary.field_mapping
        if "env_var" not in cls.__dict__ and "name" in cls.__dict__:
            cls.env_var = cls.name.upper().replace("-", "_") + "_API_KEY"
        if cls.converter is None:
            cls.converter = base_converter()

    def __init__(self, base_url: str | None = None) -> None:
        self.base_url = (base_url or self.default_base_url).rstrip("/")
        self._urls: dict[str, tuple[httpx.URL, bytes]] = {}
        self.credentials: CredentialSource | None = None
        """Per-account tokens (``postmux.publisher(name, credentials=…)``); ``None``: the publisher's key."""

    # -- plumbing ---------------------------------------------------------

    def auth_headers(self, key: Secret) -> Mapping[str, str]:
        """The headers that authenticate a request to this vendor: by default :attr:`auth_header`
        carrying the key (after :attr:`auth_scheme`, where set), as most vendors want it."""
        if self.auth_header is None:
            raise NotImplementedError
        value = f"{self.auth_scheme} {key.reveal()}" if self.auth_scheme else key.reveal()
        return {self.auth_header: value}

    def url(self, path: str) -> str:
        """An absolute URL for a path under the base URL."""
        return self.base_url + path

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, str] | Sequence[tuple[str, str]] | None = None,
        idempotent: bool | None = None,
        account: str | None = None,
        **kwargs: Any,
    ) -> httpx.Request:
        """A request to the vendor; ``idempotent=True`` marks a POST that only reads.

        ``params`` is a mapping, or ``(key, value)`` pairs where a key repeats.
        ``account`` names the account the request acts for: with per-account
        credentials the driver sends that account's token instead of the key.
        """
        extensions = kwargs.pop("extensions", {})
        if idempotent:
            extensions = {**extensions, "postmux.idempotent": True}
        if account is not None:
            extensions = {**extensions, ACCOUNT: account}
        known = self._urls.get(path)
        if known is None:  # parsing a URL costs more than the rest of a request: once per path
            if len(self._urls) >= 256:  # ids in paths: keep the cache small
                self._urls.clear()
            parsed = httpx.URL(self.url(path))
            known = self._urls[path] = (parsed, parsed.netloc)  # with its Host header
        url = known[0]
        if json is not None and params is None and not kwargs:
            return _json_request(method, url, known[1], json, extensions)
        if json is None and params is None and kwargs.keys() == {"files"}:
            parts = file_parts(kwargs["files"])  # open files: streamed in 1 MiB chunks, not httpx's 64 KiB
            if parts is not None:
                return multipart_request(method, url, parts, extensions=extensions)
        query = params if params is None or isinstance(params, Mapping) else tuple(params)  # a key may repeat
        return httpx.Request(method, url, json=json, params=query, extensions=extensions, **kwargs)

    def error_for(self, response: httpx.Response, body: str) -> ProviderError:
        """The error for a vendor response with status ≥ 400.

        ``body`` is the response text with the key already scrubbed. Read
        through the vocabulary's :class:`~postmux.vocabulary.ErrorEnvelope`
        (by default ``message`` or ``error``, a string or an object with
        ``message`` and ``code``); bodies that are not JSON at all are tolerated.
        """
        return self.vocabulary.errors.error_for(response, body, provider=self.name)

    def read(self, response: httpx.Response, *, refusals: bool = True) -> Any:
        """A 2xx answer's JSON; a refusal inside it (``success: false``…) raised as a :class:`ProviderError`.

        What counts as a refusal is the vocabulary's error envelope;
        ``refusals=False`` for an answer whose ``success`` means something else.
        """
        data = read_json(response, provider=self.name)
        if refusals:
            error = self.vocabulary.errors.refusal(data, response, provider=self.name)
            if error is not None:
                raise error
        return data

    def answer(
        self,
        response: httpx.Response,
        cls: type[T],
        *,
        what: str | None = None,
        at: str = "",
        refusals: bool = True,
    ) -> tuple[T, Any]:
        """A 2xx answer (:meth:`read`) parsed as ``cls`` with :attr:`converter`, and its JSON for ``.raw``.

        ``at`` is the dotted path of the part that is ``cls`` (``"data"``), so a
        vendor's envelope around every answer needs no class of its own; a part
        that is missing or of the wrong shape is a :class:`~postmux.ResponseError`.
        """
        data = self.read(response, refusals=refusals)
        return parse(self.converter, _part(data, at), cls, provider=self.name, what=what), data

    def answer_fields(
        self, response: httpx.Response, *, at: str = "", **fields: type[Any] | UnionType
    ) -> Mapping[str, Any]:
        """A 2xx answer's object at ``at`` (:meth:`read`), checked to hold ``fields``, each of its type.

        For an answer read for a few keys, where an answer class would only
        restate them: ``self.answer_fields(response, at="data", uploadUrl=str)``.
        A field must be present, an instance of its type (``true`` is no ``int``) and not ``""``; a
        type that admits ``None`` (``str | None``) makes it optional. Anything
        else is a :class:`~postmux.ResponseError` naming the field
        (``"Acme's answer has no data.uploadUrl"``), which keeps no ``body``:
        such answers (a token, an upload URL) may carry secrets. Returns the object itself
        (the whole answer when ``at`` is empty, for ``Publication.raw``).
        """
        part = _part(self.read(response), at)
        where = f"{at}." if at else ""
        if isinstance(part, Mapping):
            missing = [
                f"{where}{name}"
                for name, kind in fields.items()
                if not isinstance(value := part.get(name), kind)
                or value == ""
                or ((value is True or value is False) and not _admits_bool(kind))  # true is no int
            ]
            if not missing:
                return part
        else:
            missing = [f"{where}{f}" for f in fields] or [at or "JSON object"]
        why = f"{self.vocabulary.errors.name}'s answer has no {', '.join(missing)}"
        raise ResponseError(why, provider=self.name)  # no body: it may hold a token or a signed URL

    def publication_id(self, publication: Publication, what: str = "id") -> str:
        """The vendor's id of ``publication`` (its ``what``), refused before any request when it has none."""
        if not publication.id:
            name = self.vocabulary.errors.name
            raise ValidationError([Problem("publication.id", f"this publication has no {name} {what}")])
        return publication.id

    def pages(
        self,
        path: str,
        cls: type[Any],
        items: str,
        *,
        query: Sequence[tuple[str, str]] = (),
        size: int = 100,
        what: str,
        tries: int = 1,
    ) -> Flow[list[tuple[Any, Any]]]:
        """Every item of a list paged by ``limit`` and ``offset`` up to its ``total``: ``(parsed, raw)`` each.

        ``cls`` is one page: an int ``total`` and the ``items`` list (the JSON
        key of the same name); ``query`` goes before ``limit`` and ``offset`` (a
        key may repeat). With ``tries`` > 1, a page whose answer is unreadable
        or a 5xx after the driver's retries is read again (a GET: safe), for
        flows that must not give up on one bad page.
        """
        out: list[tuple[Any, Any]] = []
        while True:
            params = [*query, ("limit", str(size)), ("offset", str(len(out)))]
            for attempt in range(tries):
                try:
                    response = yield self.request("GET", path, params=params)
                    page, data = self.answer(response, cls, what=what)
                    break
                except (ResponseError, ServerError, TransportError):
                    if attempt == tries - 1:
                        raise
            found = getattr(page, items)
            out += zip(found, data[items], strict=True)
            if not found or len(out) >= page.total:
                return out

    def account(
        self,
        account_id: str,
        platform: str,
        status: str | None,
        *,
        raw: Any,
        reason: str | None = None,
        **fields: Any,
    ) -> Account:
        """An :class:`Account` from a vendor's listing, its status word read through the vocabulary.

        No word at all is ``active`` (an older answer names none); a word the
        vocabulary's ``accounts`` table lacks is ``unknown``. An account not
        active keeps why: ``reason``, else the word itself.
        """
        from .accounts import Account  # listing accounts only: a publish never loads it

        known = AccountStatus.ACTIVE if status is None else self.vocabulary.accounts.get(status)
        return Account(
            id=account_id,
            platform=platform,
            provider=self.name,
            status=known or AccountStatus.UNKNOWN,
            status_reason=None if known is AccountStatus.ACTIVE else (reason or status),
            raw=raw,
            **fields,
        )

    def accounts_from(
        self,
        data: Any,
        fields: AccountFields,
        *,
        at: str = "",
        what: str = "accounts",
        platform: str | None = None,
    ) -> list[Account]:
        """An :class:`Account` for each item of a vendor's account listing, the JSON list at ``at``.

        ``fields`` names the vendor's keys; ``platform`` is the platform of an
        item that names none (a one-platform listing, an older answer). An item
        that is not an object, has no id, or holds a non-string where a string
        belongs is a :class:`~postmux.ResponseError`; each account keeps its item as ``raw``.
        """
        items = data
        for key in at.split(".") if at else ():
            items = items.get(key) if isinstance(items, Mapping) else None
        if not isinstance(items, list):
            raise self._unreadable(what, f"expected a list at {at or 'the top'}", data)
        return [self._listed(item, fields, what, platform) for item in items]

    def _listed(self, item: Any, fields: AccountFields, what: str, platform: str | None) -> Account:
        def text(key: str | None) -> str | None:
            value = item.get(key) if key is not None else None
            if value is None or isinstance(value, str):
                return value
            raise self._unreadable(what, f"{key} is not a string", item)

        if not isinstance(item, Mapping):
            raise self._unreadable(what, "an item is not an object", item)
        account_id, where = text(fields.id), text(fields.platform) or platform
        if not account_id or where is None:
            raise self._unreadable(what, f"no {fields.id if not account_id else fields.platform}", item)
        return self.account(
            account_id,
            where,
            text(fields.status),
            reason=text(fields.reason),
            username=text(fields.username),
            display_name=text(fields.display_name),
            avatar_url=text(fields.avatar_url),
            raw=item,
        )

    def _unreadable(self, what: str, why: str, data: Any) -> ResponseError:
        return ResponseError(f"cannot read {what}: {why}", provider=self.name, body=excerpt(data))

    def with_extras(self, post: Post, body: dict[str, Any]) -> dict[str, Any]:
        """``body`` with ``Post.extras[<this provider>]`` merged over it (:func:`postmux.extras.merge`)."""
        return merge(body, post.extras.get(self.name, {}))

    # -- publishing -------------------------------------------------------

    def check(self, post: Post) -> list[Problem]:
        """Vendor rules that the :class:`Capabilities` tables cannot say; no I/O.

        Called by validation after the table checks, so every problem still
        comes back at once. ``post`` may hold wrong types (validation reports
        those): check defensively.
        """
        return []

    def batches(self, post: Post, routes: Sequence[Route]) -> list[list[Route]]:
        """How targets are grouped into requests; by default one batch per target."""
        return [[route] for route in routes]

    def stage(self, post: Post, routes: Sequence[Route]) -> Flow[tuple[str, ...]]:
        """Make the media usable by the vendor, once per publish, before any post is made.

        Returns one reference per media item (a URL, an uploaded media id…), in
        order; the default passes URLs through.
        """
        return done(tuple(m.url or "" for m in post.media))

    def publish(self, post: Post, routes: Sequence[Route], media: tuple[str, ...]) -> Flow[list[Publication]]:
        """Send ``post`` to one batch of routes; one :class:`Publication` per route, in order."""
        raise NotImplementedError

    def status(self, publication: Publication) -> Flow[Publication]:
        """The publication as the vendor sees it now."""
        raise _unsupported(self.name, "status")

    def status_many(self, publications: Sequence[Publication]) -> Flow[list[Publication]]:
        """Several publications at once; by default one request each, in order."""
        out: list[Publication] = []
        for publication in publications:
            out.append((yield from self.status(publication)))
        return out

    def reconcile(self, publications: Sequence[Publication]) -> Flow[list[Finding]]:
        """What the vendor has of each ``unknown`` publication: one :class:`~postmux.reconcile.Finding` each.

        ``found`` (with the publication as the vendor has it), ``absent`` (its
        API proves there is none) or ``uncheckable`` (with what to check by
        hand). Each publication keeps its ``attempt`` (account, content digest,
        media, when it was sent) and any id the vendor returned. By default
        only what has an id is looked up (:func:`postmux.reconcile.default_reconcile`, with
        :attr:`answer_id_key` and :meth:`unfindable`).
        """
        from .reconcile import default_reconcile

        return default_reconcile(self, publications)

    def unfindable(self, publication: Publication) -> str:
        """Why the default :meth:`reconcile` cannot find ``publication``, which has no id: the start of
        its hand check. By default, that the vendor documents no way; say what its API lacks."""
        return f"{self.name} has no documented way to find a post without its id"

    # -- accounts and scheduling -------------------------------------------

    def accounts(self) -> Flow[list[Account]]:
        """Every account linked at the vendor."""
        raise _unsupported(self.name, "accounts")

    def creator_info(self, account_id: str) -> Flow[CreatorInfo]:
        """What a TikTok creator allows now."""
        raise _unsupported(self.name, "creator_info")

    def connect(self, platform: str, options: Mapping[str, Any]) -> Flow[ConnectStart]:
        """Start linking an account on ``platform``."""
        raise _unsupported(self.name, f"connect({platform!r})")

    def connect_poll(self, start: ConnectStart) -> Flow[ConnectPoll]:
        """Where a started link stands."""
        raise _unsupported(self.name, "connect")

    def scheduled(self) -> Flow[list[Publication]]:
        """Posts waiting for their time."""
        raise _unsupported(self.name, "scheduled")

    def cancel(self, publication: Publication) -> Flow[Publication]:
        """Cancel a scheduled post."""
        raise _unsupported(self.name, "cancel")

    def reschedule(self, publication: Publication, at: datetime) -> Flow[Publication]:
        """Move a scheduled post to another time."""
        raise _unsupported(self.name, "reschedule")
