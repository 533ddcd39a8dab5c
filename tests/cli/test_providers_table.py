"""The ``postmux providers`` tables: one word for one meaning."""

from __future__ import annotations

from click.testing import CliRunner

from postmux.cli.app import cli


def _cells(text: str) -> list[list[str]]:
    return [
        [c.strip() for c in line.strip("│ ").split("│")] for line in text.splitlines() if line.startswith("│")
    ]


def test_the_capability_matrix_says_yes_or_no_and_nothing_else() -> None:
    result = CliRunner().invoke(cli, ["providers"], catch_exceptions=False, terminal_width=200)
    assert result.exit_code == 0
    matrix = result.stdout.split("Capabilities (vendor × platform × feature)")[1]
    rows = _cells(matrix)
    assert rows
    assert {c for row in rows for c in row[2:]} == {"yes", "no"}
    assert "unsupported" not in result.stdout
    publishes = {row[0]: row[2:] for row in rows if row[1] == "publishes"}
    header = next(line for line in matrix.splitlines() if line.startswith("┃"))
    names = [c.strip() for c in header.strip("┃ ").split("┃")][2:]
    assert publishes["threads"][names.index("wonda")] == "no"
    assert publishes["tiktok"] == ["yes"] * len(names)
