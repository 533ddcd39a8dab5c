"""OAuth consent in the sandbox: the links an emulator hands out, and the accounts they link.

A vendor (or a platform's own API) that links accounts through OAuth answers
its "connect" call with a URL for the person to open. In the sandbox that URL
is the emulator's own consent page, ``{origin}/_sandbox/oauth/{token}``:
opening it is consenting, and so are :meth:`Sandbox.approve
<postmux.sandbox.Sandbox.approve>` and, with :attr:`Timing.oauth
<postmux.sandbox.Timing.oauth>`, waiting that long (call :meth:`OAuthLinks.settle`
where the vendor lists its accounts). Each consent links one new numbered
account (``sandbox_tiktok_2``), once::

    class MyEmulator(Emulator):
        public_paths = frozenset({OAuthLinks.PUBLIC})

        def __init__(self, **options):
            self.linking = OAuthLinks(self, id_prefix="acc_")  # approve() and the consent page
            super().__init__(**options)

        async def connect(self, request):
            return self.json({"url": self.linking.url(request.path_params["platform"])})
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from ..connect import ConnectStart
from .kit import link_numbered
from .lifecycle import SandboxAccount

if TYPE_CHECKING:
    from .emulator import Emulator

__all__ = ["OAuthLinks"]

_PATH = "/_sandbox/oauth/"


class OAuthLinks:
    """The consent links one emulator issued: token → platform, when, and the account once linked."""

    PUBLIC = _PATH + "*"
    """For the emulator's ``public_paths``: the consent page needs no key."""

    def __init__(self, emulator: Emulator, *, id_prefix: str = "", user_id_digits: int | None = None) -> None:
        self.emulator = emulator
        self.id_prefix = id_prefix
        self.user_id_digits = user_id_digits
        self.sessions: dict[str, dict[str, Any]] = {}

    def url(self, platform: str) -> str:
        """A new consent link for an account on ``platform``."""
        emulator = self.emulator
        token = emulator.new_id().replace("-", "")
        self.sessions[token] = {"platform": platform, "issued": emulator.clock.now()}
        return f"{emulator.base_url}{_PATH}{token}?platform={platform}"

    def settle(self) -> None:
        """A person shown a link consents after ``timing.oauth`` seconds (``None``: never by itself)."""
        wait = self.emulator.timing.oauth
        if wait is None:
            return
        now = self.emulator.clock.now()
        for token, session in list(self.sessions.items()):
            if "account" not in session and now - session["issued"] >= wait:
                self.link(token)

    def approve(self, start: ConnectStart, username: str | None = None) -> SandboxAccount | None:
        """The person opens ``start.url`` and consents: the account is linked now (``None``: not ours)."""
        path = urlsplit(start.url or "").path
        token = path.rsplit("/", 1)[-1] if path.startswith(_PATH) else ""
        if token not in self.sessions or not (start.url or "").startswith(self.emulator.base_url):
            return None
        return self.link(token, username)

    def link(self, token: str, username: str | None = None) -> SandboxAccount:
        """The account a consent links (made once; the same one again after that)."""
        emulator = self.emulator
        session = self.sessions[token]
        if "account" in session:
            return emulator.account(session["account"]) or emulator.accounts[0]
        account = link_numbered(
            emulator,
            session["platform"],
            username,
            id_prefix=self.id_prefix,
            user_id_digits=self.user_id_digits,
        )
        session["account"] = account.id
        return account

    def route(self) -> Route:
        """The consent page: opening it links the account, as consenting would."""
        return Route(_PATH + "{token}", self._consent, methods=["GET"])

    def routes(self) -> list[BaseRoute]:
        """What ``Emulator.routes`` adds for an emulator's ``linking``: the consent page."""
        return [self.route()]

    async def _consent(self, request: Request) -> Response:
        token = request.path_params["token"]
        if token not in self.sessions:
            return HTMLResponse("<h1>This authorisation link has expired.</h1>", status_code=404)
        account = self.link(token)
        return HTMLResponse(f"<h1>Sandbox: linked {account.platform} account @{account.username}.</h1>")
