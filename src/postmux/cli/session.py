"""One command's connection to a vendor: a real one, a running sandbox, or in-process emulators.

``--sandbox`` means: use the emulators of a running ``postmux sandbox`` (found
through its state file) or, when none runs, start them in this process for
the length of the command. ``POSTMUX_SANDBOX`` set to a sandbox's URL means
that sandbox (read from its state file when it is the one that file
describes, else from the description it serves). Keys then come from the
sandbox; otherwise from each plugin's environment variable, as
``postmux.publisher()`` reads them.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..environment import describe_sandbox, sandbox_endpoint, sandbox_media_fetch
from ..errors import ConfigurationError, PostmuxError
from ..factory import PROVIDER_ENV, publisher
from ..fetch import FetchPolicy
from ..plugins import plugin_manager
from ..publisher import Publisher
from ..results import Publication
from .output import Output
from .state import PublicationStore, home, read_sandbox_state

if TYPE_CHECKING:
    from ..sandbox import Sandbox

__all__ = ["FAULTS_ENV", "Session"]

FAULTS_ENV = "POSTMUX_SANDBOX_FAULTS"
"""Fault rules for the in-process emulators a one-shot ``--sandbox`` command starts."""

SANDBOX_POLL_INTERVAL = 0.25
"""Seconds between polls against emulators: their work takes a second or two, not minutes."""


class Session:
    """Publishers for one command, and where its publications are remembered."""

    def __init__(
        self, provider: str | None, *, sandbox: bool | str, base_url: str | None, out: Output
    ) -> None:
        self.provider_name = provider or os.environ.get(PROVIDER_ENV) or None
        self.sandbox = bool(sandbox)
        self.sandbox_url = sandbox if isinstance(sandbox, str) else None
        self.base_url = base_url
        self.out = out
        self._state: dict[str, Any] | None = None
        self._local: Sandbox | None = None
        self._publishers: dict[str, Publisher] = {}
        if sandbox:
            self._state = read_sandbox_state()
            if self.sandbox_url is not None and not _same_url(self._state, self.sandbox_url):
                self._state = None  # another sandbox's file: the URL's description is read when needed
        store_path: Path | None
        if not sandbox:
            store_path = home() / "publications.json"
        elif self._state is not None:
            store_path = Path(self._state["store"])
        else:
            store_path = None
        self.store = PublicationStore(store_path)

    def remember(self, publications: list[Publication]) -> None:
        """Keep publications for ``postmux status ID``; a file that cannot be written is only a warning."""
        why = self.store.save(publications)
        if why is not None:
            self.out.warning(f"could not remember these publications for `postmux status` ({why})")

    @property
    def interval(self) -> float | None:
        """Seconds between status polls (short against emulators; the adapter's own otherwise)."""
        return SANDBOX_POLL_INTERVAL if self.sandbox else None

    def provider(self) -> str:
        """The provider this command uses; a usage error when none is named."""
        if self.provider_name:
            return self.provider_name
        installed = ", ".join(sorted(plugin_manager().providers())) or "none"
        raise ConfigurationError(
            f"no provider named: pass --provider NAME or set {PROVIDER_ENV}; installed: {installed}"
        )

    def key_name(self, provider: str) -> str | None:
        """The environment variable the plugin for ``provider`` reads its key from, if installed."""
        try:
            return plugin_manager().get(provider).env_var
        except PostmuxError:
            return None

    def publisher(self, provider: str | None = None) -> Publisher:
        """A publisher for ``provider`` (default: the command's), made once."""
        name = provider or self.provider()
        if name not in self._publishers:
            self._publishers[name] = self._make(name)
        return self._publishers[name]

    def _make(self, name: str) -> Publisher:
        if not self.sandbox:
            return publisher(name, base_url=self.base_url)
        if self._state is None and self.sandbox_url is not None:
            self._state = describe_sandbox(self.sandbox_url)  # a ConfigurationError when none answers
        if self._state is not None:
            base_url, key = sandbox_endpoint(self._state, name)
            return publisher(name, api_key=key, base_url=base_url, media_fetch=self._sandbox_media())
        return self.local_sandbox().publisher(name)

    def _sandbox_media(self) -> FetchPolicy:
        """A policy that lets the running sandbox's media host be fetched (plain HTTP on loopback)."""
        return sandbox_media_fetch(str((self._state or {}).get("media_url", "")))

    def local_sandbox(self) -> Sandbox:
        """In-process emulators for this command only (started on first use)."""
        if self._local is None:
            from ..sandbox import Sandbox, Timing

            self.out.note(
                "postmux: no running sandbox found; starting the emulators in this process "
                "(they stop when the command ends; run `postmux sandbox` to keep them)"
            )
            self._local = Sandbox(
                timing=Timing(queued=0.3, processing=0.7, oauth=0.5),
                faults=os.environ.get(FAULTS_ENV, ""),
            ).start()
        return self._local

    def close(self) -> None:
        """Close publishers and stop in-process emulators."""
        for pub in self._publishers.values():
            pub.close()
        self._publishers.clear()
        if self._local is not None:
            self._local.stop()
            self._local = None


def _same_url(state: dict[str, Any] | None, url: str) -> bool:
    """Whether a state file describes the sandbox at ``url``."""
    return state is not None and str(state.get("url", "")).rstrip("/") == url.rstrip("/")
