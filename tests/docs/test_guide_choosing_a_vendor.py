"""The guide's "Choosing a vendor" examples run as they are written (and send nothing)."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "guide.md"


def section(title: str) -> str:
    text = GUIDE.read_text(encoding="utf-8")
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else None]


def test_the_choosing_a_vendor_examples_run(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a guide example sent a request")

    monkeypatch.setattr(httpx.Client, "send", refuse)
    blocks = re.findall(r"```python\n(.*?)```", section("Choosing a vendor"), flags=re.S)
    assert len(blocks) == 2
    namespace: dict[str, object] = {}
    for block in blocks:
        exec(compile(block, str(GUIDE), "exec"), namespace)  # one namespace: the blocks build on each other
