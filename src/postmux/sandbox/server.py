"""Serving the emulators: each on its own loopback port, in one background thread — or in-process.

:class:`Sandbox` asks the plugin manager for every registered emulator
factory, builds the emulators around one shared clock and media host, binds
a socket per emulator on ``127.0.0.1`` (port 0 picks a free one, so tests
never collide) and runs every uvicorn server on one event loop in a daemon
thread. It never binds anything but loopback.

Not started, it still answers: :meth:`Sandbox.transport` calls the
emulators' apps in the test's own process (no socket, no thread), each at an
origin of its own under ``sandbox.invalid`` (a name that never resolves, so
nothing aimed there can leave the machine), and :meth:`Sandbox.publisher`
uses that transport.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import socket
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self
from urllib.parse import urlsplit

import attrs
import uvicorn

from .. import hosting
from ..connect import AsyncConnectSession, ConnectSession, ConnectStart
from ..environment import DESCRIPTION_PATH, sandbox_media_fetch
from ..errors import ConfigurationError
from ..fetch import FetchPolicy, system_resolver
from ..plugins import PluginManager, plugin_manager
from .emulator import Emulator
from .faults import Fault, FaultPlan, parse_faults
from .hosting import SandboxMediaHost
from .inprocess import InProcessTransport
from .lifecycle import Clock, SandboxAccount, Timing
from .media import MediaHost
from .middleware import dropping_protocol

if TYPE_CHECKING:
    from ..async_publisher import AsyncPublisher
    from ..publisher import Publisher

__all__ = ["IN_PROCESS_DOMAIN", "LOOPBACK", "Sandbox"]

LOOPBACK = "127.0.0.1"
IN_PROCESS_DOMAIN = "sandbox.invalid"
"""Where the emulators live when not served: ``http://wahdx.sandbox.invalid``, ``http://media.…``."""
_START_TIMEOUT = 15.0
_MEDIA = "media"


