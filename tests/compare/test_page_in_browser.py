"""The ``--html`` page in a real headless browser: it renders, and its grid holds what ``--json`` says.

Chromium (Debian's ``chromium`` package; ``.ci/run`` installs it where it is
missing) loads the file with networking off, runs the page's script and dumps
the DOM; the grid's cells are read back and compared with the JSON of the same
comparison, cell by cell. Under ``CI=true`` a missing browser fails the test
instead of skipping it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from postmux.cli.app import cli

from .test_cli_compare import DONE_WHEN

BROWSERS = ("chromium", "chromium-browser", "google-chrome")


def browser() -> str:
    found = next((path for name in BROWSERS if (path := shutil.which(name))), None)
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("no headless Chromium on PATH: .ci/run installs Debian's chromium")
        pytest.skip("no headless Chromium on PATH (apt-get install chromium)")
    return found


def chromium(page: Path, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [
        browser(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--hide-scrollbars",
        f"--user-data-dir={tmp_path / 'profile'}",
        *args,
        page.as_uri(),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done


class Grid(HTMLParser):
    """The facts the page's cells carry, as the browser left them."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: dict[tuple[str, str, str], dict[str, str]] = {}
        self.verdicts: dict[tuple[str, str], str] = {}
        self.body_classes: list[str] = []
        self.details = 0
        self._target = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        classes = a.get("class", "").split()
        if tag == "body":
            self.body_classes = classes
        elif tag == "section" and "target" in classes:
            self._target = a["data-target"]
        elif tag == "td" and "cell" in classes:
            self.cells[(a["data-provider"], a["data-target"], a["data-field"])] = a
        elif tag == "td" and "data-accepted" in a:
            self.verdicts[(a["data-provider"], self._target)] = a["data-accepted"]
        elif tag == "details":
            self.details += 1


def test_the_page_renders_and_its_grid_holds_what_json_says(tmp_path: Path) -> None:
    page = tmp_path / "compare.html"
    result = CliRunner().invoke(cli, [*DONE_WHEN, "--json", "--html", str(page)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    doc: dict[str, Any] = json.loads(result.stdout)
    html = page.read_text(encoding="utf-8")
    assert not re.search(r"(src|href)=|<link|@import|url\(", html)  # self-contained: no external asset

    grid = Grid()
    grid.feed(chromium(page, tmp_path, "--dump-dom").stdout)
    assert "js" in grid.body_classes  # the page's script ran
    expected_cells = 0
    for cell in doc["cells"]:
        key = (cell["provider"], cell["target"])
        assert grid.verdicts[key] == ("true" if cell["accepted"] else "false")
        for field in cell["fields"]:
            shown = grid.cells[(cell["provider"], cell["target"], field["field"])]
            assert shown["data-state"] == field["state"]
            assert shown["data-wire"] == (field["wire_name"] or "")
            assert json.loads(shown["data-sent"]) == field["sent"]
            expected_cells += 1
    assert len(grid.cells) == expected_cells
    assert grid.verdicts[("wonda", "threads:acc-3")] == "false"
    assert grid.cells[("postpeer", "tiktok:acc-1", "tiktok.allow_comment")]["data-state"] == "inverted"
    assert grid.details == len(doc["providers"])  # one folded payload block per vendor

    shot = tmp_path / "compare.png"
    chromium(page, tmp_path, "--window-size=1400,1800", f"--screenshot={shot}")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert shot.stat().st_size > 20_000
