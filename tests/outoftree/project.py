"""Installing a plugin project the way pip would, and running pytest in its own directory.

What every out-of-tree test here needs: the plugin's package and a
``.dist-info`` naming its entry points in a ``site-packages`` of its own (so
postmux finds it exactly as it finds an installed third-party plugin), and
``pytest`` run in a subprocess from the project's directory, with postmux as
installed and nothing of this repository's ``tests/`` on its path.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path


def install(project: Path, site: Path) -> None:
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


def environment(site: Path) -> dict[str, str]:
    """This process's environment without pytest's or postmux's variables, with ``site`` on the path."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "POSTMUX_"))}
    env["PYTHONPATH"] = str(site)
    return env


def run_pytest(where: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """``python -m pytest ARGS`` in ``where``, its output captured."""
    return run_python(where, env, "-m", "pytest", *args)


def run_python(where: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """``python ARGS`` in ``where``, its output captured."""
    return subprocess.run(
        [sys.executable, *args],
        cwd=where,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def counts(done: subprocess.CompletedProcess[str]) -> dict[str, int]:
    """``{"passed": n, "skipped": n, …}`` from pytest's last line."""
    summary = done.stdout.strip().splitlines()[-1]
    return {kind: int(n) for n, kind in re.findall(r"(\d+) (passed|failed|skipped|errors?)", summary)}


def skipped_for(done: subprocess.CompletedProcess[str], provider: str, reason: str) -> int:
    """How many cases ``-ra`` reports skipped for ``provider``'s declared conformance limit ``reason``."""
    found = re.findall(
        rf"SKIPPED \[(\d+)\] .*{re.escape(provider)} declares: {re.escape(reason)}", done.stdout
    )
    return sum(int(n) for n in found)
