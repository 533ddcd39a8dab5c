"""Portable pre-flight: ``check_portable`` and the vendors a refusal names, with no I/O."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import attrs
import httpx
import pytest

import postmux
from postmux import (
    Change,
    Media,
    PortabilityReport,
    Post,
    Publisher,
    Secret,
    TikTokOptions,
    UnknownProviderError,
    UnsupportedError,
    VendorCheck,
    check_portable,
)
from postmux.hosting import MEDIA_HOST_ENV
from postmux.plugins import PluginManager

from .fakes import FULL, KEY, NARROW, FakeAdapter


class Wide(FakeAdapter):
    name: ClassVar[str] = "wide"
    capabilities = FULL


class Narrow(FakeAdapter):
    name: ClassVar[str] = "narrow"
    capabilities = NARROW


class Titled(FakeAdapter):
    """TikTok photos with a title and a 4000 description, URLs only."""

    name: ClassVar[str] = "titled"
    capabilities = attrs.evolve(FULL, local_files=False)


class Broken(FakeAdapter):
    name: ClassVar[str] = "broken"

    def check(self, post: Post) -> list[postmux.Problem]:
        raise RuntimeError("a plugin bug")


def manager(*adapters: type[FakeAdapter]) -> PluginManager:
    plugins = PluginManager(load_entry_points=False)

    class Plugin:
        @staticmethod
        @postmux.hookimpl
        def postmux_register_providers(register: Any) -> None:
            for cls in adapters:
                register(cls)

    plugins.register(Plugin)
    return plugins


@pytest.fixture(autouse=True)
def _no_env_host(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(MEDIA_HOST_ENV, raising=False)


def carousel(**kwargs: Any) -> Post:
    kwargs.setdefault("targets", ["tiktok:a"])
    return Post(media=["https://x.test/1.jpg", "https://x.test/2.jpg"], **kwargs)


def test_each_vendor_says_what_it_refuses_and_what_it_changes() -> None:
    plugins = manager(Wide, Narrow, Titled)
    post = Post(
        media=["https://x.test/clip.mp4"],
        targets=["tiktok:a", "threads:b"],
        tiktok=TikTokOptions(allow_comment=True, allow_stitch=True),  # neutral defaults
        extras={"wide": {"raw": 1}},
    )
    report = check_portable(post, plugins=plugins)
    assert isinstance(report, PortabilityReport)
    assert [v.provider for v in report] == ["narrow", "titled", "wide"]
    assert report.accepted_by == ("titled", "wide")
    assert report.refused_by == ("narrow",)
    assert not report.portable

    narrow = report["narrow"]
    assert isinstance(narrow, VendorCheck)
    assert not narrow.accepted
    assert [p.field for p in narrow.refused] == ["targets[1].platform"]
    assert all(p.unsupported for p in narrow.refused)
    # narrow carries allow_comment but no allow_stitch: left out, which gives the same
    assert Change("tiktok.allow_stitch", narrow.changed[1].message) in narrow.changed
    assert "leaving it out gives the same (True)" in narrow.changed[1].message
    assert narrow.changed[0] == Change("extras.wide", "raw fields for wide; not sent to narrow")

    wide = report["wide"]
    assert wide.accepted
    assert wide.unchanged
    assert report["titled"].changed == (Change("extras.wide", "raw fields for wide; not sent to titled"),)
    text = report.summary()
    assert "narrow: refuses" in text
    assert "wide: publishes as written" in text
    assert "titled: changes" in text
    with pytest.raises(KeyError):
        report["nobody"]


def test_a_vendor_limit_tighter_than_the_platform_is_a_refusal_that_names_who_accepts(tmp_path: Path) -> None:
    plugins = manager(Wide, Narrow)
    one_photo = Post(media=["https://x.test/1.jpg"], targets=["tiktok:a"])
    report = check_portable(one_photo, plugins=plugins)
    assert report.accepted_by == ("wide",)
    (problem,) = report["narrow"].refused
    assert problem.unsupported
    assert "at least 2" in problem.message

    pub = Publisher(Narrow(), Secret(KEY), client=httpx.Client(), plugins=plugins)
    (named,) = pub.validate(one_photo)
    assert named.message.endswith("(accepted by: wide)")
    with pytest.raises(UnsupportedError, match=r"accepted by: wide"):
        pub.publish(one_photo)


THREADS_PLAIN = attrs.evolve(FULL.platforms["threads"], options=frozenset())


class NoReplyControl(FakeAdapter):
    """Publishes to Threads, without its reply_control."""

    name: ClassVar[str] = "plain"
    capabilities = attrs.evolve(
        FULL,
        platforms={**FULL.platforms, "threads": attrs.evolve(FULL.platforms["threads"], options=frozenset())},
    )


def test_a_refusal_names_no_vendor_that_cannot_publish_to_the_platform_at_all() -> None:
    # narrow publishes no Threads post at all, so it has no problem with reply_control either
    plugins = manager(NoReplyControl, Wide, Narrow)
    post = Post(
        text="hi", targets=["threads:a"], threads=postmux.ThreadsOptions(reply_control="mentioned_only")
    )
    pub = Publisher(NoReplyControl(), Secret(KEY), client=httpx.Client(), plugins=plugins)
    (named,) = pub.validate(post)
    assert named.field == "threads.reply_control"
    assert named.message.endswith("(accepted by: wide)")
    assert check_portable(post, plugins=plugins).accepted_by == ("wide",)


def test_plain_bad_input_names_no_vendor() -> None:
    plugins = manager(Wide, Narrow)
    pub = Publisher(Wide(), Secret(KEY), client=httpx.Client(), plugins=plugins)
    problems = pub.validate(carousel(text="#a " * 31, targets=["instagram:a"]))
    assert problems
    assert all("accepted by" not in p.message for p in problems)


def test_a_local_file_is_a_change_with_a_media_host_and_a_refusal_without(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    plugins = manager(Wide, Titled)
    post = Post(media=[Media(path="/tmp/clip.mp4")], targets=["tiktok:a"])
    without = check_portable(post, plugins=plugins)
    assert without.accepted_by == ("wide",)
    assert "media_host=" in without["titled"].refused[0].message

    hosted = check_portable(post, plugins=plugins, media_host=True)
    assert hosted.accepted_by == ("titled", "wide")
    assert hosted["titled"].changed == (
        Change("media[0].path", "put on the media host; titled fetches it from its URL"),
    )
    assert hosted["wide"].unchanged  # it uploads the file itself

    monkeypatch.setenv(MEDIA_HOST_ENV, "s3://bucket/prefix")
    assert check_portable(post, plugins=plugins).accepted_by == ("titled", "wide")


def test_providers_limit_the_check_and_unknown_names_are_an_error() -> None:
    plugins = manager(Wide, Narrow)
    assert [v.provider for v in check_portable(carousel(), ["wide"], plugins=plugins)] == ["wide"]
    with pytest.raises(UnknownProviderError):
        check_portable(carousel(), ["nobody"], plugins=plugins)


def test_a_broken_plugin_never_breaks_another_vendors_validate() -> None:
    plugins = manager(Narrow, Broken)
    pub = Publisher(Narrow(), Secret(KEY), client=httpx.Client(), plugins=plugins)
    (problem,) = pub.validate(Post(media=["https://x.test/1.jpg"], targets=["tiktok:a"]))
    assert "accepted by" not in problem.message


def test_the_issues_cases_with_the_bundled_vendors() -> None:
    """A TikTok carousel with a 150-character caption and a title; a single TikTok photo."""
    installed = set(postmux.providers())
    if not {"postpeer", "wahdx", "wonda"} <= installed:
        pytest.fail(f"the bundled vendors are not all installed: {sorted(installed)}")
    post = carousel(text="x" * 150, title="A title")
    report = check_portable(post, ["postpeer", "wahdx", "wonda"])
    assert report.accepted_by == ("postpeer", "wahdx")
    assert {p.field for p in report["wonda"].refused} == {"text", "title"}
    wonda = postmux.publisher("wonda", api_key="k")
    # the hint names every installed vendor that takes it (the TikTok plugin included)
    assert all(p.message.endswith("(accepted by: postpeer, tiktok, wahdx)") for p in wonda.validate(post))

    single = Post(media=["https://x.test/1.jpg"], targets=["tiktok:a"])
    assert check_portable(single, ["postpeer", "wahdx", "wonda"]).accepted_by == ("postpeer",)
