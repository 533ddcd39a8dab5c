"""The README's and the guide's Python examples pass ``mypy --strict``, and the check bites.

Each document's ``python`` blocks are one module, in order (a guide's
examples build on each other); a block with a top-level ``await`` becomes the
body of an ``async def``. One mypy run checks them all, beside a snippet with
a wrong TikTok privacy that must fail, so a check that passes everything
cannot pass unnoticed.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from .examples import GUIDE, README, python_blocks

WRONG = """\
from postmux import TikTokOptions

options = TikTokOptions(privacy="NOT_A_PRIVACY")
"""


def as_module(blocks: list[str]) -> str:
    """The blocks in order; one that awaits at the top level runs inside an ``async def``."""
    parts = []
    for i, block in enumerate(blocks):
        try:
            compile(block, f"<example {i}>", "exec", dont_inherit=True)
        except SyntaxError:  # 'await' outside function, or the example's own mistake
            block = f"async def _example_{i}() -> None:\n" + textwrap.indent(block, "    ")
            compile(block, f"<example {i}>", "exec", dont_inherit=True)  # still wrong: fail here
        parts.append(block)
    return "\n".join(parts)


def test_the_doc_examples_type_check_and_a_wrong_option_does_not(tmp_path: Path) -> None:
    files = {
        "readme_example.py": as_module(python_blocks(README)),
        "guide_examples.py": as_module(python_blocks(GUIDE)),
        "wrong_privacy.py": WRONG,
    }
    assert all(files.values())
    for name, code in files.items():
        (tmp_path / name).write_text(code, encoding="utf-8")
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--allow-redefinition",
            "--no-error-summary",
            "--cache-dir",
            str(tmp_path / ".mypy_cache"),
            *files,
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
    )
    errors = [line for line in run.stdout.splitlines() if ": error:" in line]
    assert [e for e in errors if not e.startswith("wrong_privacy.py")] == [], run.stdout
    wrong = [e for e in errors if e.startswith("wrong_privacy.py:3:")]
    assert wrong, f"mypy did not catch privacy='NOT_A_PRIVACY': {run.stdout}{run.stderr}"
    assert "privacy" in wrong[0]
    assert "[arg-type]" in wrong[0]
