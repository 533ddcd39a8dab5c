"""The base of every vendor emulator: state, time, a seeded RNG, auth and faults.

A plugin subclasses :class:`Emulator` with its vendor's routes, error shape
and seeded accounts, and registers a factory for it through the
``postmux_register_emulators`` hook. The sandbox serves each emulator on its
own loopback port and knows nothing of any vendor; the emulator knows nothing
of ports, threads or uvicorn.
"""

from __future__ import annotations

import fnmatch
import random
import threading
import uuid
import zlib
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, ClassVar, Protocol

import attrs
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route

from ..connect import ConnectStart
from ..vocabulary import Vocabulary
from ..wire import json_of
from .faults import ROLES, Fault, FaultKind, FaultPlan
from .kit import Rejected, Seed, error_payload, record_json, seed_accounts
from .lifecycle import Clock, Phase, Record, Records, SandboxAccount, Timing
from .media import MediaHost
from .middleware import SCOPE_FAULT, FaultMiddleware, json_bytes
from .platforms import post_url, shortcode
from .schema import Schema

__all__ = ["Emulator", "EmulatorFactory", "Linking"]

EmulatorFactory = Callable[..., "Emulator"]
"""What a plugin registers: called with the keyword arguments of :class:`Emulator`."""

Handler = Callable[[Request], Awaitable[Response]]


class Linking(Protocol):
    """How an emulator's vendor links accounts: :class:`~postmux.sandbox.oauth.OAuthLinks` (consent
    pages) or :class:`~postmux.sandbox.qr.QRLogins` (QR codes), set as :attr:`Emulator.linking`."""

    def approve(self, start: ConnectStart, username: str | None = None) -> SandboxAccount | None:
        """Finish a link it issued, as the person would; ``None`` for one not its own."""
        ...

    def routes(self) -> list[BaseRoute]:
        """The pages it serves itself (an OAuth consent page), beside the vendor's routes."""
        ...


_ROLES_REMEMBERED = 4096


