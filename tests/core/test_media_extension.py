"""A medium's extension, read without a path object, is the one ``PurePosixPath`` gives."""

from __future__ import annotations

from pathlib import PurePosixPath

from hypothesis import given
from hypothesis import strategies as st

from postmux.media import _suffix, extension_of

NAMES = ["", ".", "..", "a", "b.", ".c", "d.mp4", "e.tar.gz", "f..", "G.JPG", "x y"]
PARTS = st.lists(st.sampled_from(NAMES))


@given(st.text(alphabet="/.ab\\\\", max_size=24))
def test_the_suffix_is_pure_posix_path_s_for_any_path(path: str) -> None:
    assert _suffix(path) == PurePosixPath(path).suffix


@given(PARTS, st.sampled_from(["", "/", "//", "///"]), st.sampled_from(["", "/", "/."]))
def test_the_suffix_of_paths_made_of_parts(parts: list[str], root: str, tail: str) -> None:
    path = root + "/".join(parts) + tail
    assert _suffix(path) == PurePosixPath(path).suffix


def test_extension_of_urls_and_paths() -> None:
    assert extension_of("https://cdn.example.com/clip.MP4?x=1.gif#y.png") == "mp4"
    assert extension_of("https://cdn.example.com/dir.d/") == "d"
    assert extension_of("https://cdn.example.com/.hidden") == ""
    assert extension_of("C:\\\\media\\\\photo.jpeg") == "jpeg"
    assert extension_of("/tmp/archive.") == ""
    assert extension_of("/") == ""
