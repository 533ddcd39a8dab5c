"""QR-code login in the sandbox: the sessions an emulator issues, and how each moves as it is polled.

A vendor that links accounts by QR code (the person scans it in the
platform's app and confirms) answers its "connect" call with a code and a
token, and the client polls the token. In the sandbox each session moves
``pending`` → ``scanned`` → ``confirmed`` over :attr:`Timing.qr_polls
<postmux.sandbox.Timing.qr_polls>` polls apiece, or is confirmed at once by
:meth:`Sandbox.approve <postmux.sandbox.Sandbox.approve>`; the confirming poll
reports the linked account once, later polls say ``used``; a session older
than its lifetime is ``expired``. The emulator words each state as its vendor
does (the reverse of the adapter's own table)::

    self.linking = QRLogins(self, platform="tiktok", lifetime=300)  # in __init__: approve() confirms
    status, account, session = self.linking.poll(token)
    return self.json({"status": WORDS[status], ...})
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..connect import ConnectStart, ConnectStatus
from .kit import link_numbered
from .lifecycle import SandboxAccount

if TYPE_CHECKING:
    from starlette.routing import BaseRoute

    from .emulator import Emulator

__all__ = ["QRLogins"]


class QRLogins:
    """The QR sessions one emulator issued, by token; each links one new numbered account."""

    def __init__(
        self, emulator: Emulator, *, platform: str, lifetime: float, stem: str | None = None
    ) -> None:
        self.emulator = emulator
        self.platform = platform
        self.lifetime = lifetime
        self.stem = stem
        self.sessions: dict[str, dict[str, Any]] = {}

    def issue(self, token: str, **data: Any) -> dict[str, Any]:
        """A new session for ``token``; ``data`` is kept on it (the vendor's session name…)."""
        session = {**data, "polls": 0, "issued": self.emulator.clock.now()}
        self.sessions[token] = session
        return session

    def poll(self, token: str) -> tuple[ConnectStatus, SandboxAccount | None, dict[str, Any]] | None:
        """The state of ``token``'s session after this poll, and the account it confirms (or ``None``)."""
        emulator = self.emulator
        session = self.sessions.get(token)
        if session is None:
            return None
        with emulator.lock:
            session["polls"] += 1
            polls = session["polls"]
        step = max(1, emulator.timing.qr_polls)
        linked = "account" in session
        if linked and session.get("reported", True):
            return ConnectStatus.USED, None, session
        if emulator.clock.now() - session["issued"] > self.lifetime:
            return ConnectStatus.EXPIRED, None, session
        if polls <= step and not linked:
            return ConnectStatus.PENDING, None, session
        if polls <= 2 * step and not linked:
            return ConnectStatus.SCANNED, None, session
        return ConnectStatus.CONFIRMED, self._confirmed(session), session

    def routes(self) -> list[BaseRoute]:
        """None: the vendor's own routes issue and poll QR sessions (for ``Emulator.linking``)."""
        return []

    def approve(self, start: ConnectStart, username: str | None = None) -> SandboxAccount | None:
        """The person scans the code and confirms: the next poll is ``confirmed`` (``None``: not ours)."""
        session = self.sessions.get(str(start.state.get("token", "")))
        if session is None:
            return None
        account = self._confirmed(session, username)
        session["reported"] = False
        return account

    def _confirmed(self, session: dict[str, Any], username: str | None = None) -> SandboxAccount:
        """The account a confirmed session links (made once; reported once)."""
        emulator = self.emulator
        with emulator.lock:
            if "account" not in session:
                session["account"] = link_numbered(emulator, self.platform, username, stem=self.stem).id
            session["reported"] = True
            found = emulator.account(session["account"])
        assert found is not None
        return found
