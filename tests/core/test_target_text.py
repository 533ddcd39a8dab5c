"""Per-target text and text-only posts in the core's validation, against fake capabilities."""

from __future__ import annotations

import attrs

from postmux import PlatformSupport, Post, Target
from postmux.validation import validate

from .fakes import FULL

OWN_TEXT = attrs.evolve(
    FULL,
    platforms={
        **FULL.platforms,
        "threads": attrs.evolve(FULL.platforms["threads"], target_text=True),
    },
)


def problems(post: Post, caps: object = FULL) -> list[tuple[str, bool, str]]:
    return [(p.field, p.unsupported, p.message) for p in validate(post, caps, provider="fake")]  # type: ignore[arg-type]


def test_a_vendor_without_per_target_text_refuses_it_naming_the_field() -> None:
    post = Post(text="hi", targets=[Target("threads", "a", text="own")])
    ((field, unsupported, message),) = problems(post)
    assert (field, unsupported) == ("targets[0].text", True)
    assert "cannot send a text of its own to one Threads target" in message
    assert problems(post, OWN_TEXT) == []


def test_a_targets_own_text_is_checked_against_its_platform_and_replaces_the_posts_there() -> None:
    long_for_threads = "x" * 501
    post = Post(
        text=long_for_threads,  # fine for Facebook, too long for Threads — but Threads has its own
        targets=[Target("threads", "a", text="short"), Target("facebook", "b")],
    )
    assert problems(post, OWN_TEXT) == []
    too_long = Post(text="ok", targets=[Target("threads", "a", text=long_for_threads)])
    assert [(f, u) for f, u, _ in problems(too_long, OWN_TEXT)] == [("targets[0].text", False)]
    not_text = Post(text="ok", targets=[Target("threads", "a", text=3)])  # type: ignore[arg-type]
    assert [f for f, _, _ in problems(not_text, OWN_TEXT)] == ["targets[0].text"]


def test_text_alone_needs_a_platform_and_a_vendor_that_take_it_and_some_text() -> None:
    assert problems(Post(text="words", targets=["threads:a", "facebook:b"])) == []
    (tiktok,) = problems(Post(text="words", targets=["tiktok:a"]))
    assert tiktok[:2] == ("media", False)  # TikTok itself takes no text posts
    no_text_only = attrs.evolve(FULL, platforms={"threads": PlatformSupport()})
    (lack,) = problems(Post(text="words", targets=["threads:a"]), no_text_only)
    assert lack[:2] == ("media", True)
    assert "fake cannot publish Threads posts without media" in lack[2]
    (empty,) = problems(Post(text=" ", targets=["threads:a"]))
    assert empty[0] == "text"
    assert "no media needs text" in empty[2]
    (own_empty,) = problems(Post(text="x", targets=[Target("threads", "a", text="")]), OWN_TEXT)
    assert own_empty[0] == "targets[0].text"


def test_the_same_account_twice_is_a_duplicate_whatever_its_text() -> None:
    post = Post(text="hi", targets=[Target("threads", "a"), Target("threads", "a", text="again")])
    assert ("targets[1]", False) in [(f, u) for f, u, _ in problems(post, OWN_TEXT)]


def test_text_for_and_the_ledger_digest() -> None:
    own = Target("threads", "a", text="own")
    post = Post(text="all", targets=[own, Target("facebook", "b")])
    assert post.text_for(own) == "own"
    assert post.text_for(post.targets[1]) == "all"
    plain = Post(text="all", targets=["threads:a", "facebook:b"])
    assert plain.ledger_key == Post(text="all", targets=["threads:z"]).ledger_key  # targets are not content
    assert post.ledger_key != plain.ledger_key  # a target's own text is
