"""The TikTok plugin against its emulator over loopback HTTP: what the issue's "done when" asks.

Publishers get the creators' tokens from a credential source (as an app would), refreshed
through ``postmux_tiktok.refresher`` against the emulator's token endpoint.
"""

from __future__ import annotations

import hashlib
import struct
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from postmux import (
    Media,
    MemoryLedger,
    Post,
    RetryPolicy,
    Secret,
    Status,
    Target,
    TikTokOptions,
    ValidationError,
)
from postmux.credentials import CredentialSource, MemoryCredentials, Refresh, Token
from postmux.sandbox import Sandbox
from postmux_tiktok import refresher
from postmux_tiktok.emulator import CLIENT_KEY, TikTokEmulator

pytestmark = pytest.mark.postmux_sandbox(providers=["tiktok"])
MiB = 1024 * 1024


@pytest.fixture
def emulator(postmux_sandbox: Sandbox) -> TikTokEmulator:
    found = postmux_sandbox.emulator("tiktok")
    assert isinstance(found, TikTokEmulator)
    return found


@pytest.fixture
def oauth(postmux_sandbox: Sandbox, emulator: TikTokEmulator) -> Iterator[Refresh]:
    with httpx.Client(trust_env=False) as client:
        yield refresher(CLIENT_KEY, emulator.api_key, postmux_sandbox.url("tiktok"), client)


@pytest.fixture
def creds(emulator: TikTokEmulator, oauth: Refresh) -> MemoryCredentials:
    """Every creator's tokens as the app keeps them: access and refresh, a day to live."""
    day = datetime.now(UTC) + timedelta(days=1)
    refresh = {a: Secret(t) for t, a in emulator.refresh_tokens.items()}
    tokens = {
        a: Token(access=Secret(t), refresh=refresh[a], expires_at=day) for t, a in emulator.tokens.items()
    }
    return MemoryCredentials(tokens, refresh=oauth)


def creator(emulator: TikTokEmulator, username: str = "sandbox_tiktok") -> str:
    return next(a.id for a in emulator.accounts if a.username == username)


def mp4(path: Path, seconds: int) -> Path:
    """A file with just the ``moov/mvhd`` box that says how long it lasts (timescale 1000)."""
    mvhd = b"\x00\x00\x00\x00" + struct.pack(">IIII", 0, 0, 1000, seconds * 1000) + b"\x00" * 80
    moov = (
        struct.pack(">I4s", 8 + 8 + len(mvhd), b"moov") + struct.pack(">I4s", 8 + len(mvhd), b"mvhd") + mvhd
    )
    path.write_bytes(b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + moov)
    return path


def test_url_video_local_300mb_video_carousel_and_draft_reach_their_final_status(
    postmux_sandbox: Sandbox, emulator: TikTokEmulator, creds: MemoryCredentials, tmp_path: Path
) -> None:
    big = tmp_path / "big.mp4"
    with big.open("wb") as fh:
        fh.truncate(300_000_000)  # sparse: 300 MB of zeros, read from disk chunk by chunk
    pub = postmux_sandbox.publisher("tiktok", credentials=creds)
    me = Target("tiktok", "@sandbox_tiktok")
    posts = [
        Post(text="By URL", media=[postmux_sandbox.sample_url("clip.mp4")], targets=[me]),
        Post(text="From disk", media=[Media(path=big)], targets=[me]),
        Post(
            text="Three photos",
            media=[postmux_sandbox.sample_url(f"photo-{i}.jpg") for i in (1, 2, 3)],
            targets=[me],
        ),
        Post(media=[postmux_sandbox.sample_url("clip.mp4")], targets=[me], tiktok=TikTokOptions(draft=True)),
    ]
    reports = [pub.wait(pub.publish(post), timeout=20) for post in posts]
    assert [r[0].status for r in reports] == [Status.PUBLISHED] * 3 + [Status.INBOX], [
        r[0].error for r in reports
    ]
    url, local, photos, draft = (emulator.records.get(str(r[0].id)) for r in reports)
    assert url is not None
    assert local is not None
    assert photos is not None
    assert draft is not None
    assert url.url is not None
    assert photos.url is not None
    assert reports[0][0].url == url.url
    assert url.url.startswith("https://www.tiktok.com/@sandbox_tiktok/video/")
    zeros = hashlib.sha256()
    for _ in range(300):
        zeros.update(bytes(1_000_000))
    assert local.media == (f"sha256:{zeros.hexdigest()}",)  # every byte arrived, in order
    assert (photos.kind, len(photos.media), photos.url.split("/")[-2]) == ("photo", 3, "photo")
    assert draft.draft
    assert draft.options == {"draft": True}
    assert draft.text == ""
    assert reports[2][0].url == photos.url


