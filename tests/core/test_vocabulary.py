"""The declared vocabulary: option maps both ways, the shared status rules, the one error parser."""

from __future__ import annotations

import attrs
import httpx
import pytest

from postmux import (
    Capabilities,
    FacebookOptions,
    InstagramOptions,
    InvalidRequestError,
    MediaKind,
    PlatformSupport,
    Post,
    ProviderError,
    RateLimitError,
    ServerError,
    Status,
    TikTokOptions,
)
from postmux.extras import merge
from postmux.options import PlatformOptions
from postmux.validation import validate
from postmux.vocabulary import ErrorEnvelope, Opt, OptionMap, StatusMap, Vocabulary

VIDEO = "https://cdn.example.com/clip.mp4"
PHOTOS = ["https://cdn.example.com/a.jpg", "https://cdn.example.com/b.jpg"]

TIKTOK = OptionMap(
    TikTokOptions,
    {
        "privacy": "privacyLevel",
        "allow_comment": "!disableComment",
        "ai_generated": Opt(wire="isAigc", on=frozenset({"video"})),
        "draft": Opt(wire="postMode", values={False: "direct", True: "inbox"}),
        "cover_index": "coverIndex",
    },
)


def test_to_wire_renames_inverts_and_sends_the_neutral_defaults() -> None:
    assert TIKTOK.to_wire(None, kind=MediaKind.VIDEO) == {
        "privacyLevel": "SELF_ONLY",
        "disableComment": False,
        "isAigc": False,
        "postMode": "direct",
    }
    sent = TIKTOK.to_wire(TikTokOptions(allow_comment=False, draft=True), kind=MediaKind.VIDEO)
    assert (sent["disableComment"], sent["postMode"]) == (True, "inbox")


def test_a_field_limited_to_videos_is_left_out_of_photo_posts() -> None:
    sent = TIKTOK.to_wire(TikTokOptions(cover_index=1), kind=MediaKind.PHOTO)
    assert "isAigc" not in sent
    assert sent["coverIndex"] == 1


def test_the_reverse_mapping_comes_from_the_same_declaration() -> None:
    sent = TIKTOK.to_wire(TikTokOptions(privacy="PUBLIC_TO_EVERYONE", allow_comment=False, draft=True))
    assert TIKTOK.neutral(sent)["allow_comment"] is False
    back = TIKTOK.from_wire(sent)
    assert isinstance(back, TikTokOptions)
    assert (back.privacy, back.allow_comment, back.draft) == ("PUBLIC_TO_EVERYONE", False, True)
    assert TIKTOK.docs["allow_comment"] == "!disableComment"
    assert TIKTOK.only == {"ai_generated": frozenset({"video"})}


def test_built_fields_are_documented_but_written_by_the_plugin() -> None:
    story = OptionMap(InstagramOptions, {"story": Opt(wire="product", values={True: "STORIES"}, built=True)})
    assert story.to_wire(InstagramOptions(story=True)) == {}
    assert story.docs == {"story": "product"}
    assert story.neutral({"product": "STORIES"}) == {"story": True}


def test_an_unknown_field_or_context_is_refused_at_declaration() -> None:
    with pytest.raises(ValueError, match="no fields"):
        OptionMap(TikTokOptions, {"privacyy": "privacyLevel"})
    with pytest.raises(ValueError, match="unknown contexts"):
        Opt(wire="x", on=frozenset({"reel"}))


# -- statuses --------------------------------------------------------------------

STATUSES = StatusMap(
    {"DONE": Status.PUBLISHED, "FAILED": Status.FAILED}, reasons={"user_cancelled": Status.CANCELLED}
)


def test_status_map_shared_rules() -> None:
    assert STATUSES("done") is Status.PUBLISHED  # any case
    assert STATUSES("SOMETHING_NEW") is Status.PROCESSING  # unknown: still working
    assert STATUSES("DONE", draft=True) is Status.INBOX  # a draft that "published" is in the inbox
    assert STATUSES("FAILED", reason="user_cancelled") is Status.CANCELLED
    assert STATUSES(None, default=Status.QUEUED) is Status.QUEUED
    assert dict(STATUSES) == {"DONE": Status.PUBLISHED, "FAILED": Status.FAILED}


# -- errors -------------------------------------------------------------------------

