"""Kit pieces a vendor declares instead of writing: paged lists, ids, reschedule times, derived schemas."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

import attrs
import httpx
import pytest
from starlette.requests import Request

from postmux import (
    AccountStatus,
    Adapter,
    Capabilities,
    InstagramOptions,
    Media,
    PlatformSupport,
    Post,
    Publication,
    Secret,
    ServerError,
    Status,
    Target,
    ThreadsOptions,
    TikTokOptions,
    ValidationError,
)
from postmux.flow import Flow
from postmux.reconcile import Attempt, Verdict
from postmux.sandbox import Emulator, Phase, SandboxAccount
from postmux.sandbox.kit import Rejected, Seed, account_json, phase_words
from postmux.sandbox.schema import Schema, enum_schema, object_schema, option_schema
from postmux.validation import check_new_time, validate
from postmux.vocabulary import AccountFields, ErrorEnvelope, Opt, OptionMap, StatusMap, Vocabulary
from postmux.wire import base_converter

WORDS = {"on": AccountStatus.ACTIVE, "relink": AccountStatus.RECONNECT_REQUIRED}


@attrs.frozen(kw_only=True)
class Page:
    total: int
    items: list[dict[str, Any]]


class Lister(Adapter):
    name: ClassVar[str] = "lister"
    env_var: ClassVar[str] = "LISTER_API_KEY"
    default_base_url: ClassVar[str] = "https://api.example.com"
    converter = base_converter()
    vocabulary = Vocabulary(errors=ErrorEnvelope(name="Lister"), accounts=WORDS)

    def auth_headers(self, key: Secret) -> Mapping[str, str]:
        return {}


def run(
    flow: Flow[Any], answer: Callable[[httpx.Request], httpx.Response | Exception]
) -> tuple[Any, list[str]]:
    """Drive a flow by hand: each request answered (or refused with an exception) by ``answer``."""
    sent: list[str] = []
    try:
        request = next(flow)
        while True:
            sent.append(str(request.url))
            result = answer(request)
            request = flow.throw(result) if isinstance(result, Exception) else flow.send(result)
    except StopIteration as stop:
        return stop.value, sent


def _page(request: httpx.Request, total: int = 5) -> httpx.Response:
    offset, limit = int(request.url.params["offset"]), int(request.url.params["limit"])
    items = [{"n": n} for n in range(offset, min(offset + limit, total))]
    return httpx.Response(200, json={"total": total, "items": items}, request=request)


def test_pages_reads_every_page_to_the_total_with_the_query_first() -> None:
    flow = Lister().pages(
        "/things", Page, "items", query=[("kind", "a"), ("kind", "b")], size=2, what="things"
    )
    found, sent = run(flow, _page)
    assert [raw for _, raw in found] == [{"n": n} for n in range(5)]
    assert [parsed for parsed, _ in found] == [{"n": n} for n in range(5)]
    assert len(sent) == 3
    assert sent[1] == "https://api.example.com/things?kind=a&kind=b&limit=2&offset=2"


def test_pages_stops_on_an_empty_page_whatever_the_total_says() -> None:
    found, sent = run(Lister().pages("/things", Page, "items", what="things"), lambda r: _page(r, total=0))
    assert found == []
    assert len(sent) == 1


def test_pages_rereads_a_bad_page_only_when_asked_and_then_gives_up() -> None:
    failures = iter([ServerError("busy", provider="lister", status_code=503)])

    def flaky(request: httpx.Request) -> httpx.Response | Exception:
        return next(failures, None) or _page(request, total=1)

    found, sent = run(Lister().pages("/things", Page, "items", what="things", tries=2), flaky)
    assert len(found) == 1
    assert len(sent) == 2
    with pytest.raises(ServerError):
        run(
            Lister().pages("/things", Page, "items", what="things"),
            lambda r: ServerError("busy", provider="lister", status_code=503),
        )


def test_publication_id_names_the_field_and_the_vendor() -> None:
    blank = Publication(target=Target("tiktok", "a"), provider="lister", status=Status.FAILED)
    with pytest.raises(ValidationError) as caught:
        Lister().publication_id(blank, "post id")
    assert caught.value.fields == ("publication.id",)
    assert "no Lister post id" in str(caught.value)
    assert Lister().publication_id(attrs.evolve(blank, id="p1")) == "p1"


class ByIdOnly(Lister):
    """A vendor that finds a post by its id alone, and says where its publish answer keeps it."""

    answer_id_key = "jobId"

    def status(self, publication: Publication) -> Flow[Publication]:
        response = yield self.request("GET", f"/jobs/{publication.id}")
        return attrs.evolve(publication, status=Status(response.json()["status"]))

    def unfindable(self, publication: Publication) -> str:
        return f"Lister lists no {publication.target.platform} posts"


def _unknown(answer: str = "", job: str | None = None) -> Publication:
    attempt = Attempt.of(Post(text="hello"), "acc-1", answer=answer)
    target = Target("tiktok", "acc-1")
    return Publication(target=target, provider="lister", status=Status.UNKNOWN, id=job, attempt=attempt)


def test_the_default_reconcile_reads_an_id_from_a_cut_short_answer_and_says_why_the_rest_stay() -> None:
    cut, kept, lost = _unknown('{"jobId":"j-7","sta'), _unknown(job="j-8"), _unknown('{"jobId":"j-')
    answers = {"/jobs/j-7": "published", "/jobs/j-8": "failed"}

    def answer(r: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"status": answers[r.url.path]}, request=r)

    found, sent = run(ByIdOnly().reconcile([cut, kept, lost]), answer)
    assert sent == ["https://api.example.com/jobs/j-7", "https://api.example.com/jobs/j-8"]
    assert [f.verdict for f in found] == [Verdict.FOUND, Verdict.FOUND, Verdict.UNCHECKABLE]
    assert [(f.publication.id, f.publication.status) for f in found[:2] if f.publication] == [
        ("j-7", Status.PUBLISHED),
        ("j-8", Status.FAILED),
    ]
    assert found[2].reason.startswith("Lister lists no tiktok posts: check the tiktok account acc-1")
    # without the key no id is read from an answer, and the reason is the core's own
    (plain,), sent = run(Lister().reconcile([cut]), answer)
    assert sent == []
    assert plain.verdict is Verdict.UNCHECKABLE
    assert plain.reason.startswith("lister has no documented way to find a post without its id: check")


@pytest.mark.parametrize("at", [datetime(2030, 1, 1), datetime(2000, 1, 1, tzinfo=UTC), "tomorrow"])
def test_a_reschedule_time_must_be_aware_and_ahead(at: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        check_new_time(at)
    assert caught.value.fields == ("at",)
    check_new_time(datetime.now(UTC) + timedelta(minutes=1))


def test_option_schema_follows_the_neutral_types_and_takes_more() -> None:
    tiktok = OptionMap(TikTokOptions, {"privacy": "privacyLevel", "allow_comment": "!disableComment"})
    node = option_schema(tiktok, disableComment={"description": "inverted"})
    assert node["additionalProperties"] is False
    assert node["properties"]["privacyLevel"]["enum"][0] == "PUBLIC_TO_EVERYONE"
    assert node["properties"]["disableComment"] == {"type": "boolean", "description": "inverted"}
    instagram = OptionMap(
        InstagramOptions, {"story": Opt(wire="contentType", values={True: "story"}), "thumb_offset_ms": "t"}
    )
    properties = option_schema(instagram)["properties"]
    assert properties == {"contentType": enum_schema("story"), "t": {"type": "integer", "minimum": 0}}
    threads = option_schema(OptionMap(ThreadsOptions, {"alt_text": "altText"}))
    assert threads["properties"]["altText"] == {"type": "array", "items": {"type": "string"}}


def test_value_errors_give_the_path_inside_a_definition() -> None:
    schema = Schema(
        {
            "operations": {},
            "definitions": {"Thing": object_schema({"tags": {"type": "array", "items": {"type": "string"}}})},
        }
    )
    assert schema.value_errors("Thing", {"tags": ["a", 3], "x": 1}) == [
        ("", "must NOT have additional properties: 'x'"),
        ("tags/1", "must be string"),
    ]
    assert schema.value_errors("Thing", {}) == []


def test_phase_words_come_from_the_status_map() -> None:
    statuses = StatusMap({"waiting": Status.QUEUED, "live": Status.PUBLISHED, "gone": Status.CANCELLED})
    words = phase_words(statuses, inbox="live")
    assert words == {
        Phase.QUEUED: "waiting",
        Phase.PUBLISHED: "live",
        Phase.INBOX: "live",
        Phase.CANCELLED: "gone",
    }


def test_account_json_is_accounts_from_backwards() -> None:
    fields = AccountFields(status="state", reason="why", display_name="name", avatar_url=None)
    off = SandboxAccount(id="a1", platform="tiktok", username="u", display_name="U", active=False)
    data = account_json(off, fields, WORDS, reason="token_expired")
    assert data == {
        "id": "a1",
        "platform": "tiktok",
        "state": "relink",
        "why": "token_expired",
        "username": "u",
        "name": "U",
    }
    (account,) = Lister().accounts_from([data], fields, what="accounts")
    assert (account.id, account.status, account.username) == ("a1", AccountStatus.RECONNECT_REQUIRED, "u")
    assert account.display_name == "U"
    assert account_json(attrs.evolve(off, active=True), fields, WORDS)["state"] == "on"


# -- the emulator kit: accounts a request names, posts made --------------------------------------


def test_linked_gives_the_account_a_request_names_or_the_vendors_refusal() -> None:
    class Seeded(Emulator):
        provider = "seeded"
        auth_header = "X-Key"
        seeds = (Seed("tiktok"), Seed("tiktok", "sandbox_expired", active=False), Seed("instagram"))

    emulator = Seeded()
    tiktok, expired, instagram = emulator.accounts[:3]
    missing, lapsed = Rejected(404, "no such account"), Rejected(403, "reconnect it", "forbidden")
    assert emulator.linked(tiktok.id, "tiktok", missing=missing, lapsed=lapsed) is tiktok
    assert emulator.linked(expired.id, "tiktok", missing=missing) is expired  # no lapsed: the handler's
    for account_id, platform in [("nobody", "tiktok"), (instagram.id, "tiktok"), (3, "tiktok")]:
        with pytest.raises(Rejected) as caught:
            emulator.linked(account_id, platform, missing=missing, lapsed=lapsed)
        assert caught.value is missing
    with pytest.raises(Rejected) as caught:
        emulator.linked(expired.id, "tiktok", missing=missing, lapsed=lapsed)
    assert (caught.value.status, caught.value.code) == (403, "forbidden")


def test_new_post_fills_in_the_account_its_public_url_and_the_schedule() -> None:
    class Posting(Emulator):
        provider = "posting"
        auth_header = "X-Key"
        seeds = (Seed("tiktok"), Seed("instagram"))

    emulator = Posting()
    request = Request({"type": "http", "method": "POST", "path": "/posts", "headers": []})
    tiktok, instagram = emulator.accounts[:2]
    video = emulator.new_post(request, tiktok, "video", id="r1", text="hi", extra={"mine": 1})
    number = video.extra["post_id"]
    assert (video.account_id, video.platform, video.kind, video.text) == (tiktok.id, "tiktok", "video", "hi")
    assert video.url == f"https://www.tiktok.com/@sandbox_tiktok/video/{number}"
    assert len(number) == 19
    assert video.extra["mine"] == 1
    assert not video.scheduled
    at = emulator.clock.datetime() + timedelta(hours=1)
    later = emulator.new_post(request, instagram, "photo", at=at, id="r2", url=None)
    assert (later.scheduled, later.start, later.url) == (True, at.timestamp(), None)  # a url given is kept
    assert emulator.records.get("r2") is later


def _upload_problems(capabilities: Mapping[str, Any], *media: Media) -> list[tuple[str, str, bool]]:
    caps = Capabilities(platforms={"tiktok": PlatformSupport()}, local_files=True, **capabilities)
    post = Post(text="x", media=list(media), targets=["tiktok:a"])
    found = validate(post, caps, provider="acme")
    return [(p.field, p.message, p.unsupported) for p in found if "upload" in p.message]  # not its formats


def test_upload_types_refuse_a_local_file_the_upload_could_not_name_or_take() -> None:
    families = {"upload_types": frozenset({"video/", "image/png"})}  # a family and one type
    assert _upload_problems(families, Media(path="/tmp/clip.mp4")) == []  # video/mp4: in the family
    assert _upload_problems(families, Media(path="/tmp/a.webp", mime_type="image/png")) == []  # by name
    assert _upload_problems(families, Media(path="/tmp/a.jpg")) == [
        ("media[0]", "acme's upload takes only image/png and video/* files, not image/jpeg", True)
    ]
    unnamed = Media(path="/tmp/clip", kind="video")  # no extension postmux knows, no mime_type
    assert _upload_problems(families, unnamed) == [
        ("media[0]", "acme's upload needs a MIME type; pass Media(..., mime_type=...)", True)
    ]
    assert _upload_problems(families, Media(path="/tmp/clip", kind="video", mime_type="video/mp4")) == []
    assert _upload_problems(families, Media(url="https://cdn.example.com/a.jpg")) == []  # no upload
    assert _upload_problems({}, unnamed) == []  # undeclared: any file, as before


NEVER = Capabilities(
    platforms={
        "tiktok": PlatformSupport(
            options=frozenset({"draft", "ai_generated"}),
            draft=True,
            target_text=True,
            never={"text": frozenset({"video", "draft"}), "schedule_at": frozenset({"carousel"})},
        ),
        "instagram": PlatformSupport(
            options=frozenset({"alt_text", "story"}),
            never={"alt_text": frozenset({"carousel"}), "story": frozenset({"carousel"})},
        ),
    },
    scheduling=True,
)
CLIP = "https://cdn.example.com/a.mp4"
JPEGS = ["https://cdn.example.com/1.jpg", "https://cdn.example.com/2.jpg"]


def _never(post: Post) -> list[tuple[str, str, bool]]:
    return [(p.field, p.message, p.unsupported) for p in validate(post, NEVER, provider="acme")]


def test_never_refuses_a_field_where_every_word_of_its_context_holds() -> None:
    draft = TikTokOptions(draft=True)
    own = Target("tiktok", "b", text="its own")
    assert _never(Post(text="hi", media=[CLIP], targets=["tiktok:a", own], tiktok=draft)) == [
        ("text", "TikTok video drafts take no caption at acme", True),
        ("targets[1].text", "TikTok video drafts take no caption at acme", True),
    ]
    assert _never(Post(text="hi", media=[CLIP], targets=[own], tiktok=draft))[0][0] == "targets[0].text"
    assert _never(Post(media=[CLIP], targets=["tiktok:a"], tiktok=draft)) == []  # no caption: nothing lost
    assert _never(Post(text="hi", media=[CLIP], targets=["tiktok:a"])) == []  # a post, not a draft
    assert _never(Post(text="hi", media=JPEGS, targets=["tiktok:a"], tiktok=draft)) == []  # photos


def test_never_knows_carousels_schedules_and_lets_a_neutral_default_by() -> None:
    soon = datetime.now(UTC) + timedelta(days=1)
    assert _never(Post(text="x", media=JPEGS, targets=["tiktok:a"], schedule_at=soon)) == [
        ("schedule_at", "TikTok carousels take no schedule at acme", True)
    ]
    assert _never(Post(text="x", media=JPEGS[:1], targets=["tiktok:a"], schedule_at=soon)) == []  # one photo
    assert _never(Post(text="x", media=[CLIP], targets=["tiktok:a"], schedule_at=soon)) == []
    alt = InstagramOptions(alt_text="two cats")
    assert _never(Post(text="x", media=JPEGS, targets=["instagram:a"], instagram=alt)) == [
        ("instagram.alt_text", "Instagram carousels take no alt_text at acme", True),
    ]
    both = InstagramOptions(story=True, alt_text="two cats")  # both named by the platform's rules
    assert _never(Post(text="x", media=JPEGS, targets=["instagram:a"], instagram=both)) == [
        ("instagram.alt_text", "Instagram stories take no alt text (feed images only)", False),
        ("instagram.story", "an Instagram story is one photo or one video, not 2 media items", False),
    ]
    feed = InstagramOptions(story=False)  # the neutral default: not sending it gives it
    assert _never(Post(text="x", media=JPEGS, targets=["instagram:a"], instagram=feed)) == []