def test_what_the_creator_does_not_allow_is_a_problem_per_field_and_nothing_is_posted(
    postmux_sandbox: Sandbox, emulator: TikTokEmulator, creds: MemoryCredentials
) -> None:
    account = emulator.account(creator(emulator))
    assert account is not None
    account.extra.update(privacy_level_options=["SELF_ONLY"], comment_disabled=True, duet_disabled=True)
    pub = postmux_sandbox.publisher("tiktok", credentials=creds)
    settings = TikTokOptions(privacy="PUBLIC_TO_EVERYONE", allow_comment=True, allow_duet=False)
    post = Post(
        text="Too open",
        media=[postmux_sandbox.sample_url("clip.mp4")],
        targets=[Target("tiktok", account.id)],
        tiktok=settings,
    )
    (p,) = pub.publish(post)
    assert p.status is Status.FAILED
    assert "tiktok.privacy" in (p.error or "")
    assert "allows only SELF_ONLY" in (p.error or "")
    assert "tiktok.allow_comment" in (p.error or "")
    assert "allow_duet" not in (p.error or "")  # asked off, and off it is
    assert emulator.received("publish") == 0

    (ok,) = pub.publish(Post(text="Private", media=post.media, targets=post.targets))
    record = emulator.records.get(str(ok.id))
    assert record is not None
    assert record.options["allow_comment"] is False


def test_a_local_video_longer_than_the_creator_may_post_is_refused(
    postmux_sandbox: Sandbox, emulator: TikTokEmulator, creds: MemoryCredentials, tmp_path: Path
) -> None:
    pub = postmux_sandbox.publisher("tiktok", credentials=creds)
    target = [Target("tiktok", creator(emulator))]
    (p,) = pub.publish(Post(text="Long", media=[Media(path=mp4(tmp_path / "long.mp4", 900))], targets=target))
    assert p.status is Status.FAILED
    assert "media[0]" in (p.error or "")
    assert "600 s" in (p.error or "")
    assert emulator.received("publish") == 0
    (ok,) = pub.publish(
        Post(text="Short", media=[Media(path=mp4(tmp_path / "short.mp4", 30))], targets=target)
    )
    assert ok.status is Status.PROCESSING, ok.error


def test_a_token_about_to_expire_is_refreshed_before_it_is_sent(
    postmux_sandbox: Sandbox, emulator: TikTokEmulator, creds: MemoryCredentials
) -> None:
    account = creator(emulator)
    old = creds.load(account)
    assert old is not None
    creds.store(account, Token(access=old.access, refresh=old.refresh, expires_at=datetime.now(UTC)))
    info = postmux_sandbox.publisher("tiktok", credentials=creds).creator_info(account)
    new = creds.load(account)
    assert info.username == "sandbox_tiktok"
    assert new is not None
    assert new.access != old.access
    assert new.refresh != old.refresh
    assert old.access.reveal() not in emulator.tokens  # TikTok's refresh replaced it


def test_a_refused_token_is_refreshed_once_and_the_request_sent_again(
    postmux_sandbox: Sandbox, emulator: TikTokEmulator, creds: MemoryCredentials
) -> None:
    account = creator(emulator)
    stale = creds.load(account)
    assert stale is not None
    del emulator.tokens[stale.access.reveal()]  # TikTok revoked the access token; the refresh token holds
    pub = postmux_sandbox.publisher("tiktok", credentials=creds)
    assert pub.creator_info(account).username == "sandbox_tiktok"
    assert [p for _, p in emulator.requests].count("/v2/oauth/token/") == 1
    assert [p for _, p in emulator.requests].count("/v2/post/publish/creator_info/query/") == 2


