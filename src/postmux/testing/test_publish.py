"""Publishing through every vendor: one Publication per target, in order, each published exactly once.

Each vendor is judged by what its Capabilities say: a platform it lacks is
not asked of it here (``test_refusals`` checks that it refuses it), and what
the app asked for — or left unset — is read back from the emulator in
postmux's neutral names (``Record.options``), never in a vendor's spelling.
"""

from __future__ import annotations

from typing import Any

import attrs
import pytest

from postmux import (
    MediaKind,
    Post,
    Status,
    Target,
    TikTokOptions,
)
from postmux.options import OPTION_TYPES

from .posts import SAME_POST
from .support import CAROUSEL, CASES, SAMPLE_PHOTOS, Vendor, in_sandbox, photo_platforms

pytestmark = pytest.mark.parametrize(("provider", "mode"), CASES)


def _published_once(vendor: Vendor, post: Post, report: Any, *, final: Status = Status.PUBLISHED) -> None:
    """Every target ``final``, in order; the emulator made exactly one publication per account."""
    assert [p.target for p in report] == list(post.targets)
    assert [p.status for p in report] == [final] * len(post.targets), [p.error for p in report]
    assert {p.provider for p in report} == {vendor.provider}
    for p in report:
        account = vendor.seeded_id(p.target.platform)
        assert p.account_id == account
        assert p.id is not None
        if final is Status.PUBLISHED:
            assert (p.url or "").startswith("https://"), f"{p.target}: no post URL ({p.url!r})"
        records = vendor.records(account)
        assert len(records) == 1, f"{p.target}: {len(records)} publications at the vendor"
        expected = 1 if final is Status.PUBLISHED else 0
        assert vendor.emulator.published(account) == expected


def test_same_post_is_published_once_per_target(vendor: Vendor) -> None:
    caps = vendor.capabilities
    for target in SAME_POST.targets:
        if not caps.supports(target.platform):
            pytest.skip(f"{vendor.provider} does not publish to {target.platform}")
    post = in_sandbox(vendor, SAME_POST)
    assert vendor.pub.validate(post) == []
    report = vendor.pub.publish(post)
    assert [p.target for p in report] == list(post.targets)
    assert all(p.status is not Status.FAILED for p in report), [p.error for p in report]
    report = vendor.pub.wait(report)
    _published_once(vendor, post, report)
    assert all(p.media_kind in (None, MediaKind.VIDEO) for p in report)
    # what the app asked for reached the vendor, in whatever spelling the vendor uses
    for p in report:
        (record,) = vendor.records(vendor.seeded_id(p.target.platform))
        options = SAME_POST.options_for(p.target.platform)
        assert options is not None
        for field, value in options.given().items():
            assert record.options.get(field) == value, f"{p.target.platform}.{field}"


def test_a_video_reaches_every_platform_the_vendor_supports(vendor: Vendor) -> None:
    caps = vendor.capabilities
    platforms = [p for p, support in caps.platforms.items() if support.video]
    post = Post(
        text="One video everywhere", media=vendor.video(), targets=[vendor.target(p) for p in platforms]
    )
    report = vendor.pub.wait(vendor.pub.publish(post))
    _published_once(vendor, post, report)


def test_a_photo_carousel_reaches_every_platform_that_takes_three_jpegs(vendor: Vendor) -> None:
    platforms = list(photo_platforms(vendor.capabilities, len(SAMPLE_PHOTOS)))
    if not platforms:
        pytest.skip(f"{vendor.provider} takes three JPEG photos on no platform")
    post = Post(text=CAROUSEL, media=vendor.photos(), targets=[vendor.target(p) for p in platforms])
    assert vendor.pub.validate(post) == []
    report = vendor.pub.wait(vendor.pub.publish(post))
    _published_once(vendor, post, report)
    for p in report:
        (record,) = vendor.records(vendor.seeded_id(p.target.platform))
        assert record.kind == "photo"
        assert len(record.media) == len(SAMPLE_PHOTOS)


