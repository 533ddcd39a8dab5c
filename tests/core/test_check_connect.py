"""check_connect: a link the vendor cannot make is refused before any request, naming the field."""

from __future__ import annotations

from typing import Any

import pytest

from postmux import Problem, UnsupportedError
from postmux.connect import check_connect

LINKS = frozenset({"tiktok", "instagram"})


def test_a_platform_the_vendor_links_with_the_options_it_takes_passes() -> None:
    check_connect("tiktok", {"unique_id": "abcdefgh"}, provider="acme", platforms=LINKS, takes=("unique_id",))
    check_connect("instagram", {}, provider="acme", platforms=LINKS)


def test_a_platform_it_does_not_link_is_unsupported() -> None:
    with pytest.raises(UnsupportedError) as caught:
        check_connect("youtube", {"unique_id": "x"}, provider="acme", platforms=LINKS, takes=("unique_id",))
    assert caught.value.problems == (Problem("platform", "acme cannot link 'youtube' accounts", True),)


@pytest.mark.parametrize(
    ("takes", "why"),
    [(("unique_id", "redirect"), "takes only unique_id, redirect"), ((), "takes no options")],
)
def test_each_option_it_does_not_take_is_a_problem_of_its_own(takes: tuple[str, ...], why: str) -> None:
    options: dict[str, Any] = {"scopes": "all", "state": "s", "unique_id": "abcdefgh", "redirect": "r"}
    with pytest.raises(UnsupportedError) as caught:
        check_connect("tiktok", options, provider="acme", platforms=LINKS, takes=takes)
    unknown = ["scopes", "state"] + ([] if takes else ["redirect", "unique_id"])
    assert caught.value.problems == tuple(Problem(f"options.{n}", why, True) for n in sorted(unknown))


def test_it_returns_the_options_given_in_the_vendor_s_names() -> None:
    options = {"redirect_uri": "https://app.example/back", "headless": None, "unique_id": "abcdefgh"}
    takes = {"redirect_uri": "redirectUri", "headless": "headless", "unique_id": "unique_id"}
    given = check_connect("tiktok", options, provider="acme", platforms=LINKS, takes=takes)
    assert given == {"redirectUri": "https://app.example/back", "unique_id": "abcdefgh"}  # None: not given
    assert check_connect(
        "tiktok", {"unique_id": "x"}, provider="acme", platforms=LINKS, takes=("unique_id",)
    ) == {"unique_id": "x"}