ENVELOPE = ErrorEnvelope(
    name="Acme",
    request_id=("error.log_id",),
    request_id_header="x-request-id",
    ok_codes=frozenset({"ok"}),
    classes={"rate_limit_exceeded": RateLimitError},
)
REQUEST = httpx.Request("POST", "https://api.acme.test/x")


def _error(status: int, body: str, **headers: str) -> ProviderError:
    response = httpx.Response(status, text=body, headers=headers, request=REQUEST)
    return ENVELOPE.error_for(response, body, provider="acme")


def test_the_envelope_finds_message_code_and_request_id() -> None:
    error = _error(400, '{"error": {"code": "bad_field", "message": "title too long", "log_id": "L1"}}')
    assert type(error) is InvalidRequestError
    assert (error.code, error.request_id) == ("bad_field", "L1")
    assert error.message == "title too long (request id L1)"
    assert _error(500, '{"message": "x"}', **{"x-request-id": "H7"}).request_id == "H7"


def test_a_code_picks_its_class_whatever_the_status() -> None:
    error = _error(
        400, '{"error": {"code": "rate_limit_exceeded", "message": "slow"}}', **{"Retry-After": "3"}
    )
    assert isinstance(error, RateLimitError)
    assert (error.status_code, error.retry_after) == (400, 3.0)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("<html>bad gateway</html>", "HTTP 502: Acme answered with an HTML page"),
        ("upstream timed out", "upstream timed out"),
        ("", "HTTP 502"),
        ("[1]", "HTTP 502"),
        ("[" * 100_000, "HTTP 502"),  # nested past json's depth: a RecursionError, caught
    ],
)
def test_bodies_that_are_not_the_envelope(body: str, message: str) -> None:
    error = _error(502, body)
    assert isinstance(error, ServerError)
    assert error.message == message


def test_a_refusal_inside_a_2xx() -> None:
    ok = httpx.Response(200, json={"data": {}, "error": {"code": "ok", "message": ""}}, request=REQUEST)
    assert ENVELOPE.refusal(ok.json(), ok, provider="acme") is None
    no = httpx.Response(200, json={"error": {"code": "spam_risk", "message": "too many"}}, request=REQUEST)
    refused = ENVELOPE.refusal(no.json(), no, provider="acme")
    assert refused is not None
    assert (refused.code, refused.message, refused.status_code) == ("spam_risk", "too many", 200)
    flagged = ErrorEnvelope(success="success")
    answer = httpx.Response(200, json={"success": False, "error": "nope"}, request=REQUEST)
    refused = flagged.refusal(answer.json(), answer, provider="acme")
    assert refused is not None
    assert refused.message == "nope"


# -- options per media kind and mode, in the capabilities ----------------------------

CAPS = Capabilities(
    platforms={
        "tiktok": PlatformSupport(
            draft=True,
            options=TIKTOK.names | {"allow_duet"},
            only={**TIKTOK.only, "allow_duet": frozenset({"post"}), "text": frozenset({"post"})},
        )
    }
)


def test_an_option_for_videos_only_is_refused_on_photos_naming_the_field() -> None:
    post = Post(text="x", media=PHOTOS, targets=["tiktok:a"], tiktok=TikTokOptions(ai_generated=True))
    (problem,) = validate(post, CAPS, provider="acme")
    assert (problem.field, problem.unsupported) == ("tiktok.ai_generated", True)
    assert problem.message == "TikTok photo posts take no ai_generated at acme"
    neutral = Post(text="x", media=PHOTOS, targets=["tiktok:a"], tiktok=TikTokOptions(ai_generated=False))
    assert validate(neutral, CAPS, provider="acme") == []  # the neutral default: nothing is lost


def test_a_draft_takes_no_caption_or_settings_where_the_vendor_says_so() -> None:
    post = Post(
        text="hello",
        media=[VIDEO],
        targets=["tiktok:a"],
        tiktok=TikTokOptions(draft=True, allow_duet=False),
    )
    problems = validate(post, CAPS, provider="acme")
    assert {(p.field, p.message) for p in problems} == {
        ("text", "TikTok drafts take no caption at acme"),
        ("tiktok.allow_duet", "TikTok drafts take no allow_duet at acme"),
    }
    assert validate(Post(media=[VIDEO], targets=["tiktok:a"], tiktok=TikTokOptions(draft=True)), CAPS) == []


