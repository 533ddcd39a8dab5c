"""What a vendor cannot do, and what no vendor may accept, is refused before any request.

The unsupported cases are derived from each vendor's Capabilities: every
platform, media kind, option, schedule, title, local file or operation it
lacks must raise :class:`~postmux.UnsupportedError` while its emulator sees
nothing. Bad input is a plain :class:`~postmux.ValidationError` at every vendor.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import attrs
import pytest

from postmux import (
    Post,
    Publication,
    Status,
    Target,
    UnsupportedError,
    ValidationError,
)
from postmux.options import OPTION_TYPES
from postmux.rules import RULES
from postmux.sandbox.samples import write_samples

from .support import CAROUSEL, CASES, Vendor, photo_platforms, schedule_time

EACH = pytest.mark.parametrize(("provider", "mode"), CASES)

_SET: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {
    # (platform, option) → (the media kind it applies to, the options that set it validly)
    ("tiktok", "privacy"): ("video", {"privacy": "PUBLIC_TO_EVERYONE"}),
    ("tiktok", "allow_comment"): ("video", {"allow_comment": False}),
    ("tiktok", "allow_duet"): ("video", {"allow_duet": False}),
    ("tiktok", "allow_stitch"): ("video", {"allow_stitch": False}),
    ("tiktok", "cover_timestamp_ms"): ("video", {"cover_timestamp_ms": 2500}),
    ("tiktok", "cover_index"): ("photos", {"cover_index": 1}),
    ("tiktok", "auto_add_music"): ("photos", {"auto_add_music": False}),
    ("tiktok", "ai_generated"): ("video", {"ai_generated": True}),
    ("tiktok", "draft"): ("video", {"draft": True}),
    ("tiktok", "brand_organic"): ("video", {"brand_organic": True}),
    ("tiktok", "branded_content"): ("video", {"branded_content": True, "privacy": "PUBLIC_TO_EVERYONE"}),
    ("instagram", "share_to_feed"): ("video", {"share_to_feed": False}),
    ("instagram", "story"): ("video", {"story": True}),
    ("instagram", "alt_text"): ("photos", {"alt_text": "Three sample photos"}),
    ("instagram", "cover_url"): ("video", {"cover_url": "https://cdn.example.com/cover.jpg"}),
    ("instagram", "thumb_offset_ms"): ("video", {"thumb_offset_ms": 1500}),
    ("instagram", "collaborators"): ("video", {"collaborators": ("friend",)}),
    ("threads", "reply_control"): ("video", {"reply_control": "mentioned_only"}),
    ("threads", "alt_text"): ("photos", {"alt_text": ("one", "two", "three")}),
    ("facebook", "link"): ("video", {"link": "https://example.com/"}),
    ("facebook", "draft"): ("video", {"draft": True}),
    ("facebook", "thumbnail_url"): ("video", {"thumbnail_url": "https://cdn.example.com/thumb.jpg"}),
    ("youtube", "title"): ("video", {"title": "A title"}),
    ("youtube", "visibility"): ("video", {"visibility": "public"}),
    ("youtube", "tags"): ("video", {"tags": ("postmux",)}),
    ("youtube", "made_for_kids"): ("video", {"made_for_kids": True}),
    ("youtube", "ai_generated"): ("video", {"ai_generated": True}),
    ("youtube", "category_id"): ("video", {"category_id": "22"}),
    ("youtube", "first_comment"): ("video", {"first_comment": "First!"}),
}
"""A non-default value for every neutral option, so a vendor that cannot carry it must refuse it."""

Case = tuple[str, Callable[[], Any]]


def test_every_option_has_a_sample_value() -> None:
    known = {(p, f.name) for p, cls in OPTION_TYPES.items() for f in attrs.fields(cls)}
    assert known == set(_SET)


def _unsupported_cases(vendor: Vendor, tmp_path: Path) -> Iterator[Case]:
    caps = vendor.capabilities
    pub = vendor.pub
    video, photos = vendor.video(), vendor.photos()
    later = schedule_time(caps, datetime.now(UTC))

    def post(platform: str, kind: str = "video", **fields: Any) -> Post:
        media = photos if kind == "photos" else video
        text = CAROUSEL if kind == "photos" else "Unsupported"
        return Post(text=text, media=media, targets=[Target(platform, f"@sandbox_{platform}")], **fields)

    for platform, rules in RULES.items():
        support = caps.for_platform(platform)
        if support is None:
            yield f"publish to {platform}", partial(pub.publish, post(platform))
            continue
        if rules.video and not support.video:
            yield f"{platform} video", partial(pub.publish, post(platform))
        if rules.photos and not support.photos:
            yield f"{platform} photos", partial(pub.publish, post(platform, "photos"))
        if not caps.can_schedule(platform):
            yield f"{platform} schedule_at", partial(pub.publish, post(platform, schedule_at=later))
        if not support.title and rules.photo_title is not None and support.photos:
            yield f"{platform} photo title", partial(pub.publish, post(platform, "photos", title="T"))
        for (option_platform, field), (kind, values) in _SET.items():
            if option_platform != platform or field in support.options:
                continue
            options = OPTION_TYPES[platform](**values)
            unsupported = [f for f in values if f not in support.options]
            if unsupported != [field]:
                continue  # a companion value the vendor cannot carry either is covered by its own case
            yield (
                f"{platform}.{field}",
                partial(pub.publish, post(platform, kind, **{platform: options})),
            )
    if not caps.local_files:
        clip = write_samples(tmp_path)[0]
        yield (
            "a local file",
            lambda: pub.publish(
                Post(text="Local", media=[clip], targets=[Target("tiktok", "@sandbox_tiktok")])
            ),
        )
    if not caps.remote_media:
        yield "a media URL", lambda: pub.publish(post("tiktok"))
    somebody = Publication(
        target=Target("tiktok", "acc-1"), provider=vendor.provider, status=Status.SCHEDULED
    )
    somebody = attrs.evolve(somebody, id="id-1")
    if not caps.creator_info:
        yield "creator_info", lambda: pub.creator_info("acc-1")
    if not caps.scheduling:
        yield "scheduled()", lambda: pub.scheduled()
    if not caps.cancel:
        yield "cancel()", lambda: pub.cancel(somebody)
    if not caps.reschedule:
        yield "reschedule()", lambda: pub.reschedule(somebody, later)
    for platform in RULES:
        if platform not in caps.connect:
            yield f"connect({platform!r})", partial(pub.connect, platform)


@EACH
def test_what_the_capabilities_deny_is_unsupported_before_any_request(vendor: Vendor, tmp_path: Path) -> None:
    wrong: list[str] = []
    cases = list(_unsupported_cases(vendor, tmp_path))
    for name, call in cases:
        try:
            call()
        except UnsupportedError as exc:
            if not all(p.unsupported for p in exc.problems):
                wrong.append(f"{name}: an UnsupportedError with other problems {exc.problems}")
        except Exception as exc:
            wrong.append(f"{name}: {type(exc).__name__}: {exc}")
        else:
            wrong.append(f"{name}: accepted")
        if vendor.emulator.requests:
            wrong.append(f"{name}: the emulator saw {vendor.emulator.requests}")
            vendor.emulator.requests.clear()
    assert not wrong, "\n".join(wrong)


def _refused(vendor: Vendor, post: Post, *fields: str) -> ValidationError:
    problems = vendor.pub.validate(post)
    assert {p.field for p in problems} >= set(fields), problems
    with pytest.raises(ValidationError) as info:
        vendor.pub.publish(post)
    assert not isinstance(info.value, UnsupportedError)
    assert {p.field for p in info.value.problems} >= set(fields)
    assert vendor.emulator.requests == []
    return info.value


@EACH
def test_a_naive_schedule_at_is_refused(vendor: Vendor) -> None:
    naive = datetime.now() + timedelta(hours=2)  # naive on purpose
    platforms = list(vendor.capabilities.platforms)
    post = Post(
        text="Naive", media=vendor.video(), targets=[vendor.target(p) for p in platforms], schedule_at=naive
    )
    exc = _refused(vendor, post, "schedule_at")
    assert any("timezone" in p.message for p in exc.problems)


@EACH
def test_a_photo_and_video_mix_is_refused(vendor: Vendor) -> None:
    platforms = list(vendor.capabilities.platforms)
    post = Post(
        text="Mixed",
        media=[*vendor.video(), *vendor.photos()],
        targets=[vendor.target(p) for p in platforms],
    )
    _refused(vendor, post, "media")


@EACH
def test_too_many_photos_are_refused(vendor: Vendor) -> None:
    caps = vendor.capabilities
    platforms = list(photo_platforms(caps, 3))
    if not platforms:
        pytest.skip(f"{vendor.provider} publishes photos nowhere")
    limits = {}
    for platform in platforms:
        highs = [h for h in (RULES[platform].max_photos, caps.platforms[platform].max_photos) if h]
        if highs:
            limits[platform] = min(highs)
    if not limits:
        pytest.skip(f"{vendor.provider} has no photo limit on {', '.join(platforms)}")
    platform, limit = min(limits.items(), key=lambda item: item[1])
    photos = [vendor.sample("photo-1.jpg")] * (limit + 1)
    post = Post(text=CAROUSEL, media=photos, targets=[vendor.target(platform)])
    exc = _refused(vendor, post, "media")
    assert any(str(limit) in p.message for p in exc.problems)
