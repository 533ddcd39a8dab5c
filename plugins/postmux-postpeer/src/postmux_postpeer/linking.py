"""PostPeer's integrations (the linked accounts) and linking a new one through OAuth.

``GET /v1/connect/integrations`` is paged (``limit`` at most 100, ``offset``,
``total``); ``GET /v1/connect/{platform}`` answers the OAuth URL to open. The
answer names no new account, so a link is confirmed once an integration on
the platform appears that was not there when the link began.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from postmux import Account, Adapter, ConnectPoll, ConnectStart, ConnectStatus
from postmux.connect import check_connect
from postmux.flow import Flow

from . import wire
from .vocabulary import INTEGRATION

__all__ = ["CONNECT_OPTIONS", "PAGE_SIZE", "integrations", "poll", "start"]

PAGE_SIZE = 100
"""The spec's maximum ``limit`` for the paginated lists."""

CONNECT_OPTIONS: Mapping[str, str] = {
    "redirect_uri": "redirectUri",
    "cancel_redirect_uri": "cancelRedirectUri",
    "headless": "headless",
    "profile_id": "profileId",
    "app_id": "appId",
}
"""``pub.connect(platform, **options)`` keyword → ``GET /v1/connect/{platform}`` query parameter."""


def integrations(adapter: Adapter, platform: str | None) -> Flow[list[Account]]:
    """Every integration (on ``platform``, if given), page by page until ``total`` is reached."""
    query = [("platform", platform)] if platform is not None else []
    path, page = "/v1/connect/integrations", wire.IntegrationsPage
    found = yield from adapter.pages(
        path, page, "integrations", query=query, size=PAGE_SIZE, what="integrations"
    )
    return adapter.accounts_from([raw for _, raw in found], INTEGRATION, what="integrations")


def start(adapter: Adapter, platform: str, options: Mapping[str, Any]) -> Flow[ConnectStart]:
    """The OAuth URL, after noting which accounts on ``platform`` already exist."""
    links = adapter.capabilities.connect
    given = check_connect(platform, options, provider=adapter.name, platforms=links, takes=CONNECT_OPTIONS)
    params = {k: (str(v).lower() if isinstance(v, bool) else str(v)) for k, v in given.items()}
    before = yield from integrations(adapter, platform)
    response = yield adapter.request("GET", f"/v1/connect/{platform}", params=params or None)
    url, data = adapter.answer(response, str, what="OAuth URL", at="url")
    return ConnectStart(platform=platform, url=url, state={"known": [a.id for a in before]}, raw=data)


def poll(adapter: Adapter, start: ConnectStart) -> Flow[ConnectPoll]:
    """Confirmed once an account on the platform appears that was not there before."""
    known = set(start.state.get("known", ()))
    now = yield from integrations(adapter, start.platform)
    new = [a for a in now if a.id not in known and a.platform == start.platform]
    if not new:
        return ConnectPoll(status=ConnectStatus.PENDING)
    return ConnectPoll(status=ConnectStatus.CONFIRMED, account=new[0], raw=new[0].raw)
