"""``check_portable`` tells the truth: its verdict on a vendor is what that vendor then does.

For a few posts that differ between vendors (a carousel with a long text and
a title, a single photo, text alone, a target's own text), each vendor's
publisher either accepts the post as ``check_portable`` said (nothing to
validate, and it publishes) or refuses it with the very fields it listed.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from postmux import Post, Status, Target, ValidationError, check_portable
from postmux.hosting import MEDIA_HOST_ENV

from .support import CASES, Vendor

EACH = pytest.mark.parametrize(("provider", "mode"), CASES)


def _posts(vendor: Vendor) -> dict[str, Callable[[], Post]]:
    def tiktok() -> Target:
        return vendor.target("tiktok")

    return {
        "carousel with a long text and a title": lambda: Post(
            text="x" * 150, title="A title", media=vendor.photos(), targets=[tiktok()]
        ),
        "a single photo": lambda: Post(text="One", media=vendor.photos()[:1], targets=[tiktok()]),
        "text alone": lambda: Post(text="Just words", targets=[tiktok()]),
        "a target's own text": lambda: Post(
            text="All",
            media=vendor.video(),
            targets=[Target("tiktok", vendor.handle("tiktok"), text="Own")],
        ),
    }


@EACH
@pytest.mark.parametrize(
    "case", ["carousel with a long text and a title", "a single photo", "text alone", "a target's own text"]
)
def test_the_verdict_is_what_the_vendor_does(
    vendor: Vendor, case: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(MEDIA_HOST_ENV, raising=False)
    if "tiktok" not in vendor.capabilities.platforms:
        pytest.fail(f"{vendor.provider} publishes no TikTok; the cases need another platform")
    post = _posts(vendor)[case]()
    verdict = check_portable(post, [vendor.provider])[vendor.provider]
    problems = vendor.pub.validate(post)
    assert [p.field for p in problems] == [p.field for p in verdict.refused]
    if verdict.accepted:
        report = vendor.pub.wait(vendor.pub.publish(post))
        assert report[0].status in (Status.PUBLISHED, Status.INBOX), report[0].error
        return
    with pytest.raises(ValidationError) as caught:
        vendor.pub.publish(post)
    assert set(caught.value.fields) == {p.field for p in verdict.refused}
    assert vendor.writes() == []
