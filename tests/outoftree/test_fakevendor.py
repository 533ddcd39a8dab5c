"""An out-of-tree plugin runs postmux's shipped conformance suite from its own directory, and passes.

``fakevendor/`` is a plugin project as a third party would write it: its own
pyproject (whose pytest ``addopts`` run ``--pyargs postmux.testing
--postmux-provider fakevendor``), its own conftest, an adapter, capabilities,
one declared conformance limit and an emulator. It is installed the way pip
lays a wheel out (the package and a ``.dist-info`` holding its entry point)
into a directory of its own, copied out of this repository, and ``pytest``
runs there in a subprocess, with postmux as installed — nothing of this
repository's ``tests/`` on its path.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from .project import counts, environment, install, run_pytest, skipped_for

PROJECT = Path(__file__).resolve().parent / "fakevendor"
LIMIT = "FakeVendor unlinks an account whose token lapses, so it never lists an expired one"


@pytest.fixture(scope="module")
def plugin_dir(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """The plugin's own directory (a copy, outside the repository) and an environment with it installed."""
    root = tmp_path_factory.mktemp("outoftree")
    site = root / "site-packages"
    site.mkdir()
    install(PROJECT, site)
    here = root / "postmux-fakevendor"
    shutil.copytree(PROJECT, here, ignore=shutil.ignore_patterns("__pycache__", "src"))
    return here, environment(site)


def test_the_shipped_suite_passes_against_the_out_of_tree_plugin(
    plugin_dir: tuple[Path, dict[str, str]],
) -> None:
    where, env = plugin_dir
    done = run_pytest(where, env)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    found = counts(done)
    assert found.get("failed", 0) == 0
    assert found.get("passed", 0) >= 30, found  # publishing, refusals, faults, text… sync and async
    # the one declared limit skips with its reason, in both modes
    assert skipped_for(done, "fakevendor", LIMIT) == 2, done.stdout[-3000:]


def test_only_the_chosen_provider_runs(plugin_dir: tuple[Path, dict[str, str]]) -> None:
    where, env = plugin_dir
    done = run_pytest(where, env, "--collect-only", "-q")
    ids = [line for line in done.stdout.splitlines() if "::" in line and "[" in line]
    assert ids
    assert all(re.search(r"[-\[]fakevendor-(sync|async)\]", line) for line in ids), ids[:5]
    for bundled in ("wahdx", "wonda", "postpeer"):
        assert bundled not in done.stdout
    assert any("test_publish.py::" in line for line in ids)


def test_an_unknown_provider_is_a_usage_error(plugin_dir: tuple[Path, dict[str, str]]) -> None:
    where, env = plugin_dir
    done = run_pytest(where, env, "--postmux-provider", "nosuchvendor")
    assert done.returncode == 4  # pytest's usage error
    assert "nosuchvendor is not installed" in done.stderr
