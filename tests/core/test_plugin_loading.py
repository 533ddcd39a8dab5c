"""Only the plugins a program uses are loaded: ``publisher("wahdx")`` imports Wahdx's alone.

Listing providers, an unknown name and the emulators load every entry point;
two distributions claiming one entry-point name are still caught.
"""

from __future__ import annotations

import importlib.metadata
import json
import subprocess
import sys
import types
from typing import Any

import pytest

import postmux
from postmux import ConfigurationError, UnknownProviderError
from postmux import plugins as plugins_module
from postmux.plugins import PluginManager

from .fakes import FakeAdapter


def loaded_after(code: str) -> list[str]:
    """The plugin packages imported by ``code`` in a fresh interpreter."""
    script = (
        code + "\nimport json, sys\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules if m.startswith('postmux_')})))"
    )
    out = subprocess.run([sys.executable, "-c", script], check=True, capture_output=True, text=True)
    return list(json.loads(out.stdout.splitlines()[-1]))


def test_a_publisher_loads_only_its_own_plugin() -> None:
    assert loaded_after("import postmux\npostmux.publisher('wahdx', api_key='sk_x')") == ["postmux_wahdx"]
    assert loaded_after("import postmux\npostmux.async_publisher('wonda', api_key='sk_x')") == [
        "postmux_wonda"
    ]


def test_listing_and_unknown_names_load_every_plugin() -> None:
    every = ["postmux_postpeer", "postmux_tiktok", "postmux_wahdx", "postmux_wonda"]
    assert loaded_after("import postmux\npostmux.providers()") == every
    code = (
        "import postmux\ntry:\n    postmux.publisher('nope', api_key='k')\n"
        "except postmux.UnknownProviderError:\n    pass"
    )
    assert loaded_after(code) == every


def test_import_postmux_loads_no_plugin_and_no_sandbox_or_cli() -> None:
    script = (
        "import sys, json, postmux\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith(('postmux_', 'postmux.sandbox', "
        "'postmux.cli.', 'postmux.docgen', 'postmux.comparison', 'starlette', 'uvicorn', 'cattrs')))))"
    )
    out = subprocess.run([sys.executable, "-c", script], check=True, capture_output=True, text=True)
    assert json.loads(out.stdout) == []


def test_the_first_publisher_loads_no_cattrs_until_an_answer_is_read() -> None:
    script = (
        "import sys, postmux\n"
        "pub = postmux.publisher('wahdx', api_key='sk_test')\n"
        "before = 'cattrs' in sys.modules\n"
        "from postmux_wahdx import wire\n"
        "pub.adapter.converter.structure({'data': {'publish_id': 'p1'}}, wire.PublishBody)\n"
        "print(before, 'cattrs' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", script], check=True, capture_output=True, text=True)
    assert out.stdout.split() == ["False", "True"]


class Impostor(FakeAdapter):
    """Claims the fake provider's name from another distribution."""


def _plugin(cls: type[postmux.Adapter]) -> types.SimpleNamespace:
    @postmux.hookimpl
    def postmux_register_providers(register: Any) -> None:
        register(cls)

    return types.SimpleNamespace(postmux_register_providers=postmux_register_providers)


FAKE_PLUGIN = _plugin(FakeAdapter)
IMPOSTOR_PLUGIN = _plugin(Impostor)


def entry_points(*pairs: tuple[str, str]) -> Any:
    eps = [importlib.metadata.EntryPoint(name, f"{__name__}:{attr}", "postmux") for name, attr in pairs]

    def select(group: str) -> list[importlib.metadata.EntryPoint]:
        return eps if group == "postmux" else []

    return select


def installed(monkeypatch: pytest.MonkeyPatch, select: Any) -> None:
    """Make ``select`` the installed entry points, for both of postmux's lookups (all, and by name)."""
    monkeypatch.setattr(importlib.metadata, "entry_points", select)
    monkeypatch.setattr(
        plugins_module, "named_entry_points", lambda group, name: [e for e in select(group) if e.name == name]
    )


def test_two_distributions_with_one_entry_point_name_are_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    installed(monkeypatch, entry_points(("fake", "FAKE_PLUGIN"), ("fake", "IMPOSTOR_PLUGIN")))
    with pytest.raises(ConfigurationError, match="claimed by two plugins"):
        PluginManager().get("fake")


def test_a_name_that_is_no_entry_point_name_loads_all(monkeypatch: pytest.MonkeyPatch) -> None:
    installed(monkeypatch, entry_points(("postmux-fake", "FAKE_PLUGIN")))
    manager = PluginManager()
    assert manager.get("fake") is FakeAdapter
    with pytest.raises(UnknownProviderError) as info:
        manager.get("nope")
    assert info.value.installed == ("fake",)


def test_the_named_plugin_only(monkeypatch: pytest.MonkeyPatch) -> None:
    installed(monkeypatch, entry_points(("fake", "FAKE_PLUGIN"), ("impostor", "IMPOSTOR_PLUGIN")))
    manager = PluginManager()
    assert manager.get("fake") is FakeAdapter
    assert manager._pm.get_plugin("impostor") is None
    with pytest.raises(ConfigurationError, match="claimed by two plugins"):
        manager.providers()  # loading everything shows the clash


def test_a_second_publisher_of_a_loaded_provider_looks_up_no_entry_point(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    select = entry_points(("fake", "FAKE_PLUGIN"))
    lookups: list[str | None] = []

    def named(group: str, name: str | None) -> list[importlib.metadata.EntryPoint]:
        lookups.append(name)
        return [e for e in select(group) if e.name == name]

    monkeypatch.setattr(importlib.metadata, "entry_points", select)
    monkeypatch.setattr(plugins_module, "named_entry_points", named)
    manager = PluginManager()
    assert manager.get("fake") is FakeAdapter
    assert manager.get("fake") is FakeAdapter
    assert lookups == ["fake"]  # the second walked no distribution
    manager.register(_plugin(Impostor), name="app")
    with pytest.raises(ConfigurationError, match="claimed by two plugins"):
        manager.get("fake")  # what the app registered since is still checked


def test_an_apps_provider_of_an_installed_name_is_still_a_clash(monkeypatch: pytest.MonkeyPatch) -> None:
    """Registered before the first lookup, it does not hide the installed plugin of that name."""
    select = entry_points(("fake", "FAKE_PLUGIN"))
    monkeypatch.setattr(importlib.metadata, "entry_points", select)
    monkeypatch.setattr(
        plugins_module, "named_entry_points", lambda g, n: [e for e in select(g) if e.name == n]
    )
    manager = PluginManager()
    manager.register(_plugin(Impostor), name="app")
    with pytest.raises(ConfigurationError, match="claimed by two plugins"):
        manager.get("fake")