def test_drafts_take_no_caption_and_photos_no_ai_label_before_any_request(
    postmux_sandbox: Sandbox, emulator: TikTokEmulator, creds: MemoryCredentials
) -> None:
    pub = postmux_sandbox.publisher("tiktok", credentials=creds)
    me = [Target("tiktok", "@sandbox_tiktok")]
    draft = Post(
        text="A caption",
        media=[postmux_sandbox.sample_url("clip.mp4")],
        targets=me,
        tiktok=TikTokOptions(draft=True),
    )
    (problem,) = pub.validate(draft)
    assert problem.field == "text"
    assert "video drafts take no caption" in problem.message
    photos = [postmux_sandbox.sample_url("photo-1.jpg")]
    (problem,) = pub.validate(
        Post(text="AI", media=photos, targets=me, tiktok=TikTokOptions(ai_generated=True))
    )
    assert problem.field == "tiktok.ai_generated"
    assert problem.message.startswith("TikTok photo posts take no ai_generated at tiktok")
    with pytest.raises(ValidationError):
        pub.publish(draft)
    assert emulator.received("publish") == 0


def test_connect_gives_the_authorize_url_and_wait_keeps_the_creators_tokens(
    postmux_sandbox: Sandbox, emulator: TikTokEmulator
) -> None:
    pub = postmux_sandbox.publisher("tiktok", poll_interval=0.01)
    redirect = "https://app.example/tiktok/callback"
    session = pub.connect(
        "tiktok",
        client_key=CLIENT_KEY,
        client_secret=emulator.api_key,
        redirect_uri=redirect,
        code=emulator.codes.get,
    )
    assert (session.url or "").startswith(postmux_sandbox.url("tiktok") + "/v2/auth/authorize/?client_key=")
    assert "redirect_uri=https%3A%2F%2Fapp.example%2Ftiktok%2Fcallback" in (session.url or "")
    assert session.poll().status == "pending"  # the creator has not consented yet
    postmux_sandbox.approve(session)
    account = session.wait(timeout=5)
    assert account.username == "sandbox_linked_1"
    assert account.active
    source = pub.adapter.credentials
    assert source is not None
    linked = source.load(account.id)
    assert linked is not None
    assert linked.access.reveal() in emulator.tokens
    assert emulator.api_key not in repr(session.start) + repr(linked)
    (p,) = pub.publish(
        Post(
            text="First post",
            media=[postmux_sandbox.sample_url("clip.mp4")],
            targets=[Target("tiktok", account.id)],
        )
    )
    assert p.status is Status.PROCESSING, p.error


def test_a_lapsed_creator_is_listed_as_expired_and_no_token_reaches_an_error(
    postmux_sandbox: Sandbox, emulator: TikTokEmulator, creds: MemoryCredentials
) -> None:
    pub = postmux_sandbox.publisher("tiktok", credentials=creds)
    lapsed = creator(emulator, "sandbox_expired")
    listed = {a.id: a for a in pub.accounts()}
    assert listed[lapsed].status == "expired"
    assert listed[lapsed].status_reason == "invalid_grant"
    (p,) = pub.publish(
        Post(
            text="Lapsed", media=[postmux_sandbox.sample_url("clip.mp4")], targets=[Target("tiktok", lapsed)]
        )
    )
    assert p.status is Status.FAILED
    assert p.error_code == "invalid_grant"
    assert "link the account again" in (p.error or "")
    shown = repr(p) + str(p.error) + str(p.to_dict()) + repr(creds)
    assert not any(token in shown for token in [*emulator.tokens, *emulator.refresh_tokens, emulator.api_key])


