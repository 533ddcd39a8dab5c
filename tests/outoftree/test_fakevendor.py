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

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent / "fakevendor"
LIMIT = "FakeVendor unlinks an account whose token lapses, so it never lists an expired one"


def _install(project: Path, site: Path) -> None:
    """What ``pip install`` leaves behind: the package, and metadata naming its entry points."""
    meta = tomllib.loads((project / "pyproject.toml").read_text())["project"]
    for package in (project / "src").iterdir():
        shutil.copytree(package, site / package.name, ignore=shutil.ignore_patterns("__pycache__"))
    info = site / f"{meta['name'].replace('-', '_')}-{meta['version']}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {meta['name']}\nVersion: {meta['version']}\n"
    )
    lines = []
    for group, points in meta["entry-points"].items():
        lines += [f"[{group}]", *(f"{name} = {target}" for name, target in points.items())]
    (info / "entry_points.txt").write_text("\n".join(lines) + "\n")


@pytest.fixture(scope="module")
def plugin_dir(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """The plugin's own directory (a copy, outside the repository) and an environment with it installed."""
    root = tmp_path_factory.mktemp("outoftree")
    site = root / "site-packages"
    site.mkdir()
    _install(PROJECT, site)
    here = root / "postmux-fakevendor"
    shutil.copytree(PROJECT, here, ignore=shutil.ignore_patterns("__pycache__", "src"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "POSTMUX_"))}
    env["PYTHONPATH"] = str(site)
    return here, env


def _pytest(where: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", *args],
        cwd=where,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_the_shipped_suite_passes_against_the_out_of_tree_plugin(
    plugin_dir: tuple[Path, dict[str, str]],
) -> None:
    where, env = plugin_dir
    done = _pytest(where, env)
    summary = done.stdout.strip().splitlines()[-1]
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    counts = {kind: int(n) for n, kind in re.findall(r"(\d+) (passed|failed|skipped|error)", summary)}
    assert counts.get("failed", 0) == 0
    assert counts.get("passed", 0) >= 30, summary  # publishing, refusals, faults, text… sync and async
    # the one declared limit skips with its reason, in both modes
    assert done.stdout.count(f"fakevendor declares: {LIMIT}") >= 1
    skipped_for_limit = re.findall(
        r"SKIPPED \[(\d+)\] .*fakevendor declares: " + re.escape(LIMIT), done.stdout
    )
    assert sum(int(n) for n in skipped_for_limit) == 2, done.stdout[-3000:]


def test_only_the_chosen_provider_runs(plugin_dir: tuple[Path, dict[str, str]]) -> None:
    where, env = plugin_dir
    done = _pytest(where, env, "--collect-only", "-q")
    ids = [line for line in done.stdout.splitlines() if "::" in line and "[" in line]
    assert ids
    assert all(re.search(r"[-\[]fakevendor-(sync|async)\]", line) for line in ids), ids[:5]
    for bundled in ("wahdx", "wonda", "postpeer"):
        assert bundled not in done.stdout
    assert any("test_publish.py::" in line for line in ids)


def test_an_unknown_provider_is_a_usage_error(plugin_dir: tuple[Path, dict[str, str]]) -> None:
    where, env = plugin_dir
    done = _pytest(where, env, "--postmux-provider", "nosuchvendor")
    assert done.returncode == 4  # pytest's usage error
    assert "nosuchvendor is not installed" in done.stderr
