"""The per-publish shortcuts (issue 15): each answers exactly what the general path it skips would."""

from __future__ import annotations

from datetime import datetime

import attrs
import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from postmux import Post, Problem, Publisher, ResponseError, UnsupportedError, ValidationError
from postmux.rules import _COUNTERS, TextUnit, count
from postmux.secrets import Secret
from postmux.wire import base_converter, parse

from .fakes import KEY, NARROW, FakeAdapter


@given(st.text(), st.sampled_from(list(TextUnit)))
def test_a_text_is_counted_as_its_units_counter_counts_it(text: str, unit: TextUnit) -> None:
    """``count`` answers an ASCII text by its length without encoding it: the same number."""
    assert count(text, unit) == _COUNTERS[unit](text)


@pytest.mark.parametrize("text", ["plain words #tag", "x" * 2201, "\U0001f600" * 1101, "é" * 2201])
def test_the_ascii_shortcut_keeps_every_unit_and_limit(text: str) -> None:
    for unit in TextUnit:
        assert count(text, unit) == _COUNTERS[unit](text)


@attrs.frozen(kw_only=True)
class _Answer:
    id: str | None = None
    note: str | None = None


@pytest.mark.parametrize("value", [None, "", "abc"])
def test_an_optional_string_is_read_as_it_is(value: str | None) -> None:
    got = parse(base_converter(), {"id": value}, _Answer, provider="fake")
    assert got == _Answer(id=value)


@pytest.mark.parametrize("value", [3, True, 1.5, ["a"], {"a": 1}])
def test_an_optional_string_of_another_type_is_refused_naming_the_field(value: object) -> None:
    with pytest.raises(ResponseError) as caught:
        parse(base_converter(), {"note": "n", "id": value}, _Answer, provider="fake", what="answer")
    assert str(caught.value) == (
        "[fake] cannot read answer from the response: invalid value for type, expected str | None @ $.id"
    )  # cattrs' words for the TypeError, as before the shortcut


class _Narrow(FakeAdapter):
    capabilities = NARROW


def _publisher(adapter: FakeAdapter) -> Publisher:
    return Publisher(adapter, Secret(KEY), client=httpx.Client(transport=httpx.MockTransport(_never)))


def _never(request: httpx.Request) -> httpx.Response:
    raise AssertionError("nothing is sent")


def test_prepare_raises_what_validate_finds() -> None:
    """``prepare`` skips the publisher's layers only for a post with no problem at all."""
    with _publisher(FakeAdapter()) as pub:
        pub.prepare(Post(text="ok", media=["https://x.test/v.mp4"], targets=["tiktok:a"]))
        bad = Post(text=3, media=["https://x.test/v.mp4"], targets=["tiktok:a", "nowhere:b"])  # type: ignore[arg-type]
        with pytest.raises(ValidationError) as caught:
            pub.prepare(bad)
        assert list(caught.value.problems) == pub.validate(bad)
        assert {p.field for p in caught.value.problems} == {"text", "targets[1].platform"}


class _HouseRules(Publisher):
    """An app's own rule on top of the vendor's: no post without a hashtag."""

    def validate(self, post: Post, *, resolve: bool = False, now: datetime | None = None) -> list[Problem]:
        problems = super().validate(post, resolve=resolve, now=now)
        if isinstance(post.text, str) and "#" not in post.text:
            problems.append(Problem("text", "house rule: every post carries a hashtag"))
        return problems


def test_prepare_asks_a_subclass_that_overrides_validate() -> None:
    """The shortcut for a clean post must not skip an app's own rules: nothing is sent past them."""
    pub = _HouseRules(FakeAdapter(), Secret(KEY), client=httpx.Client(transport=httpx.MockTransport(_never)))
    with pub:
        pub.prepare(Post(text="ok #tag", media=["https://x.test/v.mp4"], targets=["tiktok:a"]))
        plain = Post(text="ok", media=["https://x.test/v.mp4"], targets=["tiktok:a"])
        with pytest.raises(ValidationError) as caught:
            pub.prepare(plain)
        assert [(p.field, p.message) for p in caught.value.problems] == [
            ("text", "house rule: every post carries a hashtag")
        ]
        with pytest.raises(ValidationError):
            pub.publish(plain)
    assert not Publisher._app_rules  # the library's own publishers keep the shortcut


def test_prepare_raises_a_vendor_lack_as_validate_names_it() -> None:
    with _publisher(_Narrow()) as pub:
        photo = Post(media=["https://x.test/1.jpg"], targets=["tiktok:a"])
        found = pub.validate(photo)
        assert found
        assert all(p.unsupported for p in found)
        with pytest.raises(UnsupportedError) as caught:
            pub.prepare(photo)
        assert list(caught.value.problems) == found