class Sandbox:
    """The vendor emulators and the media host, served on loopback.

    ``providers`` limits which emulators run (default: every registered one);
    ``faults`` is a plan in the rule syntax of :mod:`postmux.sandbox.faults`,
    each rule going to the emulators it names; ``port`` serves the media host
    on that port and the emulators on the ports after it, in name order
    (default: free ports). Use it as a context manager, or call
    :meth:`start` and :meth:`stop`.
    """

    def __init__(
        self,
        providers: Sequence[str] | None = None,
        *,
        seed: int = 0,
        timing: Timing | None = None,
        faults: str | Iterable[Fault | str] = (),
        keys: Mapping[str, str] | None = None,
        port: int | None = None,
        plugins: PluginManager | None = None,
    ) -> None:
        self.plugins = plugins or plugin_manager()
        factories = self.plugins.emulators()
        wanted = sorted(factories) if providers is None else list(providers)
        missing = [p for p in wanted if p not in factories]
        if missing:
            raise ConfigurationError(
                f"no emulator for {', '.join(missing)}; emulators: {', '.join(sorted(factories)) or 'none'}"
            )
        last = port + len(wanted) if isinstance(port, int) and not isinstance(port, bool) else None
        if port is not None and (last is None or port < 0 or last > 65535):
            raise ConfigurationError(
                f"port: {port!r} cannot serve the media host and {len(wanted)} emulator(s) on the ports "
                "after it; give 1 to 65535 less their number, or 0 or None for free ports"
            )
        self.seed = seed
        self.timing = timing or Timing()
        self.clock = Clock()
        self.media = MediaHost()
        self.port = port
        keys = keys or {}
        self.emulators: dict[str, Emulator] = {}
        for name in wanted:
            emulator = factories[name](
                api_key=keys.get(name),
                seed=seed,
                timing=self.timing,
                clock=self.clock,
                faults=FaultPlan(),
                media=self.media,
            )
            if not isinstance(emulator, Emulator):
                raise ConfigurationError(f"the emulator factory for {name!r} did not return an Emulator")
            self.emulators[name] = emulator
        self._in_process_origins()
        self._rules: list[Fault] = []
        self.inject(*([faults] if isinstance(faults, str) else faults))
        self.control_token = secrets.token_urlsafe(24)
        """What a client of the control route (``/_postmux/…`` on the media host) must present."""
        self._servers: list[uvicorn.Server] = []
        self._thread: threading.Thread | None = None
        self._failure: BaseException | None = None

    # -- faults and time ----------------------------------------------------------

    def inject(self, *rules: Fault | str) -> None:
        """Add fault rules; a rule naming a provider goes to that emulator only.

        Every rule is read and checked before any is applied, so a bad one
        (:class:`FaultSyntaxError`, or :class:`ConfigurationError` for a
        provider not running or a role none of them has) changes nothing.
        """
        faults = [f for rule in rules for f in (parse_faults(rule) if isinstance(rule, str) else [rule])]
        for fault in faults:
            if fault.provider is not None and fault.provider not in self.emulators:
                raise ConfigurationError(
                    f"fault {fault} names {fault.provider!r}, which is not running; "
                    f"running: {', '.join(self.emulators)}"
                )
            self._check_role(fault)
        for fault in faults:
            self._rules.append(fault)
            for name, emulator in self.emulators.items():
                if fault.provider in (None, name):
                    emulator.faults.add(fault if fault.provider else _copy(fault))

    def _check_role(self, fault: Fault) -> None:
        """A rule scoped to a role must hit a route: refuse one that no emulator it names has."""
        if fault.role is None:
            return
        names = [fault.provider] if fault.provider else list(self.emulators)
        if not any(fault.role in self.emulators[n].roles() for n in names):
            declared = {n: ", ".join(sorted(self.emulators[n].roles())) or "none" for n in names}
            said = "; ".join(f"{n}: {r}" for n, r in declared.items())
            raise ConfigurationError(f"fault {fault}: no emulator here has a {fault.role} route ({said})")

    def clear_faults(self) -> None:
        """Remove every fault rule from every emulator."""
        self._rules.clear()
        for emulator in self.emulators.values():
            emulator.faults.clear()

    def remove_fault(self, rule: Fault | str) -> int:
        """Remove the rules equal to ``rule`` from every emulator; how many were removed."""
        removed = 0
        for fault in parse_faults(rule) if isinstance(rule, str) else [rule]:
            kept = [f for f in self._rules if f != fault]
            removed += len(self._rules) - len(kept)
            self._rules[:] = kept
            for emulator in self.emulators.values():
                emulator.faults.remove(fault)
        return removed

    def faults(self) -> list[str]:
        """Every rule in force, in the rule syntax, as given (what the control route lists)."""
        return [str(f) for f in self._rules]

    def settle(self) -> int:
        """Finish at once every publication still queued or processing, at every emulator.

        Returns how many were finished; see :meth:`Emulator.settle`.
        """
        return sum(e.settle() for e in self.emulators.values())

    def advance(self, seconds: float) -> None:
        """Move every emulator's time forward (scheduled posts fire, processing ends)."""
        self.clock.advance(seconds)

    # -- linking accounts ------------------------------------------------------------

    def approve(
        self, session: ConnectSession | AsyncConnectSession | ConnectStart, *, username: str | None = None
    ) -> SandboxAccount:
        """Finish a QR login or OAuth link from a test, as the person scanning or consenting would.

        ``session`` is what ``pub.connect(platform)`` returned (or its
        ``ConnectStart``). The account is linked at once and the session's
        next poll confirms it, so ``session.wait()`` returns on its first poll
        instead of waiting out the vendor's poll interval. Returns the linked
        account; ``ValueError`` when no emulator here issued that link.
        """
        start = session if isinstance(session, ConnectStart) else session.start
        for emulator in self.emulators.values():
            account = emulator.approve(start, username)
            if account is not None:
                return account
        raise ValueError(
            f"no emulator in this sandbox issued this {start.platform} link "
            f"(running: {', '.join(self.emulators)})"
        )

    # -- lookups --------------------------------------------------------------------

    def emulator(self, provider: str) -> Emulator:
        """The running emulator of ``provider``."""
        try:
            return self.emulators[provider]
        except KeyError:
            raise ConfigurationError(
                f"no emulator for {provider!r} in this sandbox; running: {', '.join(self.emulators)}"
            ) from None

    def url(self, provider: str) -> str:
        """The base URL to give ``provider``'s adapter."""
        emulator = self.emulator(provider)
        return emulator.base_url + emulator.base_path

    def key(self, provider: str) -> str:
        """The API key ``provider``'s emulator accepts."""
        return self.emulator(provider).api_key

    def sample_url(self, name: str) -> str:
        """A URL of a sample media file served by the sandbox (``clip.mp4``, ``photo-1.jpg``…)."""
        return self.media.sample_url(name)

    def media_fetch(self) -> FetchPolicy:
        """The fetch policy for this sandbox's media host: plain HTTP, and its loopback address allowed.

        Only that host is exempt from the address rule, so a test still sees
        a private address refused; plain HTTP is allowed for every host (a
        policy's schemes are not per host). The in-process media host's name
        is resolved to loopback here, never asked of DNS.
        """
        return attrs.evolve(sandbox_media_fetch(self.media.base_url), resolver=_in_process_resolver)

    def media_host(self) -> hosting.MediaHost:
        """A media host on this sandbox, for ``publisher(..., media_host=…)``.

        Served, it is a :class:`SandboxMediaHost` (the file goes over HTTP, as
        to a bucket); not served, the file is stored straight into the
        in-process media host, where the in-process transport serves it.
        """
        if not self.running:
            return _InProcessMediaHost(self.media)
        return SandboxMediaHost(self.media.base_url)

    def transport(self, *providers: str) -> InProcessTransport:
        """An httpx transport to these emulators (default: all) and the media host, in this process.

        Give it to ``httpx.Client(transport=…)`` or
        ``httpx.AsyncClient(transport=…)``: no socket, no thread. It works
        whether or not the sandbox is served; see :mod:`postmux.sandbox.inprocess`.
        """
        chosen = [self.emulator(p) for p in providers] if providers else list(self.emulators.values())
        control = _control_app(self)
        served = [(emulator, emulator.app()) for emulator in chosen]

        def apps() -> dict[str, Any]:
            found: dict[str, Any] = {_netloc(self.media.base_url): control}
            for emulator, app in served:
                found[_netloc(emulator.base_url)] = app
            return found

        return InProcessTransport(apps, name="sandbox " + ", ".join(e.provider for e in chosen))

    def poll_interval(self) -> float:
        """How often a sandbox publisher polls: a tenth of the emulated processing, 5 ms to 0.5 s."""
        return max(0.005, min(0.5, (self.timing.queued + self.timing.processing) / 10))

    def _options(self, provider: str, options: dict[str, Any]) -> dict[str, Any]:
        options.setdefault("media_fetch", self.media_fetch())
        options.setdefault("poll_interval", self.poll_interval())
        where = {"api_key": self.key(provider), "base_url": self.url(provider), "plugins": self.plugins}
        return {**where, **options}

    def _in_process(self, in_process: bool | None, options: dict[str, Any]) -> bool:
        if "client" in options or "transport" in options:
            return False
        return not self.running if in_process is None else in_process

    def publisher(self, provider: str, *, in_process: bool | None = None, **options: Any) -> Publisher:
        """A :class:`~postmux.Publisher` pointed at the emulator of ``provider``.

        It polls at the emulators' speed (:meth:`poll_interval`). With
        ``in_process`` (the default while the sandbox is not served) its
        client uses :meth:`transport`: no socket, no thread.
        """
        from ..factory import publisher

        if self._in_process(in_process, options):
            options.setdefault("transport", self.transport(provider))
        return publisher(provider, **self._options(provider, options))

    def async_publisher(
        self, provider: str, *, in_process: bool | None = None, **options: Any
    ) -> AsyncPublisher:
        """An :class:`~postmux.AsyncPublisher` at the emulator of ``provider`` (see :meth:`publisher`)."""
        from ..factory import async_publisher

        if self._in_process(in_process, options):
            options.setdefault("transport", self.transport(provider))
        return async_publisher(provider, **self._options(provider, options))

    @property
    def base_url(self) -> str:
        """The sandbox's own URL, for ``POSTMUX_SANDBOX``: it serves its description there."""
        return self.media.base_url

    def describe(self) -> dict[str, Any]:
        """Base URLs, keys and accounts of every emulator, and the media host (JSON-ready)."""
        return {
            "url": self.base_url,
            "media_url": self.media.base_url,
            "samples": {name: self.media.sample_url(name) for name in sorted(_samples())},
            "providers": {name: e.describe() for name, e in self.emulators.items()},
        }

    # -- lifetime ---------------------------------------------------------------------

    @property
    def running(self) -> bool:
        """True between :meth:`start` and :meth:`stop`."""
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> Self:
        """Bind the sockets, start serving, and return once every server accepts connections."""
        if self.running:
            return self
        apps: list[tuple[Any, socket.socket]] = []
        ports = iter(range(self.port, self.port + 1 + len(self.emulators))) if self.port else None
        try:
            media_socket = _bind(next(ports) if ports else 0)
            self.media.base_url = _origin(media_socket)
            apps.append((_control_app(self), media_socket))
            for name in sorted(self.emulators):  # a given port: the emulators after it in name order
                emulator = self.emulators[name]
                sock = _bind(next(ports) if ports else 0)
                emulator.base_url = _origin(sock)
                apps.append((emulator.app(), sock))
        except BaseException:  # a port taken: let go of those already bound, and serve in-process again
            for _, sock in apps:
                sock.close()
            self._in_process_origins()
            raise
        protocol = dropping_protocol()
        self._servers = [
            uvicorn.Server(
                uvicorn.Config(
                    app,
                    http=protocol,
                    lifespan="off",
                    ws="none",
                    log_config=None,
                    log_level="warning",
                    access_log=False,
                    proxy_headers=False,  # no X-Forwarded-For rewrite: a drop fault finds the client's socket
                    timeout_graceful_shutdown=1,
                )
            )
            for app, _ in apps
        ]
        sockets = [sock for _, sock in apps]
        self._thread = threading.Thread(
            target=self._serve, args=(sockets,), name="postmux-sandbox", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + _START_TIMEOUT
        while not all(s.started for s in self._servers):
            if self._failure is not None or not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the sandbox did not start: {self._failure or 'timed out'}")
            time.sleep(0.01)
        return self

    def _front(self) -> Any:
        """The media host, plus the description publishers read through ``POSTMUX_SANDBOX``."""
        from starlette.applications import Starlette
        from starlette.responses import JSONResponse
        from starlette.routing import Mount, Route

        async def description(_: Any) -> JSONResponse:
            return JSONResponse(self.describe())

        return Starlette(
            routes=[Route(DESCRIPTION_PATH, description, methods=["GET"]), Mount("/", app=self.media.app)]
        )

    def _in_process_origins(self) -> None:
        self.media.base_url = f"http://{_MEDIA}.{IN_PROCESS_DOMAIN}"
        for name, emulator in self.emulators.items():
            emulator.base_url = f"http://{name}.{IN_PROCESS_DOMAIN}"

    def _serve(self, sockets: list[socket.socket]) -> None:
        async def main() -> None:
            await asyncio.gather(
                *(s.serve(sockets=[sock]) for s, sock in zip(self._servers, sockets, strict=True))
            )

        try:
            asyncio.run(main())
        except BaseException as exc:  # reported by start() and stop()
            self._failure = exc
        finally:
            for sock in sockets:
                sock.close()

    def stop(self) -> None:
        """Stop every server and wait for the thread to end."""
        for server in self._servers:
            server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def _bind(port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((LOOPBACK, port))
    except OSError as exc:
        sock.close()
        raise ConfigurationError(f"cannot listen on {LOOPBACK}:{port}: {exc.strerror}") from None
    sock.listen(128)
    sock.setblocking(False)
    return sock


def _origin(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://{host}:{port}"


class _InProcessMediaHost:
    """Local files put into a sandbox that is not served: no HTTP, the bytes stored directly."""

    def __init__(self, media: MediaHost) -> None:
        self.media = media

    def __repr__(self) -> str:
        return f"<in-process sandbox media host {self.media.base_url}>"

    def put(self, path: str | os.PathLike[str], *, mime_type: str | None = None) -> hosting.HostedFile:
        source = Path(path)
        try:
            data = source.read_bytes()
        except OSError as exc:
            raise hosting.MediaHostError(f"cannot read {source}: {exc.strerror or exc}") from None
        url = self.media.store(source.name or "media", mime_type or "application/octet-stream", data)
        return hosting.HostedFile(url=url, key=urlsplit(url).path, source=str(source))

    def remove(self, hosted: hosting.HostedFile) -> None:
        self.media.discard(hosted.key)


def _netloc(url: str) -> str:
    return urlsplit(url).netloc.lower()


def _control_app(sandbox: Sandbox) -> Any:
    """The media host with the sandbox's description and its control routes in front."""
    from .control import ControlApp

    return ControlApp(sandbox, sandbox._front())


def _in_process_resolver(host: str, port: int) -> list[str]:
    """Names under :data:`IN_PROCESS_DOMAIN` are loopback; every other name goes to the system."""
    if host == IN_PROCESS_DOMAIN or host.endswith("." + IN_PROCESS_DOMAIN):
        return [LOOPBACK]
    return system_resolver(host, port)


def _copy(fault: Fault) -> Fault:
    """A rule for one emulator, so ``times``/``after`` count per emulator."""
    import attrs

    return attrs.evolve(fault, seen=0, fired=0)


def _samples() -> list[str]:
    from .samples import SAMPLES

    return list(SAMPLES)
