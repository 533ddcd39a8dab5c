"""Fixtures for the Wonda suite: where its cassettes live, and publishers that never sleep.

The cassettes are hand-written from the Wonda documents (``cassettes/wonda/README.md``
names the document of each) and replay with record mode ``none``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

CASSETTE_DIR = Path(__file__).resolve().parents[3] / "cassettes" / "wonda"


@pytest.fixture(scope="module")
def vcr_cassette_dir() -> str:
    """Every Wonda cassette sits in ``cassettes/wonda/`` at the top of the repository."""
    return str(CASSETTE_DIR)