STORY_AND_TEXT = Capabilities(
    platforms={
        "instagram": OptionMap(
            InstagramOptions,
            {
                "story": Opt(wire="contentType", values={True: "story"}),
                "collaborators": Opt(wire="collaborators", on=frozenset({"post"})),
                "share_to_feed": Opt(wire="shareToFeed", on=frozenset({"video", "post"})),
            },
        ).support(),
        "facebook": OptionMap(
            FacebookOptions,
            {
                "link": Opt(wire="link", on=frozenset({"text"})),
                "thumbnail_url": Opt(wire="t", on=frozenset({"video"})),
            },
        ).support(text_only=True),
    }
)


def test_a_story_is_a_mode_an_option_can_be_kept_from() -> None:
    story = InstagramOptions(story=True, collaborators=["ana"], share_to_feed=False)
    post = Post(text="x", media=[VIDEO], targets=["instagram:a"], instagram=story)
    assert {(p.field, p.message, p.unsupported) for p in validate(post, STORY_AND_TEXT, provider="acme")} == {
        ("instagram.collaborators", "Instagram stories take no collaborators at acme", True),
        ("instagram.share_to_feed", "Instagram stories take no share_to_feed at acme", True),
    }
    feed = attrs.evolve(post, instagram=attrs.evolve(story, story=False))
    assert validate(feed, STORY_AND_TEXT, provider="acme") == []
    reels_only = OptionMap(
        InstagramOptions, {"share_to_feed": Opt(wire="s", on=frozenset({"video", "post"}))}
    )
    assert reels_only.to_wire(InstagramOptions(story=True), kind="video") == {}  # left out of a story
    assert reels_only.to_wire(InstagramOptions(), kind="video") == {"s": True}
    only_stories = Capabilities(
        platforms={
            "instagram": OptionMap(
                InstagramOptions, {"collaborators": Opt(wire="c", on=frozenset({"story"}))}
            ).support()
        }
    )
    feed = attrs.evolve(post, instagram=InstagramOptions(collaborators=["ana"]))
    (problem,) = validate(feed, only_stories, provider="acme")
    assert problem.message == "Instagram posts that are not stories take no collaborators at acme"


def test_a_strict_option_is_refused_outside_its_contexts_even_at_its_neutral_default() -> None:
    def story_with(flag: Opt) -> list[tuple[str, str, bool]]:
        fields = {"story": Opt(wire="story"), "share_to_feed": flag}
        caps = Capabilities(platforms={"instagram": OptionMap(InstagramOptions, fields).support()})
        story = InstagramOptions(story=True, share_to_feed=True)  # True: the neutral default
        post = Post(text="x", media=[VIDEO], targets=["instagram:a"], instagram=story)
        return [(p.field, p.message, p.unsupported) for p in validate(post, caps, provider="acme")]

    reels = frozenset({"video", "post"})
    assert story_with(Opt(wire="s", on=reels)) == []  # let by: not sending it gives the default
    assert story_with(Opt(wire="s", on=reels, strict=True)) == [
        ("instagram.share_to_feed", "Instagram stories take no share_to_feed at acme", True)
    ]
    strict = OptionMap(InstagramOptions, {"share_to_feed": Opt(wire="s", on=reels, strict=True)})
    assert strict.support().strict == frozenset({"share_to_feed"})
    assert strict.to_wire(InstagramOptions(story=True), kind="video") == {}


def test_text_is_the_kind_of_a_post_without_media() -> None:
    text = Post(
        text="x",
        targets=["facebook:a"],
        facebook=FacebookOptions(link="https://e.com", thumbnail_url="https://e.com/t.jpg"),
    )
    (problem,) = validate(text, STORY_AND_TEXT, provider="acme")
    assert (problem.field, problem.message) == (
        "facebook.thumbnail_url",
        "Facebook text posts take no thumbnail_url at acme",
    )
    photo = attrs.evolve(text, media=PHOTOS[:1], facebook=FacebookOptions(link="https://e.com"))
    (problem,) = validate(photo, STORY_AND_TEXT, provider="acme")
    assert (problem.field, problem.message) == ("facebook.link", "Facebook photo posts take no link at acme")
    mixed = attrs.evolve(photo, media=[VIDEO, PHOTOS[0]])  # no one kind: the mix is refused, not the link
    assert "facebook.link" not in {p.field for p in validate(mixed, STORY_AND_TEXT, provider="acme")}


