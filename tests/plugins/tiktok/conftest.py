"""Fixtures for the TikTok suite: its cassettes, a plugin manager holding this plugin alone, creators' tokens.

The cassettes are hand-written from TikTok's documented examples (``cassettes/tiktok/README.md``
names the page of each) and replay with record mode ``none``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import postmux_tiktok
from postmux import Secret
from postmux.credentials import MemoryCredentials, Token
from postmux.plugins import PluginManager

CASSETTE_DIR = Path(__file__).resolve().parents[3] / "cassettes" / "tiktok"
DOC_TOKEN = "act.example12345Example12345Example"
"""The user access token of TikTok's own examples."""


def tiktok_only() -> PluginManager:
    """A plugin manager holding only this plugin."""
    manager = PluginManager(load_entry_points=False)
    manager.register(postmux_tiktok, "tiktok")
    return manager


PLUGINS = tiktok_only()


def documented_creator() -> MemoryCredentials:
    """One creator, ``creator``, holding the documents' example token."""
    return MemoryCredentials({"creator": Token(access=Secret(DOC_TOKEN))})


def no_sleep(_: float) -> None:
    """A sleep that returns at once."""


@pytest.fixture(scope="module")
def vcr_cassette_dir() -> str:
    """Every TikTok cassette sits in ``cassettes/tiktok/`` at the top of the repository."""
    return str(CASSETTE_DIR)
