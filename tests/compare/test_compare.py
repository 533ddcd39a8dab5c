"""``postmux.compare(post)``: every installed vendor side by side, with no key and no network."""

from __future__ import annotations

import json

import httpx
import pytest

import postmux
from postmux import InstagramOptions, Post, TikTokOptions, UnknownProviderError, ValidationError
from postmux.comparison import PLACEHOLDER_KEY
from postmux.options import OPTION_TYPES

VIDEO = "https://cdn.example.com/clip.mp4"
TARGETS = ["tiktok:acc-1", "instagram:acc-2", "threads:acc-3"]
VENDORS = ("postpeer", "wahdx", "wonda")


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("compare sent a request")

    monkeypatch.setattr(httpx.Client, "send", refuse)
    monkeypatch.setattr(httpx.AsyncClient, "send", refuse)


@pytest.fixture
def comparison() -> postmux.Comparison:
    post = Post(
        text="Hello #postmux",
        media=[VIDEO],
        targets=TARGETS,
        tiktok=TikTokOptions(privacy="PUBLIC_TO_EVERYONE", allow_comment=False),
    )
    return postmux.compare(post, VENDORS)


def test_every_vendor_and_target_has_a_verdict(comparison: postmux.Comparison) -> None:
    assert comparison.providers == VENDORS
    verdicts = {(c.provider, str(c.target)): c.accepted for c in comparison.cells}
    assert verdicts == {(v, t): not (v == "wonda" and t == "threads:acc-3") for v in VENDORS for t in TARGETS}
    refused = comparison.cell("wonda", "threads:acc-3")
    assert [(p.field, p.unsupported) for p in refused.problems] == [("targets[0].platform", True)]
    assert {f.state for f in refused.fields} <= {"not sent", "not carried"}


def test_every_mapped_field_appears_with_its_wire_name(comparison: postmux.Comparison) -> None:
    for vendor in VENDORS:
        adapter = postmux.plugins.plugin_manager().get(vendor)
        for target in comparison.targets:
            cls = OPTION_TYPES[target.platform]
            cell = comparison.cell(vendor, target)
            for field, spec in adapter.field_mapping.get(cls.__name__, {}).items():
                item = cell.field(f"{target.platform}.{field}")
                assert item.wire_name == spec.lstrip("!")
                assert item.inverted == spec.startswith("!")


def test_renames_inversions_and_explicit_defaults(comparison: postmux.Comparison) -> None:
    wahdx = comparison.cell("wahdx", "tiktok:acc-1")
    privacy = wahdx.field("tiktok.privacy")
    assert (privacy.wire_name, privacy.sent, privacy.renamed, privacy.state) == (
        "privacy_level",
        "PUBLIC_TO_EVERYONE",
        True,
        "sent",
    )
    assert privacy.wire_paths == ("tiktokSettings.privacy_level",)
    for vendor in ("postpeer", "wonda"):
        comment = comparison.cell(vendor, "tiktok:acc-1").field("tiktok.allow_comment")
        assert (comment.wire_name, comment.value, comment.sent, comment.state) == (
            "disableComment",
            False,
            True,
            "inverted",
        )
        duet = comparison.cell(vendor, "tiktok:acc-1").field("tiktok.allow_duet")
        assert (duet.default, duet.inverted, duet.sent) == (True, True, False)
    for vendor in VENDORS:
        ai = comparison.cell(vendor, "tiktok:acc-1").field("tiktok.ai_generated")
        assert (ai.state, ai.value, ai.sent, ai.set_by_app) == ("default", False, False, False)
        reply = comparison.cell(vendor, "threads:acc-3").field("threads.reply_control")
        if vendor != "wonda":
            assert (reply.state, reply.sent) == ("default", "everyone")
    draft = comparison.cell("wonda", "tiktok:acc-1").field("tiktok.draft")
    assert (draft.wire_name, draft.sent, draft.converted) == ("postMode", "direct", True)
    assert comparison.cell("wahdx", "tiktok:acc-1").field("tiktok.brand_organic").state == "not carried"
    text = comparison.cell("wonda", "tiktok:acc-1").field("text")
    assert (text.wire_name, text.sent) == ("caption", "Hello #postmux")


