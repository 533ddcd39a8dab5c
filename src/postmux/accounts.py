"""Linked accounts and TikTok creator information, in neutral form.

Loaded only by what lists accounts or reads creator information (``@username``
targets, ``accounts()``, ``creator_info()``): a plain publish needs neither
class. :class:`AccountStatus`, which vocabularies name, lives in
:mod:`postmux.status` and is importable from here as before.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from ._eq import fields_eq, fields_hash
from ._repr import fields_repr
from .status import AccountStatus

__all__ = ["Account", "AccountStatus", "CreatorInfo"]


@attrs.frozen(slots=True, kw_only=True)
class Account:
    """One account linked at the vendor.

    ``id`` is what a :class:`~postmux.Target` takes; ``status_reason`` says why
    an account is not active where the vendor tells (``token_expired``…).
    """

    id: str
    platform: str
    provider: str
    username: str | None = None
    display_name: str | None = None
    status: AccountStatus = AccountStatus.ACTIVE
    status_reason: str | None = None
    avatar_url: str | None = None
    raw: Mapping[str, Any] = attrs.field(factory=dict, repr=False)

    __repr__ = fields_repr
    __eq__ = fields_eq
    __hash__ = fields_hash

    @property
    def active(self) -> bool:
        """True when posts can go to this account now."""
        return self.status is AccountStatus.ACTIVE


@attrs.frozen(slots=True, kw_only=True)
class CreatorInfo:
    """What a TikTok creator allows right now (TikTok's ``creator_info``).

    Apps must offer only ``privacy_options`` and grey out the interactions
    that are disabled; ``max_video_duration_s`` caps the video length.
    """

    account_id: str
    privacy_options: tuple[str, ...]
    comments_disabled: bool
    duets_disabled: bool
    stitches_disabled: bool
    max_video_duration_s: int | None = None
    username: str | None = None
    nickname: str | None = None
    avatar_url: str | None = None
    raw: Mapping[str, Any] = attrs.field(factory=dict, repr=False)

    __repr__ = fields_repr
    __eq__ = fields_eq
    __hash__ = fields_hash
