"""``validate()`` never raises, and a post it passes always makes a request (issue 10, hypothesis).

Any generated post (wrong types, unhashable values, lone surrogates, NaN and
sets in ``extras``, naive datetimes…) gives a list of problems or none; with
none, every installed vendor's flows are stepped by hand
(:func:`postmux.flow.step`) and their first requests must build: never an
exception other than the post's own problems, never a request for a post that
has problems.
"""

from __future__ import annotations

import math
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import attrs
import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import postmux
import postmux.wire
from postmux import (
    FacebookOptions,
    InstagramOptions,
    Media,
    Post,
    Problem,
    Route,
    Target,
    ThreadsOptions,
    TikTokOptions,
    YouTubeOptions,
)
from postmux.adapter import Adapter
from postmux.flow import step
from postmux.portable import vendor_problems
from postmux.validation import validate
from postmux.wire import base_converter, parse, read_json
from postmux_postpeer.adapter import PostPeerAdapter
from postmux_wahdx.adapter import WahdxAdapter
from postmux_wonda.adapter import WondaAdapter

from .fakes import FULL, FakeAdapter

ADAPTERS: list[Adapter] = [PostPeerAdapter(), WahdxAdapter(), WondaAdapter(), FakeAdapter()]
PLATFORMS = ["tiktok", "instagram", "threads", "facebook", "youtube"]
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
CLIP = Path(tempfile.mkdtemp(prefix="postmux-property-")) / "clip.mp4"
CLIP.write_bytes(b"\x00\x00\x00\x18ftypmp42")

any_text = st.text(alphabet=st.characters(exclude_categories=()), max_size=40)  # lone surrogates included
junk = st.one_of(
    st.none(),
    st.integers(),
    st.floats(allow_nan=True),
    st.booleans(),
    any_text,
    st.binary(max_size=8),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
    st.sets(st.integers(), max_size=2),
)
json_ish = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), any_text),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.text(max_size=6), inner, max_size=3),
        st.sets(st.integers(), max_size=2),
        st.tuples(inner),
    ),
    max_leaves=8,
)
urls = st.one_of(
    st.sampled_from(
        [
            "https://cdn.example.com/clip.mp4",
            "https://cdn.example.com/a.jpg",
            "https://cdn.example.com/b.png",
            "http://cdn.example.com/c.mov",
            "https://cdn.example.com/noext",
            "ftp://x/a.jpg",
        ]
    ),
    any_text.map(lambda t: "https://cdn.example.com/" + t),
)


def _media(value: Any) -> Any:
    try:
        return Media(**value)
    except postmux.ValidationError:
        return "not a medium"


media_item = st.one_of(
    urls,
    st.just(CLIP),
    st.fixed_dictionaries(
        {"url": st.one_of(urls, junk)},
        optional={"kind": st.one_of(st.sampled_from(["photo", "video", "gif"]), junk), "mime_type": junk},
    ).map(_media),
    junk,
)
target = st.one_of(
    st.builds(
        lambda p, a: f"{p}:{a}",
        st.sampled_from([*PLATFORMS, "myspace"]),
        st.sampled_from(["acc-1", "@brand", ""]),
    ),
    st.builds(Target, st.one_of(st.sampled_from(PLATFORMS), junk), st.one_of(st.just("acc-2"), junk)),
    st.builds(lambda p, t: Target(p, "acc-3", text=t), st.sampled_from(PLATFORMS), st.one_of(any_text, junk)),
    junk,
)


def _options(cls: type) -> st.SearchStrategy[Any]:
    fields = {
        f.name: st.one_of(junk, st.sampled_from(["PUBLIC_TO_EVERYONE", "public", "everyone"]))
        for f in attrs.fields(cls)
    }
    return st.fixed_dictionaries({}, optional=fields).map(lambda kw: cls(**kw))


schedule = st.one_of(
    st.none(),
    st.timedeltas(min_value=timedelta(minutes=-5), max_value=timedelta(days=40)).map(lambda d: NOW + d),
    st.just(datetime(2026, 6, 2, 12, 0)),  # naive
    junk,
)
posts = st.builds(
    Post,
    text=st.one_of(any_text, junk),
    media=st.one_of(st.lists(media_item, max_size=3), media_item),
    targets=st.one_of(st.lists(target, max_size=3), target),
    title=st.one_of(st.none(), any_text, junk),
    tiktok=st.one_of(st.none(), _options(TikTokOptions), junk),
    instagram=st.one_of(st.none(), _options(InstagramOptions)),
    threads=st.one_of(st.none(), _options(ThreadsOptions)),
    facebook=st.one_of(st.none(), _options(FacebookOptions)),
    youtube=st.one_of(st.none(), _options(YouTubeOptions), junk),
    schedule_at=schedule,
    extras=st.one_of(
        st.dictionaries(
            st.sampled_from(["postpeer", "wahdx", "wonda", "fake"]),
            st.dictionaries(st.text(max_size=6), json_ish, max_size=3),
            max_size=2,
        ),
        junk,
    ),
    key=st.one_of(st.none(), any_text, junk),
)