def test_a_field_a_vendor_cannot_carry_is_refused_with_the_reason() -> None:
    post = Post(
        text="hi",
        media=["https://cdn.example.com/a.jpg"],
        targets=["instagram:acc-2"],
        instagram=InstagramOptions(alt_text="a red bicycle"),
    )
    comparison = postmux.compare(post, VENDORS)
    for vendor in ("postpeer", "wahdx"):
        cell = comparison.cell(vendor, "instagram:acc-2")
        alt = cell.field("instagram.alt_text")
        assert not cell.accepted
        assert alt.state == "refused"
        assert alt.problem is not None
        assert "cannot carry" in alt.problem
    wonda = comparison.cell("wonda", "instagram:acc-2")
    assert wonda.accepted
    assert wonda.field("instagram.alt_text").sent == "a red bicycle"


def test_capability_differences_that_matter_for_this_post(comparison: postmux.Comparison) -> None:
    rows = {c.feature: dict(c.values) for c in comparison.capabilities}
    assert rows["Threads: publishes"] == {"postpeer": "yes", "wahdx": "yes", "wonda": "—"}
    assert "TikTok: publishes" not in rows  # the same everywhere: not a difference
    assert all(len(set(v.values())) > 1 for v in rows.values())


def test_json_ready_with_the_placeholder_key_redacted(comparison: postmux.Comparison) -> None:
    dumped = json.dumps(comparison.to_dict())
    assert PLACEHOLDER_KEY.reveal() not in dumped
    data = json.loads(dumped)
    assert data["targets"] == TARGETS
    assert data["previews"]["wonda"]["targets"][0]["target"] == "tiktok:acc-1"
    assert len(data["previews"]["postpeer"]["requests"]) == 1  # all three targets in one request


def test_bad_input_and_unknown_vendors_are_errors() -> None:
    with pytest.raises(ValidationError):
        postmux.compare("not a post")  # type: ignore[arg-type]
    with pytest.raises(UnknownProviderError):
        postmux.compare(Post(text="hi", media=[VIDEO], targets=["tiktok:a"]), ["nope"])


def test_a_title_another_target_takes_refuses_no_target() -> None:
    # one post to TikTok and YouTube: YouTube takes the title, so the publisher refuses nothing
    post = Post(text="Hello", title="My title", media=[VIDEO], targets=["tiktok:acc-1", "youtube:acc-3"])
    publisher = postmux.publisher("postpeer", api_key="k")
    assert publisher.validate(post) == []
    comparison = postmux.compare(post, ["postpeer"])
    tiktok = comparison.cell("postpeer", "tiktok:acc-1")
    assert tiktok.accepted, tiktok.problems
    assert tiktok.field("title").state == "omitted"  # TikTok videos have no title: not sent there
    assert comparison.cell("postpeer", "youtube:acc-3").field("title").state == "sent"
    preview = comparison.previews["postpeer"]
    assert preview is not None
    assert [str(t.target) for t in preview.targets] == ["tiktok:acc-1", "youtube:acc-3"]


def test_a_target_listed_twice_is_refused_as_the_publisher_refuses_it() -> None:
    post = Post(text="Hello", media=[VIDEO], targets=["tiktok:acc-1", "tiktok:acc-1"])
    publisher = postmux.publisher("wahdx", api_key="k")
    assert [p.field for p in publisher.validate(post)] == ["targets[1]"]
    comparison = postmux.compare(post, ["wahdx"])
    first, second = comparison.cells
    assert first.accepted
    assert not second.accepted
    assert ["listed twice" in p.message for p in second.problems] == [True]


def test_tiktok_through_its_own_api_is_not_shown_as_omitting_the_text() -> None:
    post = Post(text="Hello", media=[VIDEO], targets=["tiktok:acc-1"])
    cell = postmux.compare(post, ["tiktok"]).cell("tiktok", "tiktok:acc-1")
    assert cell.accepted
    # its publish request follows the creator check's answer, which a preview does not make up
    assert {f.state for f in cell.fields} == {"not shown"}
    assert any("not shown" in n for n in cell.notes)