def test_option_problems_are_the_platform_s_own_rules_whatever_the_vendor() -> None:
    from postmux import YouTubeOptions
    from postmux.validation import option_problems

    post = Post(text="x", media=[VIDEO], targets=["youtube:a"], youtube=YouTubeOptions(title="t" * 101))
    assert [(p.field, p.message) for p in option_problems(post, "youtube")] == [
        ("youtube.title", "YouTube title allows 100 characters, got 101")
    ]
    assert option_problems(post, "tiktok") == []  # no TikTok options set
    wrong = attrs.evolve(post, youtube=YouTubeOptions(title=7))  # type: ignore[arg-type]
    assert [p.field for p in option_problems(wrong, "youtube")] == ["youtube.title"]


# -- Post.extras and Post.kind ---------------------------------------------------------


def test_extras_have_one_meaning_mappings_merge_at_any_depth() -> None:
    body = {"a": 1, "settings": {"x": 1, "deep": {"k": 1}}, "list": [1]}
    out = merge(body, {"settings": {"y": 2, "deep": {"j": 2}}, "list": [2], "new": {"n": 1}})
    assert out == {
        "a": 1,
        "settings": {"x": 1, "y": 2, "deep": {"k": 1, "j": 2}},
        "list": [2],
        "new": {"n": 1},
    }


def test_post_kind() -> None:
    assert Post(media=[VIDEO]).kind is MediaKind.VIDEO
    assert Post(media=PHOTOS).kind is MediaKind.PHOTO
    assert Post(text="only text").kind is None
    assert Post(media=[VIDEO, PHOTOS[0]]).kind is None  # a mix is invalid: no one kind


def test_support_takes_the_options_and_their_limits_from_the_map() -> None:
    from postmux import InstagramOptions, PlatformSupport
    from postmux.vocabulary import Opt, OptionMap

    option_map = OptionMap(
        InstagramOptions, {"alt_text": Opt(wire="alt", on=frozenset({"photo"})), "story": "s"}
    )
    support = option_map.support(max_photos=10)
    assert support == PlatformSupport(
        options=frozenset({"alt_text", "story"}), max_photos=10, only=option_map.only
    )
    assert support.only == {"alt_text": frozenset({"photo"})}


def test_tiktok_api_names_every_tiktok_option_but_draft() -> None:
    import attrs

    from postmux import TikTokOptions
    from postmux.vocabulary import TIKTOK_API, OptionMap

    fields = {f.name for f in attrs.fields(TikTokOptions)}
    assert set(TIKTOK_API) == fields - {"draft"}
    assert OptionMap(TikTokOptions, TIKTOK_API).to_wire(
        TikTokOptions(allow_comment=False), defaults=False
    ) == {"disableComment": True}


def test_an_adapter_s_key_variable_comes_from_its_name_unless_declared() -> None:
    from postmux import Adapter

    class Made(Adapter):
        name = "my-vendor"

    class Declared(Adapter):
        name = "other"
        env_var = "OTHER_TOKEN"

    assert (Made.env_var, Declared.env_var) == ("MY_VENDOR_API_KEY", "OTHER_TOKEN")


def test_a_retry_time_in_the_body_is_the_hint_only_without_a_retry_after_header() -> None:
    from postmux import RateLimitError
    from postmux.vocabulary import seconds_until

    envelope = ErrorEnvelope(retry_after=("error.retryAt", "wait"))
    request = httpx.Request("GET", "https://vendor.test/x")
    body = '{"error": {"message": "slow"}, "wait": "12"}'
    error = envelope.error_for(httpx.Response(429, text=body, request=request), body, provider="v")
    assert isinstance(error, RateLimitError)
    assert error.retry_after == 12.0
    headed = httpx.Response(429, text=body, headers={"Retry-After": "3"}, request=request)
    assert envelope.error_for(headed, body, provider="v").retry_after == 3.0  # type: ignore[attr-defined]
    assert seconds_until("2000-01-01T00:00:00Z") == 0.0
    assert seconds_until(None) is None