def first_requests(adapter: Adapter, post: Post) -> list[httpx.Request]:
    """Step the vendor's staging and publishing flows by hand: the first request of each, built."""
    routes = [Route(t, t.account) for t in post.targets]
    made: list[httpx.Request] = []
    staging = adapter.stage(post, routes)
    try:
        made.append(step(staging))
        media = tuple(f"m{i}" for i in range(len(post.media)))
    except StopIteration as stop:
        media = stop.value
    finally:
        staging.close()
    for batch in adapter.batches(post, routes):
        flow = adapter.publish(post, batch, media)
        try:
            made.append(step(flow))
        except StopIteration:
            pass
        finally:
            flow.close()
    for request in made:
        if not isinstance(request.stream, httpx.ByteStream):
            continue
        body = request.read()
        assert isinstance(body, bytes)
        assert b"NaN" not in body or b'"NaN' in body  # never JSON's non-standard NaN/Infinity
    return made


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(post=posts)
def test_validate_never_raises_and_a_valid_post_makes_a_request(post: Post) -> None:
    problems = validate(post, FULL, now=NOW)
    assert all(isinstance(p, Problem) and isinstance(p.field, str) for p in problems)
    for adapter in ADAPTERS:
        found = vendor_problems(adapter, post, now=NOW)
        assert all(isinstance(p, Problem) for p in found)
        if not found:
            first_requests(adapter, post)


def vid(**kwargs: Any) -> Post:
    """A one-video post to TikTok, with ``kwargs`` on top."""
    kwargs.setdefault("targets", ["tiktok:a"])
    return Post(media=["https://cdn.example.com/a.mp4"], **kwargs)


WRONG: Any = ["x"]  # a value of the wrong type, unhashable too


@pytest.mark.parametrize(
    ("post", "field"),
    [
        (vid(text="bad \ud800 half"), "text"),
        (vid(title="\udfff", targets=["youtube:a"]), "title"),
        (vid(targets=[Target("tiktok", "a", text="\ud83d")]), "targets[0].text"),
        (vid(targets=[Target(WRONG, "a")]), "targets[0].platform"),
        (vid(targets=[Target("tiktok", WRONG)]), "targets[0].account"),
        (vid(tiktok=TikTokOptions(privacy=WRONG)), "tiktok.privacy"),
        (vid(extras={"fake": {"n": math.nan}}), "extras.fake.n"),
        (vid(extras={"fake": {"s": {1, 2}}}), "extras.fake.s"),
        (vid(extras={"fake": {"d": {"x": [math.inf]}}}), "extras.fake.d.x[0]"),
        (vid(extras={"fake": {1: "a"}}), "extras.fake"),
    ],
)
def test_the_problem_names_the_field(post: Post, field: str) -> None:
    for adapter in ADAPTERS:
        found = vendor_problems(adapter, post, now=NOW)
        assert field in [p.field for p in found], (adapter.name, found)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [({"url": 123}, "media.url"), ({"path": 7}, "media.path"), ({"url": b"https://x/a.jpg"}, "media.url")],
)
def test_a_wrongly_typed_medium_is_a_validation_error(kwargs: dict[str, Any], field: str) -> None:
    with pytest.raises(postmux.ValidationError) as raised:
        Media(**kwargs)
    assert raised.value.fields == (field,)


@pytest.mark.parametrize(
    "content",
    [
        b"[" * 100_000 + b"]" * 100_000,
        b'{"a":' * 5_000 + b"1" + b"}" * 5_000,
        b"[" * 70 + b"]" * 70,
        b'{"x": "' + b"a" * 5000 + b'"}',
    ],
    ids=["deep-list", "deep-object", "just-too-deep", "huge"],
)
def test_a_deep_or_huge_body_is_a_response_error(content: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(postmux.wire, "MAX_JSON_BYTES", 4096)  # the huge case, without 64 MiB in a test
    response = httpx.Response(200, content=content)
    with pytest.raises(postmux.ResponseError):
        read_json(response, provider="fake")


def test_parse_of_deep_data_is_a_response_error() -> None:
    deep: Any = []
    for _ in range(100_000):
        deep = [deep]
    with pytest.raises(postmux.ResponseError, match=r"nested too deeply|cannot read"):
        parse(base_converter(), deep, Target, provider="fake")
