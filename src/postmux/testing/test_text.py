"""Text where the platform allows it: posts with no media, and a target's own text.

What each vendor can do is read from its capabilities: a platform whose rules
and whose vendor support allow text alone publishes it, with the very text
and no media reaching the emulator; a vendor that cannot is refused before any
request, as is a platform that never takes text alone. A target's own text
reaches that target only.
"""

from __future__ import annotations

import pytest

from postmux import Post, Status, Target, UnsupportedError, ValidationError
from postmux.rules import RULES

from .support import CASES, Vendor

EACH = pytest.mark.parametrize(("provider", "mode"), CASES)


def _active_platforms(vendor: Vendor) -> list[str]:
    seeded = {a.platform for a in vendor.emulator.accounts if a.active}
    return [p for p in vendor.capabilities.platforms if p in seeded]


@EACH
def test_text_alone_publishes_where_platform_and_vendor_allow_it(vendor: Vendor) -> None:
    checked = 0
    for platform in _active_platforms(vendor):
        post = Post(text=f"Just words for {platform}", targets=[vendor.target(platform)])
        rules, support = RULES[platform], vendor.capabilities.platforms[platform]
        before = vendor.publish_requests()
        if rules.text_only and support.text_only:
            report = vendor.pub.wait(vendor.pub.publish(post))
            assert report[0].status is Status.PUBLISHED, report[0].error
            record = vendor.records(vendor.seeded_id(platform))[-1]
            assert record.text == post.text
            assert record.media == ()
            checked += 1
            continue
        with pytest.raises(ValidationError) as caught:
            vendor.pub.publish(post)
        assert caught.value.fields == ("media",)
        # the vendor's lack (the platform takes text alone) or the platform's own rule
        assert isinstance(caught.value, UnsupportedError) is rules.text_only
        assert vendor.publish_requests() == before
    assert checked == sum(
        1
        for p in _active_platforms(vendor)
        if RULES[p].text_only and vendor.capabilities.platforms[p].text_only
    )


@EACH
def test_a_text_post_needs_text(vendor: Vendor) -> None:
    for platform in _active_platforms(vendor):
        if not (RULES[platform].text_only and vendor.capabilities.platforms[platform].text_only):
            continue
        with pytest.raises(ValidationError, match="no media needs text"):
            vendor.pub.publish(Post(text="  ", targets=[vendor.target(platform)]))
    assert vendor.writes() == []


@EACH
def test_a_targets_own_text_reaches_that_target_only(vendor: Vendor) -> None:
    platforms = [p for p in _active_platforms(vendor) if vendor.capabilities.platforms[p].video][:2]
    own = Target(platforms[0], vendor.handle(platforms[0]), text=f"Only for {platforms[0]}")
    targets = [own, *(vendor.target(p) for p in platforms[1:])]
    post = Post(text="For everyone else", media=vendor.video(), targets=targets)
    if not vendor.capabilities.platforms[platforms[0]].target_text:
        with pytest.raises(UnsupportedError) as caught:
            vendor.pub.publish(post)
        assert caught.value.fields == ("targets[0].text",)
        assert vendor.writes() == []
        return
    report = vendor.pub.wait(vendor.pub.publish(post))
    assert all(p.status in (Status.PUBLISHED, Status.INBOX) for p in report), [p.error for p in report]
    texts = {p: vendor.records(vendor.seeded_id(p))[-1].text for p in platforms}
    assert texts[platforms[0]] == own.text
    assert all(texts[p] == post.text for p in platforms[1:])


@EACH
def test_a_targets_own_text_is_validated_for_its_platform(vendor: Vendor) -> None:
    platform = next(p for p in _active_platforms(vendor) if vendor.capabilities.platforms[p].video)
    support = vendor.capabilities.platforms[platform]
    limit = support.caption or RULES[platform].caption
    if limit is None or not support.target_text:
        pytest.fail(f"{vendor.provider} {platform}: pick a platform with a caption limit and own text")
    long = Target(platform, vendor.handle(platform), text="x" * (limit.limit + 1))
    with pytest.raises(ValidationError) as caught:
        vendor.pub.publish(Post(text="short", media=vendor.video(), targets=[long]))
    assert caught.value.fields == ("targets[0].text",)
    assert vendor.writes() == []