def test_a_tiktok_draft_goes_to_the_inbox_where_supported(vendor: Vendor) -> None:
    support = vendor.capabilities.for_platform("tiktok")
    if support is None or not support.draft or "draft" not in support.options:
        pytest.skip(f"{vendor.provider} sends no TikTok drafts")
    post = Post(
        text="A draft",
        media=vendor.video(),
        targets=[vendor.target("tiktok")],
        tiktok=TikTokOptions(draft=True),
    )
    if any(p.field == "text" and p.unsupported for p in vendor.pub.validate(post)):
        post = attrs.evolve(post, text="")  # this vendor's drafts take no caption: it says so itself
    assert vendor.pub.validate(post) == []
    report = vendor.pub.wait(vendor.pub.publish(post))
    _published_once(vendor, post, report, final=Status.INBOX)
    (record,) = vendor.records(vendor.seeded_id("tiktok"))
    assert record.options.get("draft") is True


_REELS_ONLY = frozenset({("instagram", "share_to_feed")})
"""Neutral options that exist for videos only (the platform's rule, whichever the vendor)."""


def _neutral_defaults(platform: str, photos: bool) -> dict[str, object]:
    cls = OPTION_TYPES[platform]
    if cls is TikTokOptions:
        return TikTokOptions().resolved_for(photos=photos).given()
    given = cls().resolved().given()
    return {k: v for k, v in given.items() if not (photos and (platform, k) in _REELS_ONLY)}


@pytest.mark.parametrize("kind", ["video", "photos"])
def test_unset_options_reach_the_vendor_as_the_neutral_defaults(vendor: Vendor, kind: str) -> None:
    caps = vendor.capabilities
    photos = kind == "photos"
    if photos:
        platforms = list(photo_platforms(caps, len(SAMPLE_PHOTOS)))
    else:
        platforms = [p for p, support in caps.platforms.items() if support.video]
    if not platforms:
        pytest.skip(f"{vendor.provider} publishes no {kind}")
    post = Post(
        text=CAROUSEL if photos else "Defaults",
        media=vendor.photos() if photos else vendor.video(),
        targets=[vendor.target(p) for p in platforms],
    )
    report = vendor.pub.publish(post)
    assert all(p.status is not Status.FAILED for p in report), [p.error for p in report]
    checked = 0
    for platform in platforms:
        (record,) = vendor.records(vendor.seeded_id(platform))
        support = caps.platforms[platform]
        for field, default in _neutral_defaults(platform, photos).items():
            if field not in support.options:
                continue  # the vendor cannot carry it: validation refuses any other value
            kinds = support.only.get(field, frozenset()) & {"video", "photo"}
            if kinds and ("photo" if photos else "video") not in kinds:
                continue  # carried for the other media kind only: validation refuses it here
            assert record.options.get(field, "(not sent)") == default, f"{platform}.{field}"
            checked += 1
    if "tiktok" in platforms and "privacy" in caps.platforms["tiktok"].options:
        (record,) = vendor.records(vendor.seeded_id("tiktok"))
        assert record.options["privacy"] == "SELF_ONLY"
    assert checked or not any(caps.platforms[p].options for p in platforms)


def test_a_lapsed_account_fails_alone(vendor: Vendor) -> None:
    lapsed = next((a for a in vendor.emulator.accounts if not a.active), None)
    if lapsed is None or not vendor.capabilities.platforms[lapsed.platform].video:
        pytest.skip(f"{vendor.provider}'s emulator seeds no lapsed account to publish to")
    live = next(p for p in vendor.capabilities.platforms if p != lapsed.platform)
    post = Post(
        text="One lapsed",
        media=vendor.video(),
        targets=[Target(lapsed.platform, lapsed.id), vendor.target(live)],
    )
    failed, ok = vendor.pub.wait(vendor.pub.publish(post))
    assert failed.status is Status.FAILED, failed
    assert failed.error
    assert ok.status is Status.PUBLISHED, ok
    assert vendor.records(lapsed.id) == []
    assert vendor.emulator.published(vendor.seeded_id(live)) == 1
