"""``named_entry_points`` finds what ``importlib.metadata.entry_points`` finds, reading less."""

from __future__ import annotations

import importlib.metadata
import sys
import zipfile
from pathlib import Path

import pytest

from postmux.plugins import installed_metadata, named_entry_points


def dist(root: Path, folder: str, entry_points: str | None) -> None:
    info = root / folder
    info.mkdir(parents=True)
    name, _, version = folder.rpartition(".")[0].partition("-")
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    if entry_points is not None:
        (info / "entry_points.txt").write_text(entry_points)


def by_importlib(group: str, name: str) -> list[tuple[str, str, str]]:
    return [
        (e.name, e.value, e.dist.version if e.dist else "")
        for e in importlib.metadata.entry_points(group=group)
        if e.name == name
    ]


def ours(group: str, name: str) -> list[tuple[str, str, str]]:
    return [(e.name, e.value, e.dist.version if e.dist else "") for e in named_entry_points(group, name)]


def test_the_installed_providers_are_found_as_importlib_finds_them() -> None:
    for name in ("wahdx", "wonda", "postpeer", "tiktok", "no-such-provider"):
        assert ours("postmux", name) == by_importlib("postmux", name), name
    assert ours("postmux", "wahdx") == [("wahdx", "postmux_wahdx", ours("postmux", "wahdx")[0][2])]


def test_the_first_distribution_of_a_name_on_the_path_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    dist(first, "Acme_Plugin-1.0.dist-info", "[postmux]\nacme = acme_one\n")
    dist(second, "acme.plugin-2.0.dist-info", "[postmux]\nacme = acme_two\n")  # hidden
    dist(
        second, "other-3.0.dist-info", "[postmux]\nacme = other_acme\nzed = other_zed\n"
    )  # a second claimant
    dist(second, "quiet-1.0.dist-info", "[console_scripts]\nacme = quiet:main\n")  # another group
    dist(second, "bare-1.0.dist-info", None)
    (second / "old-1.0.egg-info").write_text("Metadata-Version: 1.0\nName: old\n")  # an egg-info file
    dist(second, "eggy-1.0.egg-info", "[postmux]\nacme = eggy_acme\n")
    monkeypatch.setattr(sys, "path", [str(first), str(tmp_path / "missing"), str(second)])
    found = ours("postmux", "acme")
    assert found == by_importlib("postmux", "acme")
    assert sorted(found) == [
        ("acme", "acme_one", "1.0"),
        ("acme", "eggy_acme", "1.0"),
        ("acme", "other_acme", "3.0"),
    ]
    assert ours("postmux", "zed") == [("zed", "other_zed", "3.0")]


def test_a_zip_on_the_path_is_left_to_importlib(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    archive = tmp_path / "plugins.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("zipped-1.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: zipped\nVersion: 1.0\n")
        z.writestr("zipped-1.0.dist-info/entry_points.txt", "[postmux]\nzipped = zipped_mod\n")
    monkeypatch.setattr(sys, "path", [str(archive)])
    assert ours("postmux", "zipped") == by_importlib("postmux", "zipped") == [("zipped", "zipped_mod", "1.0")]


def test_every_entry_point_of_a_group_is_found_as_importlib_finds_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``name=None`` (the publish listeners' lookup): every entry point of the group, and only those."""
    dist(
        tmp_path,
        "listen-1.0.dist-info",
        "[postmux.listeners]\n# a comment\nlog = listen.log:hook\n\n[x]\ny = z\n",
    )
    dist(tmp_path, "more-2.0.dist-info", "; other\n[postmux.listeners]\nmetrics = more:hook\n")
    monkeypatch.setattr(sys, "path", [str(tmp_path)])
    expected = sorted(
        (e.name, e.value, e.dist.version if e.dist else "")
        for e in importlib.metadata.entry_points(group="postmux.listeners")
    )
    found = sorted(
        (e.name, e.value, e.dist.version if e.dist else "")
        for e in named_entry_points("postmux.listeners", None)
    )
    assert found == expected == [("log", "listen.log:hook", "1.0"), ("metrics", "more:hook", "2.0")]


def test_an_entry_point_loads_what_importlib_would_load() -> None:
    (ours,) = named_entry_points("postmux", "wahdx")
    (theirs,) = [e for e in importlib.metadata.entry_points(group="postmux") if e.name == "wahdx"]
    assert ours.load() is theirs.load()


def test_the_user_agents_distribution_is_the_one_importlib_finds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for module in ("postmux_wahdx", "postmux_wonda", "httpx", "pytest"):
        found = installed_metadata(module)
        assert found is not None, module
        dist_ = importlib.metadata.distribution(module)
        assert (found.metadata["Name"], found.version) == (dist_.metadata["Name"], dist_.version), module
    dist(tmp_path, "Acme_Tool-3.1.dist-info", None)
    (tmp_path / "eggs-1.0.egg-info").mkdir()
    monkeypatch.setattr(sys, "path", [str(tmp_path)])
    acme = installed_metadata("acme.tool")
    assert acme is not None
    assert (acme.metadata["Name"], acme.version) == ("Acme_Tool", "3.1")
    assert installed_metadata("eggs") is None  # an egg's layout: left to importlib
    assert installed_metadata("nothing_here") is None
