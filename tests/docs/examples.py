"""The Python examples of the user docs, taken verbatim from the Markdown."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
GUIDE = ROOT / "docs" / "guide.md"
PLUGIN_GUIDE = ROOT / "docs" / "writing-a-plugin.md"


def python_blocks(path: Path, *, section: str | None = None) -> list[str]:
    """Every fenced ``python`` block of ``path`` (under the heading ``section`` only, when given)."""
    return fenced_blocks(path, "python", section=section)


def fenced_blocks(path: Path, language: str, *, section: str | None = None) -> list[str]:
    """Every fenced block of ``path`` in ``language`` (under the heading ``section`` only, when given)."""
    fence = re.compile(
        rf"^(?P<indent>[ \t]*)```[ \t]*{re.escape(language)}[ \t]*\n(?P<code>.*?)^(?P=indent)```[ \t]*$",
        re.M | re.S,
    )
    text = path.read_text(encoding="utf-8")
    if section is not None:
        match = re.search(rf"^(#+) {re.escape(section)}[ \t]*\n(.*?)(?=^\1 |\Z)", text, re.M | re.S)
        assert match, f"no section {section!r} in {path.name}"
        text = match.group(2)
    blocks = []
    for match in fence.finditer(text):
        indent = match.group("indent")
        lines = match.group("code").splitlines(keepends=True)
        blocks.append("".join(line[len(indent) :] if line.startswith(indent) else line for line in lines))
    return blocks