class Emulator:
    """One vendor's API, emulated from its documents, stateful and fault-injectable.

    Subclasses set :attr:`provider`, :attr:`auth_header` (and
    :attr:`auth_scheme` for ``Bearer`` keys), optionally :attr:`base_path`,
    :attr:`vocabulary` (error bodies in the vendor's shape) and :attr:`seeds`
    (the seeded accounts), and declare :attr:`route_table` (or implement
    :meth:`routes`). A handler raises :class:`~postmux.sandbox.kit.Rejected`
    from any check: it is answered once, here, as :meth:`error`. Handlers call
    :meth:`publication_fault` to learn whether the request that creates a
    publication carries a ``stuck`` or ``fail`` fault. An emulator whose vendor
    links accounts sets :attr:`linking` (OAuth consent pages or QR codes), which
    :meth:`approve` and :meth:`routes` use.
    """

    provider: ClassVar[str]
    """The provider name the emulator stands in for (as in ``postmux.publisher(name)``)."""
    base_path: ClassVar[str] = ""
    """Where the API lives on the host (``/api/v1``): the adapter's base URL is host + this."""
    auth_header: ClassVar[str]
    """The header carrying the key (``X-API-Key``)."""
    auth_scheme: ClassVar[str] = ""
    """A prefix the key carries in the header (``Bearer``), if any."""
    public_paths: ClassVar[frozenset[str]] = frozenset()
    """Paths (under the base path) that need no key."""
    default_key: ClassVar[str] = "sk_sandbox_0000000000000000"
    """The key the sandbox accepts unless given another; printed by ``postmux sandbox``."""
    example_username: ClassVar[str] = "brand"
    """Every emulator also links an active ``@brand`` account on each of its platforms (beside the
    vendor's own seeded ones), so an example written for a real app — the README's
    ``Target("instagram", "@brand")`` — runs against the sandbox unchanged."""
    publish_routes: ClassVar[tuple[str, ...]] = ()
    """``METHOD /path`` of every request that creates publications, in the fault-rule scope
    syntax (``POST /api/content/post``): what a test aims a fault at without knowing the vendor.
    Unset, the ``publish`` role of :attr:`route_roles`; that role, when it names none."""
    route_roles: ClassVar[Mapping[str, tuple[str, ...]]] = {}
    """Which routes play each vendor-neutral role (``publish``, ``status``, ``upload``,
    ``accounts``; see :data:`postmux.sandbox.faults.ROLES`), each ``METHOD /path-glob`` relative
    to :attr:`base_path`. A fault scoped ``*:status`` or ``wonda:upload`` hits these, and
    :meth:`received` counts the ``publish`` ones, so tests never name a vendor's path."""

    vocabulary: ClassVar[Vocabulary | None] = None
    """The plugin's vocabulary: :meth:`error_payload` builds bodies from its error envelope."""
    error_codes: ClassVar[Mapping[int, str]] = {}
    """The vendor's error code for an HTTP status, where an error is raised without one; its 401
    code is also the code of the base's own refusal of a missing or wrong key (``unauthorized``
    when it has none)."""
    seeds: ClassVar[Sequence[Seed]] = ()
    """The accounts :meth:`seed_accounts` links from the start (see :class:`~postmux.sandbox.kit.Seed`)."""
    seed_id_prefix: ClassVar[str] = ""
    """What the seeded accounts' ids start with (``int_``), as the vendor's ids do."""
    route_table: ClassVar[Mapping[str, str]] = {}
    """``"METHOD /path"`` → the name of its handler method: the routes as a declaration
    (:meth:`table_routes`), so an emulator lists its endpoints without writing each ``Route``."""
    schema: ClassVar[Schema | None] = None
    """The plugin's schema of the bodies it sends, which :meth:`checked_body` holds a body against."""
    linking: Linking | None = None
    """How the vendor links accounts, set in ``__init__`` (``self.linking = OAuthLinks(self)``):
    :meth:`approve` finishes its links and :meth:`routes` adds its pages, with nothing more written."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "publish_routes" not in cls.__dict__ and "publish" in cls.route_roles:
            cls.publish_routes = tuple(cls.route_roles["publish"])
        for route, name in cls.route_table.items():  # a misspelt entry fails here, not at serving
            method, _, path = route.partition(" ")
            if not (method.isupper() and path.startswith("/")) or not callable(getattr(cls, name, None)):
                raise TypeError(
                    f"{cls.__name__}.route_table[{route!r}]: want 'METHOD /path' → a handler's name"
                )

    def __init__(
        self,
        *,
        api_key: str | None = None,
        seed: int = 0,
        timing: Timing | None = None,
        clock: Clock | None = None,
        faults: FaultPlan | Iterable[Fault] | str = (),
        media: MediaHost | None = None,
    ) -> None:
        self.api_key = api_key or self.default_key
        self.seed = seed
        self.rng = random.Random(zlib.crc32(f"{seed}:{self.provider}".encode()))
        self.timing = timing or Timing()
        self.clock = clock or Clock()
        self.faults = faults if isinstance(faults, FaultPlan) else FaultPlan(faults)
        self.media = media or MediaHost()
        self.base_url = "http://127.0.0.1"
        """The emulator's own origin once served (for URLs it hands out, like OAuth pages)."""
        self.records = Records(self.clock, self.timing)
        self.lock = threading.RLock()
        self.accounts: list[SandboxAccount] = list(self.seed_accounts())
        self.accounts += self._example_accounts()
        self._account_index: dict[str, int] = {}
        self._roles_seen: dict[tuple[str, str], frozenset[str]] = {}
        self.requests: list[tuple[str, str]] = []
        """(method, path) of every request that reached the emulator's handlers, for tests."""
        self.arrivals: list[tuple[str, str]] = []
        """(method, path) of every request that arrived, a fault answering it or not."""

    # -- what subclasses provide -------------------------------------------

    def seed_accounts(self) -> Sequence[SandboxAccount]:
        """The accounts linked from the start: by default those of :attr:`seeds`."""
        return seed_accounts(self, self.seeds, id_prefix=self.seed_id_prefix)

    def routes(self) -> list[BaseRoute]:
        """The vendor's endpoints, relative to :attr:`base_path`: by default :meth:`table_routes`,
        then the pages of :attr:`linking` (an OAuth consent page)."""
        if not self.route_table:
            raise NotImplementedError
        return [*self.table_routes(), *(self.linking.routes() if self.linking is not None else ())]

    def table_routes(self) -> list[BaseRoute]:
        """A starlette ``Route`` for each entry of :attr:`route_table`, in its order."""
        out: list[BaseRoute] = []
        for key, handler in self.route_table.items():
            method, path = key.split(" ", 1)
            out.append(Route(path, getattr(self, handler), methods=[method]))
        return out

    def _example_accounts(self) -> list[SandboxAccount]:
        """An ``@brand`` twin of the first active seeded account of each platform.

        Ids take the vendor's shape (the seeded id's prefix, a fresh UUID) from
        an RNG of their own, so the vendor's seeded ids and every later id stay
        what they were. Platforms whose seeded "username" is a number (a page
        id) get none: there a username is not how accounts are named.
        """
        rng = random.Random(zlib.crc32(f"{self.seed}:{self.provider}:examples".encode()))
        taken = {(a.platform, a.username) for a in self.accounts}
        twins: list[SandboxAccount] = []
        for account in self.accounts:
            if (
                not account.active
                or account.username.isdigit()
                or (account.platform, self.example_username) in taken
            ):
                continue
            taken.add((account.platform, self.example_username))
            prefix = account.id.rpartition("_")[0] + "_" if "_" in account.id else ""
            twins.append(
                attrs.evolve(
                    account,
                    id=prefix + str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                    username=self.example_username,
                    display_name=self.example_username.title(),
                    extra=dict(account.extra),
                )
            )
        return twins

    def error_payload(
        self, status: int, message: str, code: str | None = None, *, path: str = ""
    ) -> tuple[bytes, str]:
        """The body and content type of an error in the vendor's own shape (``path``: the route's).

        With a :attr:`vocabulary`, the shape its error envelope reads (a code
        from :attr:`error_codes` where none is given); else ``{"error": message}``.
        """
        if self.vocabulary is not None:
            return error_payload(self.vocabulary.errors, message, code or self.error_codes.get(status))
        return json_bytes({"error": message}), "application/json"

    # -- helpers for handlers --------------------------------------------------

    def error(
        self,
        status: int,
        message: str,
        code: str | None = None,
        headers: dict[str, str] | None = None,
        *,
        path: str = "",
    ) -> Response:
        """An error response in the vendor's shape."""
        body, content_type = self.error_payload(status, message, code, path=path)
        return Response(body, status_code=status, media_type=content_type, headers=headers)

    @staticmethod
    def json(data: Any, status: int = 200) -> Response:
        """A JSON response."""
        return Response(json_bytes(data), status_code=status, media_type="application/json")

    async def body(self, request: Request) -> Any:
        """The request's JSON body, or ``None`` when it is not JSON."""
        return json_of(await request.body())

    async def body_object(
        self, request: Request, message: str = "Request body must be a JSON object", code: str | None = None
    ) -> dict[str, Any]:
        """The request's JSON object; anything else is :class:`~postmux.sandbox.kit.Rejected` (400)."""
        body = await self.body(request)
        if not isinstance(body, dict):
            raise Rejected(400, message, code)
        return body

    async def checked_body(self, request: Request, operation: str) -> dict[str, Any]:
        """The request's JSON object, held against :attr:`schema`'s ``operation``.

        A body the vendor's validator would refuse is :class:`~postmux.sandbox.kit.Rejected`
        (400) with the first reason, in ajv's words (``body/content must be string``).
        """
        if self.schema is None:
            raise TypeError(f"{type(self).__name__} declares no schema to check bodies against")
        body = await self.body(request)
        problems = self.schema.body_errors(operation, body)
        if problems:
            raise Rejected(400, problems[0])
        if not isinstance(body, dict):
            raise Rejected(400, "body must be object")  # the schema took it: a JSON object is still wanted
        return body

    def new_id(self, prefix: str = "") -> str:
        """A fresh id from the seeded RNG (the same run of requests gives the same ids)."""
        with self.lock:
            return prefix + str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def digits(self, n: int) -> str:
        """``n`` random digits, for platform post ids."""
        with self.lock:
            return str(self.rng.randrange(10 ** (n - 1), 10**n))

    def account(self, account_id: str) -> SandboxAccount | None:
        """The linked account with this id (the first, should two share it).

        Looked up through an index of :attr:`accounts` positions, checked on
        every hit and rebuilt on a miss, so a test that edits the list directly
        is still seen; a scan of a thousand linked accounts cost the emulator
        more than the rest of a publish request.
        """
        with self.lock:
            accounts = self.accounts
            i = self._account_index.get(account_id)
            if i is not None and i < len(accounts) and accounts[i].id == account_id:
                return accounts[i]
            index: dict[str, int] = {}
            for n, a in enumerate(accounts):
                index.setdefault(a.id, n)
            self._account_index = index
            found = index.get(account_id)
            return None if found is None else accounts[found]

    def accounts_on(self, platform: str | None = None) -> list[SandboxAccount]:
        """The linked accounts (on ``platform`` only, when given), in linking order: a copy.

        Taken under :attr:`lock`, so a list endpoint never sees an account a
        consent is linking half-added, and may be read at leisure.
        """
        with self.lock:
            return [a for a in self.accounts if platform is None or a.platform == platform]

    def linked(
        self, account_id: Any, platform: str, *, missing: Rejected, lapsed: Rejected | None = None
    ) -> SandboxAccount:
        """The linked account a request names on ``platform``, or the vendor's refusal of it.

        ``missing`` is raised for an id no account on ``platform`` has (or one
        that is no string), ``lapsed`` for an account whose token has lapsed
        (``None``: it is returned, for the handler to refuse in its own way).
        """
        account = self.account(account_id) if isinstance(account_id, str) else None
        if account is None or account.platform != platform:
            raise missing
        if lapsed is not None and not account.active:
            raise lapsed
        return account

    def link(self, account: SandboxAccount) -> SandboxAccount:
        """Link a new account (a finished QR login or OAuth consent)."""
        with self.lock:
            self.accounts.append(account)
        return account

    def approve(self, start: ConnectStart, username: str | None = None) -> SandboxAccount | None:
        """Finish a link this emulator issued, as the person would (scan and confirm, or consent).

        Returns the newly linked account, which the session's next poll
        reports; ``None`` when ``start`` is not one of this emulator's links.
        ``username`` names the account (default: a numbered sandbox name).
        By default :attr:`linking` finishes it (``None`` without one); an
        emulator that links accounts its own way overrides this. Called
        through :meth:`postmux.sandbox.Sandbox.approve`.
        """
        return None if self.linking is None else self.linking.approve(start, username)

    def publication_fault(self, request: Request) -> Fault | None:
        """The ``stuck``/``fail`` fault riding on this request, if any."""
        fault = request.scope.get(SCOPE_FAULT)
        return fault if isinstance(fault, Fault) else None

    def new_record(self, request: Request, **fields: Any) -> Record:
        """Keep a new publication, applying any ``stuck``/``fail`` fault of the request."""
        now = self.clock.now()
        fields.setdefault("created", now)
        fields.setdefault("start", now)
        fault = self.publication_fault(request)
        if fault is not None and fault.kind is FaultKind.STUCK:
            fields["stuck"] = True
            fields["synchronous"] = False
        elif fault is not None and fault.kind is FaultKind.FAIL:
            fields["fail_reason"] = fault.reason or "sandbox_fault"
        return self.records.add(Record(**fields))

    def new_post(
        self,
        request: Request,
        account: SandboxAccount,
        kind: str,
        *,
        at: datetime | None = None,
        **fields: Any,
    ) -> Record:
        """:meth:`new_record` of a post to ``account``, what every vendor's record of one holds filled in.

        Its account and platform; the public URL it gets there (:func:`~postmux.sandbox.platforms.post_url`,
        from a fresh 19-digit post number, kept as ``extra["post_id"]``, and a shortcode), unless
        ``fields`` give a ``url``; ``at`` (an aware time) schedules it. ``fields`` are the rest.
        """
        number, code = self.digits(19), shortcode(self.rng)
        fields.setdefault(
            "url", post_url(account.platform, account.username, number, photo=kind == "photo", code=code)
        )
        fields["extra"] = {"post_id": number, **fields.get("extra", {})}
        if at is not None:
            fields.update(start=at.timestamp(), scheduled=True)
        return self.new_record(request, account_id=account.id, platform=account.platform, kind=kind, **fields)

    def phase(self, record: Record) -> Phase:
        """A publication's phase now."""
        return self.records.phase(record)

    def record_json(self, record: Record, shape: Mapping[str, Any]) -> dict[str, Any]:
        """``record`` as the vendor shows it now (``shape``: see :func:`~postmux.sandbox.kit.record_json`)."""
        return record_json(shape, record, self.phase(record), self.timing)

    def records_for(self, account_id: str) -> list[Record]:
        """The publications made for one account, oldest first."""
        return sorted((r for r in self.records if r.account_id == account_id), key=lambda r: r.created)

    def published(self, account_id: str | None = None) -> int:
        """How many posts are live now, to one account or in all.

        A publication counts once its emulated processing has ended (Wahdx's
        TikTok, Wonda's jobs take :class:`Timing` to get there): call
        :meth:`settle` first to count what was accepted without waiting.
        """
        return self.records.published(account_id)

    def received(self, role: str = "publish") -> int:
        """How many requests of ``role`` arrived, whatever happened next (a fault, a refusal).

        ``received()`` is the publish requests the client sent — after a
        ``drop-after`` it is 1 though the client saw nothing, and a client
        that never resends keeps it at 1; :meth:`published` is what went live.
        """
        with self.lock:
            arrivals = list(self.arrivals)
        return sum(1 for method, path in arrivals if role in self.roles_of(method, path))

    def settle(self) -> int:
        """Finish at once every publication still queued or processing; how many there were.

        Scheduled posts keep their time (:meth:`Clock.advance` fires them);
        ``stuck`` ones stay stuck.
        """
        return self.records.settle()

    def roles(self) -> dict[str, tuple[str, ...]]:
        """Every role this emulator declares, with its routes (``publish`` from
        :attr:`publish_routes` when :attr:`route_roles` names none)."""
        roles = {name: tuple(routes) for name, routes in self.route_roles.items() if name in ROLES}
        if "publish" not in roles and self.publish_routes:
            roles["publish"] = tuple(self.publish_routes)
        return roles

    def roles_of(self, method: str, path: str) -> frozenset[str]:
        """The roles of the route ``method path`` (the path with or without the base path).

        Asked for every request (the fault plan scopes by role): remembered
        for the last few thousand routes, as the roles are the class's own.
        """
        key = (method, path)
        found = self._roles_seen.get(key)
        if found is None:
            if len(self._roles_seen) >= _ROLES_REMEMBERED:
                self._roles_seen.clear()
            found = self._roles_seen[key] = self._roles_of(method, path)
        return found

    def _roles_of(self, method: str, path: str) -> frozenset[str]:
        base = self.base_path
        relative = (path[len(base) :] or "/") if base and path.startswith(base) else path
        found = set()
        for role, routes in self.roles().items():
            for route in routes:
                want, _, glob = route.partition(" ")
                if want in ("*", method.upper()) and fnmatch.fnmatchcase(relative, glob):
                    found.add(role)
                    break
        return frozenset(found)

    # -- serving ----------------------------------------------------------------

    def app(self) -> Any:
        """The ASGI application: the vendor's routes behind auth and the fault plan."""
        inner = Starlette(
            routes=[Mount(self.base_path or "", routes=self.routes())] if self.base_path else self.routes(),
            exception_handlers={Rejected: self._rejected},
        )
        authed = _AuthMiddleware(inner, self)
        return FaultMiddleware(authed, self)

    async def _rejected(self, request: Request, exc: Exception) -> Response:
        """A :class:`~postmux.sandbox.kit.Rejected` raised by any handler, answered in the vendor's shape."""
        assert isinstance(exc, Rejected)
        path = request.url.path
        relative = path[len(self.base_path) :] if self.base_path and path.startswith(self.base_path) else path
        return self.error(exc.status, exc.message, exc.code, path=relative)

    def authorized(self, headers: Any) -> bool:
        """True when the request carries this emulator's key, as the vendor expects it."""
        value = headers.get(self.auth_header.lower())
        if value is None:
            return False
        expected = f"{self.auth_scheme} {self.api_key}" if self.auth_scheme else self.api_key
        return bool(value.strip() == expected)

    def describe(self) -> dict[str, Any]:
        """What ``postmux sandbox`` prints and writes to its state file for this emulator."""
        return {
            "provider": self.provider,
            "base_url": self.base_url + self.base_path,
            "api_key": self.api_key,
            "auth_header": self.auth_header,
            "accounts": [
                {
                    "id": a.id,
                    "platform": a.platform,
                    "username": a.username,
                    "status": "active" if a.active else "expired",
                }
                for a in self.accounts
            ],
        }


class _AuthMiddleware:
    """401 in the vendor's own shape for a missing or wrong key, before any handler runs."""

    def __init__(self, app: Any, emulator: Emulator) -> None:
        self.app = app
        self.emulator = emulator

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            emulator = self.emulator
            path: str = scope["path"]
            relative = path[len(emulator.base_path) :] if path.startswith(emulator.base_path) else path
            with emulator.lock:
                emulator.requests.append((scope["method"], path))
            if relative not in emulator.public_paths and not _is_public(relative, emulator):
                headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
                if not emulator.authorized(headers):
                    missing = emulator.auth_header.lower() not in headers
                    message = "Missing API key" if missing else "Invalid API key"
                    code = emulator.error_codes.get(401, "unauthorized")
                    response = emulator.error(401, message, code, path=relative)
                    await response(scope, receive, send)
                    return
        await self.app(scope, receive, send)


def _is_public(path: str, emulator: Emulator) -> bool:
    return any(p.endswith("*") and path.startswith(p[:-1]) for p in emulator.public_paths)
