"""The generated docs match the code, so the capability matrix never drifts from the plugins."""

from __future__ import annotations

from pathlib import Path

import postmux
from postmux import docgen

ROOT = Path(__file__).resolve().parents[2]


def test_capabilities_md_is_generated_from_the_installed_plugins() -> None:
    committed = (ROOT / "docs" / "capabilities.md").read_text(encoding="utf-8")
    assert committed == docgen.render(), (
        "docs/capabilities.md is stale: run `.venv/bin/python -m postmux.docgen > docs/capabilities.md`"
    )


def test_every_installed_provider_appears_in_the_matrix() -> None:
    text = docgen.render()
    header = next(line for line in text.splitlines() if line.startswith("| platform |"))
    for name in postmux.providers():
        assert f" {name} " in header


def test_unsupported_options_are_marked_per_vendor() -> None:
    lines = docgen.field_tables({"wahdx": postmux.plugins.plugin_manager().get("wahdx")})
    brand = next(line for line in lines if line.startswith("| `brand_organic`"))
    privacy = next(line for line in lines if line.startswith("| `privacy`"))
    assert brand.endswith("| unsupported |")
    assert "`privacy_level`" in privacy
    assert "`'SELF_ONLY'`" in privacy


def test_the_guides_switching_list_is_generated_from_the_installed_plugins() -> None:
    guide = (ROOT / "docs" / "guide.md").read_text(encoding="utf-8")
    start = guide.index(docgen.SWITCHING_BEGIN)
    end = guide.index(docgen.SWITCHING_END) + len(docgen.SWITCHING_END) + 1
    assert guide[start:end] == docgen.switching(), (
        "the list in docs/guide.md's 'Switching vendors' is stale: replace it with the output of "
        "`.venv/bin/python -m postmux.docgen --switching`"
    )


def test_the_switching_list_names_what_the_issue_found() -> None:
    text = docgen.switching()
    assert "- **TikTok, photos**: 1–35 (postpeer, tiktok); 2–35 (wahdx, wonda)" in text
    assert "- **TikTok, photo title**: 90 UTF-16 code units (postpeer, tiktok, wahdx); — (wonda)" in text
    assert "- **Threads, text alone**: yes (postpeer); — (wahdx)" in text
    assert "- **local files (upload)**: yes (postpeer, tiktok, wonda); — (wahdx)" in text


def test_vendors_that_agree_make_no_line() -> None:
    one = {"wahdx": postmux.plugins.plugin_manager().get("wahdx")}
    assert docgen.differences(one) == ["- nothing: every installed vendor supports the same"]
