"""The emulator-side platform check: ``postmux.rules`` (and a vendor's capabilities) in the vendor's words."""

from __future__ import annotations

import httpx
import pytest

from postmux import Capabilities, PlatformSupport
from postmux.rules import TextLimit, TextUnit
from postmux.sandbox import Sandbox
from postmux.sandbox.kit import Rejected
from postmux.sandbox.platform_rules import PlatformCheck, Refusals

WORDS = Refusals(
    status=422,
    code="bad",
    kind={"video": "{field} must be a video"},
    count="{name}: {least} to {most}, got {n}",
    formats={"tiktok": "{platform} refuses {format}"},
    text="{field} over {limit} {unit}",
)
PLAIN = PlatformCheck(WORDS)
VENDOR = PlatformCheck(
    WORDS,
    Capabilities(
        platforms={
            "tiktok": PlatformSupport(
                min_photos=2, max_photos=5, photo_formats=frozenset({"png"}), photo_caption=TextLimit(3)
            )
        }
    ),
)


def _refusal(check: PlatformCheck, *args: object, **kwargs: object) -> tuple[int, str, str | None]:
    with pytest.raises(Rejected) as caught:
        check.media(*args, **kwargs)  # type: ignore[arg-type]
    return caught.value.status, caught.value.message, caught.value.code


def test_a_post_within_the_platforms_rules_passes_and_says_its_kind() -> None:
    assert PLAIN.media("tiktok", [("photo", "jpg"), ("photo", "image/webp")]) == "photo"
    assert PLAIN.media("instagram", [("video", "mp4")]) == "video"
    assert PLAIN.media("instagram", [("photo", "png")]) == "photo"  # formats only where listed


def test_the_platforms_count_and_formats_are_refused_in_the_vendors_words() -> None:
    assert _refusal(PLAIN, "tiktok", [("photo", "jpg")] * 36) == (422, "TikTok: 1 to 35, got 36", "bad")
    assert _refusal(PLAIN, "instagram", [("photo", "jpg")] * 11)[1] == "Instagram: 1 to 10, got 11"
    png = _refusal(PLAIN, "tiktok", [("photo", "jpg"), ("photo", "image/png")])
    assert png[1] == "tiktok refuses image/png"
    assert _refusal(PLAIN, "tiktok", [("photo", "png")])[1] == "tiktok refuses png"
    assert PLAIN.media("facebook", [("photo", "jpg")] * 80) == "photo"  # no documented maximum


def test_kind_mix_and_one_video() -> None:
    assert _refusal(PLAIN, "tiktok", [("photo", "jpg")], field="mediaId", kind="video")[1] == (
        "mediaId must be a video"
    )
    assert "mixed" in _refusal(PLAIN, "instagram", [("photo", "jpg"), ("video", "mp4")])[1]
    assert "exactly one video" in _refusal(PLAIN, "tiktok", [("video", "mp4")] * 2)[1]
    assert PLAIN.media("instagram", [("audio", "mp3")], kind="photo") == "photo"  # no "photo" wording
    assert _refusal(PLAIN, "tiktok", [("audio", "mp3")], kind="photo")[1] == "tiktok refuses mp3"


def test_a_vendors_capabilities_tighten_the_count_and_replace_the_formats() -> None:
    assert _refusal(VENDOR, "tiktok", [("photo", "png")])[1] == "TikTok: 2 to 5, got 1"
    assert _refusal(VENDOR, "tiktok", [("photo", "png")] * 6)[1] == "TikTok: 2 to 5, got 6"
    assert _refusal(VENDOR, "tiktok", [("photo", "jpg")] * 2)[1] == "tiktok refuses jpg"
    assert VENDOR.media("tiktok", [("photo", "image/png")] * 2) == "photo"
    assert VENDOR.media("instagram", [("photo", "png")], least=1) == "photo"  # no entry: the platform's
    assert _refusal(VENDOR, "instagram", [("photo", "jpg")], field="ids", least=2)[1] == (
        "Instagram: 2 to 10, got 1"
    )


def test_no_media_is_refused_where_the_platform_takes_no_text_alone_when_worded() -> None:
    check = PlatformCheck(Refusals(empty="{name} posts need media"))
    assert _refusal(check, "youtube", [])[1] == "YouTube posts need media"
    assert check.media("threads", []) == ""  # a text post
    assert check.media("facebook", []) == ""
    assert PLAIN.media("tiktok", []) == ""  # not worded: the vendor's own check