def test_the_key_header_is_declared_with_its_scheme_or_written_by_hand() -> None:
    from postmux import Adapter, Secret

    class Plain(Adapter):
        name = "plain"
        default_base_url = "https://plain.test"
        auth_header = "X-Key"

    class Bearer(Adapter):
        name = "bearer"
        default_base_url = "https://bearer.test"
        auth_header = "Authorization"
        auth_scheme = "Bearer"

    class Undeclared(Adapter):
        name = "undeclared"
        default_base_url = "https://undeclared.test"

    key = Secret("sk_1")
    assert Plain().auth_headers(key) == {"X-Key": "sk_1"}
    assert Bearer().auth_headers(key) == {"Authorization": "Bearer sk_1"}
    with pytest.raises(NotImplementedError):
        Undeclared().auth_headers(key)


def _resolved_by_the_object(
    option_map: OptionMap, options: object, kind: str | None, defaults: bool
) -> dict[str, object]:
    """What ``to_wire`` must send: the object resolved by its own methods, then each field encoded."""
    given = options if options is not None else option_map.options()
    mode = "draft" if getattr(given, "draft", None) is True else "post"
    mode = "story" if mode == "post" and getattr(given, "story", None) is True else mode
    if defaults:
        by_kind = getattr(given, "resolved_for", None)
        resolved = by_kind(photos=kind == "photo") if by_kind is not None else given.resolved()  # type: ignore[attr-defined]
    else:
        resolved = given
    out: dict[str, object] = {}
    for name, o in option_map.fields.items():
        value = getattr(resolved, name)
        if value is None and defaults:
            value = o.default
        if o.built or value is None or not o.carried(kind, mode):
            continue
        value = o.encode(value)
        if value is not None:
            out[o.wire] = value
    return out


@pytest.mark.parametrize("vendor", ["wahdx", "wonda", "postpeer"])
def test_to_wire_sends_what_the_options_resolve_to_in_every_context(vendor: str) -> None:
    """The per-context plan (the defaults of a blank object, worked out once) sends, field for
    field, what resolving each object by its own methods would."""
    import importlib

    vocabulary: Vocabulary = importlib.import_module(f"postmux_{vendor}.vocabulary").VOCABULARY
    samples: dict[str, list[PlatformOptions | None]] = {
        "tiktok": [
            None,
            TikTokOptions(),
            TikTokOptions(privacy="PUBLIC_TO_EVERYONE", allow_comment=False, ai_generated=True),
            TikTokOptions(draft=True, allow_duet=False, cover_index=2, auto_add_music=False),
            TikTokOptions(brand_organic=True, branded_content=True, cover_timestamp_ms=0, allow_stitch=True),
        ],
        "instagram": [
            None,
            InstagramOptions(),
            InstagramOptions(share_to_feed=False, story=True, collaborators=["a"]),
        ],
        "threads": [None],
        "facebook": [None, FacebookOptions(draft=True, link="https://example.com")],
    }
    for option_map in vocabulary.options:
        for options in samples.get(option_map.platform, [None]):
            for kind in (None, MediaKind.VIDEO, MediaKind.PHOTO, "text"):
                for defaults in (True, False):
                    want = _resolved_by_the_object(option_map, options, kind and str(kind), defaults)
                    for _ in range(2):  # planned, then from the kept plan
                        assert option_map.to_wire(options, kind=kind, defaults=defaults) == want


def test_to_wire_resolves_an_option_subclass_by_its_own_methods() -> None:
    @attrs.frozen(slots=True)
    class Careful(TikTokOptions):
        def resolved_for(self, *, photos: bool) -> TikTokOptions:
            return attrs.evolve(super().resolved_for(photos=photos), allow_comment=False)

    assert TIKTOK.to_wire(Careful(), kind=MediaKind.VIDEO)["disableComment"] is True
    assert TIKTOK.to_wire(TikTokOptions(), kind=MediaKind.VIDEO)["disableComment"] is False


def test_a_retry_time_past_any_float_is_no_hint() -> None:
    """A whole number of 400 digits (JSON allows it) made ``float()`` raise OverflowError from error_for."""
    from postmux import RateLimitError
    from postmux.vocabulary import seconds_until

    assert seconds_until(10**400) is None
    envelope = ErrorEnvelope(retry_after=("deferUntil",))
    body = '{"message": "slow", "deferUntil": ' + "9" * 400 + "}"
    request = httpx.Request("GET", "https://vendor.test/x")
    error = envelope.error_for(httpx.Response(429, text=body, request=request), body, provider="v")
    assert isinstance(error, RateLimitError)
    assert error.retry_after is None