def test_a_failed_chunk_is_sent_again_alone(
    postmux_sandbox: Sandbox, emulator: TikTokEmulator, creds: MemoryCredentials, tmp_path: Path
) -> None:
    clip = tmp_path / "two-chunks.mp4"
    data = bytes(range(256)) * (70 * MiB // 256)  # 70 MiB: two chunks of 32 MiB and more
    clip.write_bytes(data)
    postmux_sandbox.inject("tiktok:upload=503:after=1:times=1")  # the second chunk, once
    pub = postmux_sandbox.publisher("tiktok", credentials=creds)
    (p,) = pub.publish(
        Post(text="Retried", media=[Media(path=clip)], targets=[Target("tiktok", creator(emulator))])
    )
    assert p.status is Status.PROCESSING, p.error
    puts = [path for method, path in emulator.arrivals if method == "PUT"]
    assert len(puts) == 3  # chunk 1, chunk 2 refused, chunk 2 again
    record = emulator.records.get(str(p.id))
    assert record is not None
    assert record.media == (f"sha256:{hashlib.sha256(data).hexdigest()}",)


def test_the_emulator_refuses_what_the_photo_and_direct_post_references_refuse(
    postmux_sandbox: Sandbox, emulator: TikTokEmulator
) -> None:
    token = next(t for t, a in emulator.tokens.items() if a == creator(emulator))
    photo = postmux_sandbox.sample_url("photo-1.jpg")

    def init(what: str, source: dict[str, object], info: dict[str, object]) -> httpx.Response:
        body: dict[str, object] = {"source_info": source, "post_info": {"privacy_level": "SELF_ONLY", **info}}
        if what == "content":
            body |= {"media_type": "PHOTO", "post_mode": "DIRECT_POST"}
        url = f"{postmux_sandbox.url('tiktok')}/v2/post/publish/{what}/init/"
        return httpx.post(url, json=body, headers={"Authorization": f"Bearer {token}"})

    refused = {
        "36 photos": init("content", {"source": "PULL_FROM_URL", "photo_images": [photo] * 36}, {}),
        "a PNG": init("content", {"source": "PULL_FROM_URL", "photo_images": [photo[:-3] + "png"]}, {}),
        "no photo": init("content", {"source": "PULL_FROM_URL", "photo_images": []}, {}),
        "a long description": init(
            "content", {"source": "PULL_FROM_URL", "photo_images": [photo]}, {"description": "d" * 4001}
        ),
        "a cover past the photos": init(
            "content", {"source": "PULL_FROM_URL", "photo_images": [photo], "photo_cover_index": 1}, {}
        ),
        "a long title": init(
            "video", {"source": "PULL_FROM_URL", "video_url": photo}, {"title": "\N{GRINNING FACE}" * 1101}
        ),
        "over 64 MB in one chunk": init(  # "must be uploaded in multiple chunks"
            "video",
            {
                "source": "FILE_UPLOAD",
                "video_size": 64_000_001,
                "chunk_size": 32 * 2**20,
                "total_chunk_count": 1,
            },
            {},
        ),
    }
    for case, response in refused.items():
        assert response.status_code == 400, case
        assert response.json()["error"]["code"] == "invalid_param", case
    assert "1 to 35" in refused["36 photos"].json()["error"]["message"]
    assert "JPEG or WebP" in refused["a PNG"].json()["error"]["message"]
    assert len(emulator.records) == 0
    fine = init("content", {"source": "PULL_FROM_URL", "photo_images": [photo] * 35}, {"description": "d"})
    assert fine.status_code == 200, fine.text
    bare = emulator.media.store("photo", "image/jpeg", b"\xff\xd8")  # no extension: its type is its own
    assert init("content", {"source": "PULL_FROM_URL", "photo_images": [bare]}, {}).status_code == 200


class DatabaseCredentials(CredentialSource):
    """A source whose ``store`` and listing block (a database's round trip), noting the thread of each."""

    def __init__(self) -> None:
        super().__init__()
        self.tokens: dict[str, Token] = {}
        self.threads: list[str] = []

    def load(self, account: str) -> Token | None:
        return self.tokens.get(account)

    def store(self, account: str, token: Token) -> None:
        self.threads.append(threading.current_thread().name)
        time.sleep(0.1)
        self.tokens[account] = token

    def __iter__(self) -> Iterator[str]:
        self.threads.append(threading.current_thread().name)
        time.sleep(0.1)
        return iter(list(self.tokens))


async def test_an_async_link_and_listing_store_and_list_on_the_sources_worker_not_the_loop(
    postmux_sandbox: Sandbox, emulator: TikTokEmulator
) -> None:
    source = DatabaseCredentials()
    pub = postmux_sandbox.async_publisher("tiktok", credentials=source, poll_interval=0.01)
    session = await pub.connect(
        "tiktok",
        client_key=CLIENT_KEY,
        client_secret=emulator.api_key,
        redirect_uri="https://app.example/tiktok/callback",
        code=emulator.codes.get,
    )
    postmux_sandbox.approve(session)
    account = await session.wait(timeout=5)
    assert account.active
    assert account.id in source.tokens
    (listed,) = await pub.accounts(refresh=True)
    assert listed.id == account.id
    assert listed.username == "sandbox_linked_1"
    assert len(source.threads) == 2  # the store, then the listing
    assert all(name.startswith("postmux-credentials") for name in source.threads), source.threads
    await pub.aclose()


def test_a_creator_check_that_fails_before_the_post_is_failed_and_the_rerun_posts_it_once(
    postmux_sandbox: Sandbox, emulator: TikTokEmulator, creds: MemoryCredentials
) -> None:
    """creator_info/query only reads: its 5xx leaves no post, so the target is ``failed``.

    It was ``unknown``: with a ledger never sent again, and reconcile, with no publish id, could
    only ask a person to look for a post that cannot exist.
    """
    from postmux import MemoryLedger, RetryPolicy

    postmux_sandbox.inject("tiktok:POST /v2/post/publish/creator_info/query/=500:times=2")
    try:
        pub = postmux_sandbox.publisher(
            "tiktok", credentials=creds, ledger=MemoryLedger(), retry=RetryPolicy(max_retries=1, backoff=0.01)
        )
        post = Post(
            text="Checked first",
            media=[postmux_sandbox.sample_url("clip.mp4")],
            targets=[Target("tiktok", "@sandbox_tiktok")],
        )
        (p,) = pub.publish(post)
        assert p.status is Status.FAILED, p.error
        assert p.status_code == 500
        assert emulator.received("publish") == 0
        (again,) = pub.publish(post)  # the fault is spent
        assert again.status is Status.PROCESSING, again.error
        assert emulator.received("publish") == 1
    finally:
        postmux_sandbox.clear_faults()


def test_a_chunk_that_fails_after_init_keeps_the_publish_id_for_reconcile(
    postmux_sandbox: Sandbox,
    emulator: TikTokEmulator,
    creds: MemoryCredentials,
    tmp_path: Path,
) -> None:
    """TikTok's init made a publish_id; a 5xx on a later chunk leaves the post in doubt (``unknown``).

    The id was dropped with the exception: reconcile could only ask a person to look for the
    post, though ``status/fetch`` by that id answers where it stands.
    """
    clip = tmp_path / "two-chunks.mp4"
    clip.write_bytes(b"\x00" * (70 * MiB))
    post = Post(text="Cut", media=[Media(path=clip)], targets=[Target("tiktok", creator(emulator))])
    postmux_sandbox.inject("tiktok:upload=503:after=1")
    try:
        pub = postmux_sandbox.publisher(
            "tiktok", credentials=creds, ledger=MemoryLedger(), retry=RetryPolicy(max_retries=1, backoff=0.01)
        )
        (p,) = pub.publish(post)
    finally:
        postmux_sandbox.clear_faults()
    assert p.status is Status.UNKNOWN, p.error
    assert p.status_code == 503
    assert p.attempt is not None
    assert emulator.received("publish") == 1
    assert p.id is not None  # the init's publish_id
    (again,) = pub.publish(post)  # in doubt: never sent again on its own
    assert again.status is Status.UNKNOWN
    assert emulator.received("publish") == 1
    (settled,) = pub.reconcile([p], absent_after=0)
    assert settled.id == p.id
    assert settled.status is not Status.UNKNOWN, settled.error  # status/fetch by the id answered
