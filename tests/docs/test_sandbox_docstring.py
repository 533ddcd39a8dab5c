"""The example of ``postmux.sandbox``'s docstring (the API reference's sandbox page) runs as written.

The docstring leaves ``post`` to the reader; here it is a video to
``@sandbox_tiktok``, as the sandbox docs publish everywhere, whose processing at
Wahdx takes the sandbox's default time, and one to Instagram, which Wahdx
publishes at once. The example's counters must hold for both.
"""

from __future__ import annotations

import inspect
import textwrap

import pytest

import postmux.sandbox
from postmux import Post, Target


def example() -> str:
    """The indented code blocks that open the module docstring, as one program."""
    doc = inspect.getdoc(postmux.sandbox) or ""
    blocks = [block for block in doc.split("\n\n") if block.startswith("    ")]
    assert blocks, "the sandbox docstring has no example"
    return textwrap.dedent("\n\n".join(blocks))


@pytest.mark.parametrize("platform", ["tiktok", "instagram"])
def test_the_sandbox_docstring_example_runs_for_a_post_to(platform: str) -> None:
    post = Post(
        text="the docstring's post",
        media=["https://cdn.example.com/clip.mp4"],  # Wahdx fetches it itself; its emulator takes it
        targets=[Target(platform, f"@sandbox_{platform}")],
    )
    namespace: dict[str, object] = {"post": post}
    exec(compile(example(), "postmux/sandbox/__init__.py", "exec"), namespace)