def test_a_cover_index_must_index_the_photos() -> None:
    two = [("photo", "jpg")] * 2
    assert PLAIN.media("tiktok", two, cover=("cover", 1)) == "photo"
    assert PLAIN.media("tiktok", two, cover=("cover", None)) == "photo"  # not given
    for bad in (2, -1, True, "0", 1.0):
        message = _refusal(PLAIN, "tiktok", two, cover=("cover", bad))[1]
        assert message == "'cover' must be the index of one of the photos", bad


def test_switched_off_rules_are_not_checked() -> None:
    off = PlatformCheck(Refusals(mixed=None, videos=None, count=None, cover=None, text=None))
    assert off.media("instagram", [("photo", "jpg"), ("video", "mp4")]) == ""
    assert off.media("tiktok", [("video", "mp4")] * 2) == "video"
    assert off.media("tiktok", [("photo", "jpg")] * 99, cover=("cover", 99)) == "photo"
    assert off.text("tiktok", {"title": "x" * 3000}, "title") == "x" * 3000


def test_text_is_counted_in_the_limits_own_unit_and_the_tighter_limit_binds() -> None:
    emoji = "\N{GRINNING FACE}"  # two UTF-16 code units
    assert PLAIN.text("tiktok", {"title": "a" * 2200}, "title") == "a" * 2200
    with pytest.raises(Rejected) as caught:
        PLAIN.text("tiktok", {"title": emoji * 1101}, "title")
    assert caught.value.message == f"title over 2200 {TextUnit.UTF16}"
    assert PLAIN.text("tiktok", {"title": None}, "title") == ""
    assert PLAIN.text("tiktok", {"description": "a" * 4000}, "description", photo=True)
    with pytest.raises(Rejected) as caught:
        VENDOR.text("tiktok", {"caption": "abcd"}, "caption", photo=True)
    assert caught.value.message == "caption over 3 characters"
    with pytest.raises(Rejected, match="must be a string"):
        PLAIN.text("tiktok", {"title": 5}, "title")


def _wonda_post(sandbox: Sandbox, path: str, mime: str, count: int, **more: object) -> httpx.Response:
    emulator = sandbox.emulator("wonda")
    platform = path.split("/")[2]
    account = next(a for a in emulator.accounts if a.platform == platform and a.active)
    headers = {"Authorization": f"Bearer {emulator.api_key}"}
    files = {f"file{i}": (f"p{i}.img", b"\xff\xd8 not really", mime) for i in range(count)}
    uploaded = httpx.post(sandbox.url("wonda") + "/media/upload", files=files, headers=headers)
    ids = [item["mediaId"] for item in uploaded.json()["uploads"].values()]
    body = {"mediaIds": ids, f"{platform}AccountId": account.id, "caption": "c", **more}
    return httpx.post(sandbox.url("wonda") + path, json=body, headers=headers)


def test_wonda_s_tiktok_carousel_takes_its_documented_flag_set(postmux_sandbox: Sandbox) -> None:
    # the carousel's parameter table lists disableDuet and disableStitch with the other flags: the
    # real endpoint takes them (postmux does not send them, photos having neither), so must the emulator
    flags = {"disableComment": True, "disableDuet": True, "disableStitch": False, "isAigc": False}
    answer = _wonda_post(postmux_sandbox, "/publish/tiktok/carousel", "image/jpeg", 2, **flags)
    assert answer.status_code == 200, answer.text
    refused = _wonda_post(postmux_sandbox, "/publish/tiktok/carousel", "image/jpeg", 2, scheduledAt="x")
    assert refused.status_code == 400  # what the table does not list is still refused


def test_wonda_refuses_what_tiktok_refuses_and_keeps_its_own_instagram_formats(
    postmux_sandbox: Sandbox,
) -> None:
    png = _wonda_post(postmux_sandbox, "/publish/tiktok/carousel", "image/png", 2)
    assert (png.status_code, png.json()["error"]["message"]) == (
        400,
        "TikTok carousels only accept JPEG and WebP",
    )
    many = _wonda_post(postmux_sandbox, "/publish/tiktok/carousel", "image/jpeg", 36)
    assert many.json()["error"]["message"] == "'mediaIds' must hold 2 to 35 media IDs"
    one = _wonda_post(postmux_sandbox, "/publish/instagram/carousel", "image/png", 1)
    assert one.json()["error"]["message"] == "'mediaIds' must hold 2 to 10 media IDs"
    video = _wonda_post(postmux_sandbox, "/publish/instagram/carousel", "video/mp4", 2)
    assert video.json()["error"]["message"] == "Instagram carousels take images only"
    assert len(postmux_sandbox.emulator("wonda").records) == 0
    assert _wonda_post(postmux_sandbox, "/publish/instagram/carousel", "image/png", 2).status_code == 200
