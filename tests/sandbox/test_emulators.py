"""The emulators as the adapters see them: real HTTP on loopback, state that moves with time."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

import postmux
from postmux import Post, Status, Target
from postmux.ledger import MemoryLedger
from postmux.sandbox import Sandbox
from postmux.sandbox.samples import write_samples

PROVIDERS = ["wahdx", "wonda", "postpeer"]


def _account(pub: postmux.Publisher, platform: str) -> str:
    return next(a.id for a in pub.accounts() if a.platform == platform and a.active)


@pytest.mark.parametrize("provider", PROVIDERS)
def test_video_to_tiktok_and_instagram_is_published_exactly_once(
    postmux_sandbox: Sandbox, provider: str
) -> None:
    pub = postmux_sandbox.publisher(provider)
    tiktok, instagram = _account(pub, "tiktok"), _account(pub, "instagram")
    post = Post(
        text="hello",
        media=[postmux_sandbox.sample_url("clip.mp4")],
        targets=[Target("tiktok", tiktok), Target("instagram", instagram)],
    )
    report = pub.wait(pub.publish(post), timeout=10, interval=0.02)
    assert [p.status for p in report] == [Status.PUBLISHED, Status.PUBLISHED]
    assert all((p.url or "").startswith("https://") for p in report)
    emulator = postmux_sandbox.emulator(provider)
    assert emulator.published(tiktok) == 1
    assert emulator.published(instagram) == 1


@pytest.mark.parametrize("provider", [*PROVIDERS, "tiktok"])
@pytest.mark.parametrize("spelling", ["upper-case", "id"])
def test_one_account_written_two_ways_is_refused_before_any_request(
    postmux_sandbox: Sandbox, provider: str, spelling: str
) -> None:
    pub = postmux_sandbox.publisher(provider)
    account = next(a for a in pub.accounts() if a.platform == "tiktok" and a.active)
    assert account.username is not None
    other = f"@{account.username.upper()}" if spelling == "upper-case" else account.id
    post = Post(
        text="once",
        media=[postmux_sandbox.sample_url("clip.mp4")],
        targets=[Target("tiktok", f"@{account.username}"), Target("tiktok", other)],
    )
    assert [p.field for p in pub.validate(post, resolve=True)] == ["targets[1]"]
    with pytest.raises(postmux.ValidationError) as info:
        pub.publish(post)
    assert [p.field for p in info.value.problems] == ["targets[1]"]
    assert "posted twice" in info.value.problems[0].message
    assert postmux_sandbox.emulator(provider).received() == 0


@pytest.mark.parametrize("ledger", [False, True])
def test_an_int_too_long_to_write_is_refused_before_any_request(
    postmux_sandbox: Sandbox, ledger: bool
) -> None:
    # it was a publish left unknown (the body could not be written as JSON), or with a ledger a
    # bare ValueError from the post's digest
    pub = postmux_sandbox.publisher("wahdx", ledger=MemoryLedger() if ledger else None)
    post = Post(
        text="huge",
        media=[postmux_sandbox.sample_url("clip.mp4")],
        targets=[Target("tiktok", "@sandbox_tiktok")],
        tiktok=postmux.TikTokOptions(cover_timestamp_ms=10**5000),
    )
    with pytest.raises(postmux.ValidationError) as info:
        pub.publish(post)
    assert [p.field for p in info.value.problems] == ["tiktok.cover_timestamp_ms"]
    assert postmux_sandbox.emulator("wahdx").received() == 0


@pytest.mark.parametrize("provider", PROVIDERS)
def test_seeded_accounts_include_an_expired_one(postmux_sandbox: Sandbox, provider: str) -> None:
    emulator = postmux_sandbox.emulator(provider)
    assert any(not a.active for a in emulator.accounts)
    platforms = {a.platform for a in postmux_sandbox.publisher(provider).accounts()}
    assert {"tiktok", "instagram"} <= platforms


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_wrong_key_is_a_401_in_the_vendors_shape(postmux_sandbox: Sandbox, provider: str) -> None:
    pub = postmux.publisher(provider, api_key="sk_wrong_key_123456", base_url=postmux_sandbox.url(provider))
    with pytest.raises(postmux.AuthenticationError) as info:
        pub.accounts()
    assert info.value.status_code == 401
    assert "sk_wrong_key_123456" not in str(info.value)


def test_wahdx_rejects_a_photo_and_video_mix(postmux_sandbox: Sandbox) -> None:
    emulator = postmux_sandbox.emulator("wahdx")
    account = next(a for a in emulator.accounts if a.platform == "instagram")
    body = {
        "platform": "instagram",
        "accountId": account.id,
        "content": "mixed",
        "mediaItems": [
            {"url": postmux_sandbox.sample_url("clip.mp4")},
            {"url": postmux_sandbox.sample_url("photo-1.jpg")},
        ],
    }
    response = httpx.post(
        postmux_sandbox.url("wahdx") + "/api/content/post", json=body, headers={"X-API-Key": emulator.api_key}
    )
    assert response.status_code == 400
    assert response.json() == {"success": False, "error": response.json()["error"]}
    assert "mix" in response.json()["error"].lower()
    assert len(emulator.records) == 0


def test_postpeer_rejects_what_its_spec_rejects(postmux_sandbox: Sandbox) -> None:
    emulator = postmux_sandbox.emulator("postpeer")
    account = next(a for a in emulator.accounts if a.platform == "youtube")
    body = {
        "content": "stale docs example",
        "platforms": [
            {
                "platform": "youtube",
                "accountId": account.id,
                "platformSpecificData": {"privacyStatus": "public"},
            }
        ],
        "mediaItems": [{"type": "video", "url": postmux_sandbox.sample_url("clip.mp4")}],
        "publishNow": True,
    }
    response = httpx.post(
        postmux_sandbox.url("postpeer") + "/v1/posts", json=body, headers={"x-access-key": emulator.api_key}
    )
    assert response.status_code == 400
    assert response.json()["success"] is False
    assert "additional properties" in response.json()["message"]


def test_tiktok_draft_goes_to_the_inbox(postmux_sandbox: Sandbox) -> None:
    pub = postmux_sandbox.publisher("wahdx")
    post = Post(
        text="draft",
        media=[postmux_sandbox.sample_url("clip.mp4")],
        targets=[Target("tiktok", "@sandbox_tiktok")],
        tiktok=postmux.TikTokOptions(draft=True),
    )
    (p,) = pub.wait(pub.publish(post), timeout=10, interval=0.02)
    assert p.status is Status.INBOX
    assert postmux_sandbox.emulator("wahdx").published() == 0


@pytest.mark.parametrize("provider", ["wonda", "postpeer"])
def test_scheduled_posts_fire_at_their_time_and_can_be_cancelled(
    postmux_sandbox: Sandbox, provider: str
) -> None:
    pub = postmux_sandbox.publisher(provider)
    tiktok = _account(pub, "tiktok")
    at = postmux_sandbox.clock.datetime() + timedelta(hours=1)
    first, second = (
        pub.publish(
            Post(
                text=f"later {n}",
                media=[postmux_sandbox.sample_url("clip.mp4")],
                targets=[Target("tiktok", tiktok)],
                schedule_at=at,
            )
        )[0]
        for n in (1, 2)
    )
    assert first.status is Status.SCHEDULED
    assert {p.id for p in pub.scheduled()} == {first.id, second.id}
    assert pub.cancel(second).status is Status.CANCELLED
    assert [p.id for p in pub.scheduled()] == [first.id]
    postmux_sandbox.advance(3601)
    assert pub.status(first).status is Status.PUBLISHED
    assert pub.status(second).status is Status.CANCELLED
    assert postmux_sandbox.emulator(provider).published(tiktok) == 1
    with pytest.raises((postmux.ConflictError, postmux.NotFoundError)):
        pub.cancel(first)


def test_qr_login_moves_new_scanned_confirmed(postmux_sandbox: Sandbox) -> None:
    pub = postmux_sandbox.publisher("wahdx")
    link = pub.connect("tiktok")
    assert link.qr_image is not None
    assert link.qr_image.startswith(b"\x89PNG")
    statuses = [link.poll().status.value for _ in range(3)]
    assert statuses == ["pending", "scanned", "confirmed"]
    account = link.last.account if link.last else None
    assert account is not None
    assert account.id in {a.id for a in pub.accounts(refresh=True)}
    assert link.poll().status.value == "used"


def test_oauth_connect_links_an_account_once_consented(postmux_sandbox: Sandbox) -> None:
    pub = postmux_sandbox.publisher("postpeer")
    link = pub.connect("threads")
    assert link.url is not None
    assert httpx.get(link.url).status_code == 200  # the person consents
    account = link.wait(timeout=5)
    assert account.platform == "threads"


@pytest.mark.parametrize("provider", ["wahdx", "postpeer"])
def test_creator_info(postmux_sandbox: Sandbox, provider: str) -> None:
    info = postmux_sandbox.publisher(provider).creator_info("@sandbox_tiktok")
    assert "SELF_ONLY" in info.privacy_options
    assert info.max_video_duration_s == 600


@pytest.mark.parametrize("provider", ["wonda", "postpeer"])
def test_local_files_are_uploaded_then_published(
    postmux_sandbox: Sandbox, provider: str, tmp_path: Path
) -> None:
    clip, *_ = write_samples(tmp_path)
    pub = postmux_sandbox.publisher(provider)
    post = Post(text="local", media=[clip], targets=[Target("tiktok", "@sandbox_tiktok")])
    (p,) = pub.wait(pub.publish(post), timeout=10, interval=0.02)
    assert p.status is Status.PUBLISHED
    record = next(iter(postmux_sandbox.emulator(provider).records))
    blob = postmux_sandbox.media.lookup(record.media[0])
    assert blob is not None
    assert blob.data == clip.read_bytes()


@pytest.mark.parametrize("provider", ["wonda", "postpeer"])
def test_a_local_file_whose_name_is_not_utf8_is_uploaded_with_a_name_a_body_carries(
    postmux_sandbox: Sandbox, provider: str, tmp_path: Path
) -> None:
    # os.listdir() gives such a name with a lone surrogate for each byte that is not UTF-8; the upload's
    # body (PostPeer's JSON, Wonda's multipart header) could not carry it: "plugin error: UnicodeEncodeError"
    sample, *_ = write_samples(tmp_path)
    clip = sample.rename(tmp_path / os.fsdecode(b"clip-\xff.mp4"))
    assert postmux.Media(path=clip).filename == "clip-\ufffd.mp4"
    pub = postmux_sandbox.publisher(provider)
    post = Post(text="local", media=[clip], targets=[Target("tiktok", "@sandbox_tiktok")])
    (p,) = pub.wait(pub.publish(post), timeout=10, interval=0.02)
    assert p.status is Status.PUBLISHED, p.error
    record = next(iter(postmux_sandbox.emulator(provider).records))
    blob = postmux_sandbox.media.lookup(record.media[0])
    assert blob is not None
    assert blob.data == clip.read_bytes()


def test_wahdx_takes_urls_only_so_a_local_file_is_unsupported_before_io(
    postmux_sandbox: Sandbox, tmp_path: Path
) -> None:
    clip, *_ = write_samples(tmp_path)
    pub = postmux_sandbox.publisher("wahdx")
    with pytest.raises(postmux.UnsupportedError):
        pub.publish(Post(text="local", media=[clip], targets=[Target("tiktok", "acc")]))
    assert postmux_sandbox.emulator("wahdx").requests == []


@pytest.mark.postmux_sandbox(providers=["wahdx"], seed=3)
def test_the_marker_configures_the_fixture(postmux_sandbox: Sandbox) -> None:
    assert list(postmux_sandbox.emulators) == ["wahdx"]
    again = Sandbox(["wahdx"], seed=3)
    assert [a.id for a in again.emulator("wahdx").accounts] == [
        a.id for a in postmux_sandbox.emulator("wahdx").accounts
    ]


@pytest.mark.parametrize("provider", PROVIDERS)
def test_an_account_is_found_by_id_even_after_the_list_is_edited_directly(provider: str) -> None:
    """The emulator's account index is checked on every hit: a test editing ``accounts`` is seen."""
    import attrs

    from postmux.sandbox.lifecycle import SandboxAccount

    emulator = Sandbox([provider]).emulator(provider)
    first = emulator.accounts[0]
    assert emulator.account(first.id) is first
    expired = attrs.evolve(first, active=False)
    emulator.accounts[0] = expired  # replaced in place, no link()
    assert emulator.account(first.id) is expired
    added = SandboxAccount(id="acc-direct", platform="tiktok", username="direct", display_name="D")
    emulator.accounts.insert(0, added)  # every position moves
    assert emulator.account("acc-direct") is added
    assert emulator.account(first.id) is expired
    emulator.accounts.remove(added)
    assert emulator.account("acc-direct") is None
    assert emulator.account("nobody") is None
