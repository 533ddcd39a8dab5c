"""Types that catch mistakes: option values are ``Literal`` types, checked at run time as before,
and ``postmux.TimeoutError`` is also the built-in ``TimeoutError``."""

from __future__ import annotations

import builtins
import pickle
import typing
from typing import Any

import pytest

import postmux
from postmux import Media, MediaKind, Post, PostmuxError, ThreadsOptions, TikTokOptions, YouTubeOptions
from postmux.options import ThreadsReplyControl, TikTokPrivacy, YouTubeVisibility
from postmux.rules import THREADS_REPLY_CONTROL, TIKTOK_PRIVACY, YOUTUBE_VISIBILITY

from .fakes import FULL, Vendor
from .test_publisher import make, processing, statuses


def test_the_literal_types_are_the_values_validation_accepts() -> None:
    assert set(typing.get_args(TikTokPrivacy)) == TIKTOK_PRIVACY
    assert "SELF_ONLY" in TIKTOK_PRIVACY
    assert set(typing.get_args(ThreadsReplyControl)) == THREADS_REPLY_CONTROL
    assert set(typing.get_args(YouTubeVisibility)) == YOUTUBE_VISIBILITY == {"public", "private", "unlisted"}


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"tiktok": TikTokOptions(privacy="NOT_A_PRIVACY")}, "tiktok.privacy"),  # type: ignore[arg-type]
        ({"tiktok": TikTokOptions(privacy=5)}, "tiktok.privacy"),  # type: ignore[arg-type]
        ({"threads": ThreadsOptions(reply_control="nobody")}, "threads.reply_control"),  # type: ignore[arg-type]
        ({"youtube": YouTubeOptions(visibility="hidden")}, "youtube.visibility"),  # type: ignore[arg-type]
    ],
)
def test_a_wrong_value_is_still_a_problem_naming_the_field(options: dict[str, Any], field: str) -> None:
    platform = field.split(".")[0]
    post = Post(text="hi", media=["https://cdn.example.com/clip.mp4"], targets=[f"{platform}:a"], **options)
    problems = postmux.validation.validate(post, FULL, provider="fake")
    assert field in [p.field for p in problems], problems


def test_media_kind_takes_the_words_and_leaves_a_wrong_one_to_validation() -> None:
    assert Media(url="https://cdn.example.com/c", kind="photo").kind is MediaKind.PHOTO
    wrong = Media(url="https://cdn.example.com/c", kind="gif")  # type: ignore[arg-type]
    assert wrong.kind == "gif"


def test_timeout_error_is_the_builtin_too() -> None:
    assert issubclass(postmux.TimeoutError, builtins.TimeoutError)
    assert issubclass(postmux.TimeoutError, PostmuxError)
    assert postmux.TimeoutError.__mro__[:3] == (postmux.TimeoutError, PostmuxError, builtins.TimeoutError)
    error = postmux.TimeoutError("not every publication was final after 5 s", processing("a"))
    assert str(error) == "not every publication was final after 5 s"
    assert error.errno is None


def test_wait_can_be_caught_as_the_builtin_and_keeps_its_report() -> None:
    vendor = Vendor({"GET /posts/p-a": statuses("processing")})
    with make(vendor) as pub:
        try:
            pub.wait(processing("a"), timeout=0, interval=1)
        except builtins.TimeoutError as exc:  # code that knows nothing of postmux
            caught: BaseException = exc
    assert isinstance(caught, postmux.TimeoutError)
    again = pickle.loads(pickle.dumps(caught))
    assert type(again) is postmux.TimeoutError
    assert str(again) == str(caught)
    assert again.report == caught.report
    assert isinstance(again.report, postmux.PublishReport)
    assert again.report[0].status is postmux.Status.PROCESSING
