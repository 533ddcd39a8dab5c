"""accounts() at every vendor: each platform the emulator seeds is listed; a lapsed account is not active."""

from __future__ import annotations

import pytest

from postmux import AccountStatus

from .support import CASES, Vendor

pytestmark = pytest.mark.parametrize(("provider", "mode"), CASES)


def test_every_seeded_platform_is_listed_and_a_lapsed_account_is_not_active(vendor: Vendor) -> None:
    accounts = vendor.pub.accounts()
    seeded = vendor.emulator.accounts
    assert {a.platform for a in accounts} == {a.platform for a in seeded}
    assert {a.platform for a in accounts} <= set(vendor.capabilities.platforms)
    assert {a.provider for a in accounts} == {vendor.provider}
    listed = {a.id: a for a in accounts}
    for account in seeded:
        if account.active:
            assert account.id in listed, f"active @{account.username} is not listed"
            assert listed[account.id].active
            assert listed[account.id].username == account.username
    lapsed = [listed[a.id] for a in seeded if not a.active and a.id in listed]
    assert lapsed, "the vendor lists none of the emulator's expired accounts"
    for account in lapsed:
        assert not account.active
        assert account.status in (AccountStatus.EXPIRED, AccountStatus.RECONNECT_REQUIRED)


def test_a_username_resolves_to_the_active_account(vendor: Vendor) -> None:
    for platform in {a.platform for a in vendor.emulator.accounts}:
        info = vendor.pub.accounts()
        wanted = vendor.handle(platform)[1:]
        match = [a for a in info if a.platform == platform and a.username == wanted]
        assert [a.id for a in match] == [vendor.seeded_id(platform)]


def test_creator_info_where_supported(vendor: Vendor) -> None:
    if not vendor.capabilities.creator_info:
        pytest.skip(f"{vendor.provider} has no creator info")
    info = vendor.pub.creator_info(vendor.handle("tiktok"))
    assert "SELF_ONLY" in info.privacy_options
    assert info.max_video_duration_s is not None
    assert info.max_video_duration_s > 0
