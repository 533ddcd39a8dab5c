"""Wahdx's TikTok QR login: ask for a code, then poll until the person has scanned and confirmed it.

Only TikTok accounts link through Wahdx's API, on its "Maximum" plan (any
other plan answers 403, a ``PermissionDeniedError``). The code comes as a
base64 ``data:`` URL; ``unique_id`` (8 characters or more) names the session.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from postmux import Adapter, ConnectPoll, ConnectStart, ConnectStatus, Problem, ResponseError, ValidationError
from postmux.connect import check_connect, decode_data_url
from postmux.flow import Flow

from .vocabulary import QR_STATUSES

__all__ = ["QR_POLL_INTERVAL", "QrCheckData", "QrRequestData", "poll", "start"]

QR_POLL_INTERVAL = 10.0
"""Seconds between QR login polls, as the current page's example does."""


@attrs.frozen(slots=True, kw_only=True)
class QrRequestData:
    """``data`` of ``POST /api/content/qr-login/request``."""

    qrCodeImage: str  # noqa: N815
    token: str
    unique_id: str | None = None
    expiresIn: int | None = None  # noqa: N815


@attrs.frozen(slots=True, kw_only=True)
class QrAccount:
    """The account a confirmed QR login linked."""

    accountId: str  # noqa: N815
    username: str | None = None
    display_name: str | None = None


@attrs.frozen(slots=True, kw_only=True)
class QrCheckData:
    """``data`` of ``POST /api/content/qr-login/check``."""

    status: str
    unique_id: str | None = None
    account: QrAccount | None = None
    message: str | None = None


def start(adapter: Adapter, platform: str, options: Mapping[str, Any]) -> Flow[ConnectStart]:
    """Ask for a QR code; refused before any request for what the QR login cannot do."""
    body = _check_connect(adapter, platform, options)  # {"unique_id": …} where one is given
    response = yield adapter.request("POST", "/api/content/qr-login/request", json=body)
    qr, data = adapter.answer(response, QrRequestData, what="QR login", at="data")
    try:
        image, mime = decode_data_url(qr.qrCodeImage)
    except ValueError:
        raise ResponseError(
            "the QR code image is not a base64 data URL", provider=adapter.name, body=response.text
        ) from None
    return ConnectStart(
        platform="tiktok",
        qr_image=image,
        qr_mime_type=mime or "image/png",
        expires_in=qr.expiresIn,
        poll_interval=QR_POLL_INTERVAL,
        state={"token": qr.token, "unique_id": qr.unique_id or ""},
        raw=data,
    )


def poll(adapter: Adapter, start: ConnectStart) -> Flow[ConnectPoll]:
    """Where the QR login stands; a confirmed one carries the linked account."""
    body = {"token": start.state["token"]}
    response = yield adapter.request("POST", "/api/content/qr-login/check", json=body, idempotent=True)
    d, data = adapter.answer(response, QrCheckData, what="QR login status", at="data")
    linked, account = d.account, None
    if linked is not None:  # a confirmed login names the account it linked: active
        names = {"username": linked.username, "display_name": linked.display_name}
        account = adapter.account(linked.accountId, "tiktok", None, raw=data["data"]["account"], **names)
    return ConnectPoll(
        status=QR_STATUSES.get(d.status, ConnectStatus.PENDING),
        account=account,
        message=d.message,
        raw=data,
    )


def _check_connect(adapter: Adapter, platform: str, options: Mapping[str, Any]) -> dict[str, Any]:
    """Refuse what Wahdx's QR login cannot do, before any request: it links TikTok accounts only."""
    platforms = adapter.capabilities.connect
    given = check_connect(platform, options, provider=adapter.name, platforms=platforms, takes=("unique_id",))
    unique_id = given.get("unique_id")
    if unique_id is not None and (not isinstance(unique_id, str) or len(unique_id) < 8):
        raise ValidationError(
            [Problem("options.unique_id", f"must be a string of at least 8 characters, got {unique_id!r}")]
        )
    return given
