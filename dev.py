#!/usr/bin/env python3
"""Set up and run postmux's two jobs with nothing but Python 3.11+.

    python3 dev.py demo     # the main job: a cross-post through the bundled vendor emulators
    python3 dev.py test     # every check: ruff (lint and format), mypy --strict, the whole pytest suite
    python3 dev.py docs     # the docs site, built strictly into site/ (adds the docs extra to .venv)

Each makes ``.venv`` on first use and installs the core and every plugin in
``plugins/`` into it (editable, with the dev and sandbox extras); later runs
reinstall only when a ``pyproject.toml`` changed.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".postmux-installed"
DOCS_STAMP = VENV / ".postmux-docs-installed"


def _projects() -> list[Path]:
    return [ROOT, *sorted(p.parent for p in ROOT.glob("plugins/*/pyproject.toml"))]


def _fingerprint() -> str:
    digest = hashlib.sha256()
    for project in _projects():
        digest.update((project / "pyproject.toml").read_bytes())
    return digest.hexdigest()


def _run(*args: str | os.PathLike[str], **kwargs: object) -> int:
    return subprocess.call([str(a) for a in args], cwd=ROOT, **kwargs)  # type: ignore[arg-type]


def ensure_env() -> None:
    """Create the virtual environment and install everything, when needed."""
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py may be run by an older python3
        sys.exit("postmux needs Python 3.11 or newer")
    if not PY.exists():
        print("postmux: creating .venv", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    fingerprint = _fingerprint()
    if STAMP.exists() and STAMP.read_text() == fingerprint:
        return
    print("postmux: installing the core and plugins into .venv", flush=True)
    quiet = ["-q", "--disable-pip-version-check"]
    if _run(PY, "-m", "pip", "install", *quiet, "--upgrade", "pip") != 0:
        sys.exit("postmux: could not upgrade pip")
    targets = [f"{ROOT}[dev,sandbox,cli]"]
    targets += [str(p) for p in _projects()[1:]]
    editable = [arg for t in targets for arg in ("-e", t)]
    if _run(PY, "-m", "pip", "install", *quiet, *editable) != 0:
        sys.exit("postmux: installing into .venv failed")
    STAMP.write_text(fingerprint)


def test(extra: list[str]) -> int:
    """ruff, mypy --strict and pytest; the first failure's exit code."""
    ensure_env()
    sources = ["src", *(str(p.relative_to(ROOT) / "src") for p in _projects()[1:])]
    linted = ["src", "plugins", "tests", "benchmarks", "docs/hooks", "dev.py"]
    steps: list[list[str | os.PathLike[str]]] = [
        [PY, "-m", "ruff", "check", *linted],
        [PY, "-m", "ruff", "format", "--check", *linted],
        [PY, "-m", "mypy", *sources],
        [PY, "-m", "pytest", *extra],
    ]
    for step in steps:
        print("postmux:", " ".join(str(s) for s in step[1:]), flush=True)
        code = _run(*step)
        if code != 0:
            return code
    return 0


def demo(extra: list[str]) -> int:
    """The main job: ``postmux demo`` through the bundled emulators."""
    ensure_env()
    return _run(BIN / "postmux", "demo", *extra)


def docs(extra: list[str]) -> int:
    """The docs site: mypy on its hooks, then ``mkdocs build --strict`` into ``site/``."""
    ensure_env()
    if not DOCS_STAMP.exists() or DOCS_STAMP.read_text() != _fingerprint():
        print("postmux: installing the docs extra into .venv", flush=True)
        quiet = ["-q", "--disable-pip-version-check"]
        if _run(PY, "-m", "pip", "install", *quiet, "-e", f"{ROOT}[docs]") != 0:
            sys.exit("postmux: installing the docs extra failed")
        DOCS_STAMP.write_text(_fingerprint())
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}  # the theme's banner says nothing about our site
    for step in ([PY, "-m", "mypy", "docs/hooks"], [PY, "-m", "mkdocs", "build", "--strict", *extra]):
        print("postmux:", " ".join(str(s) for s in step[1:]), flush=True)
        code = _run(*step, env=env)
        if code != 0:
            return code
    return 0


def main(argv: list[str]) -> int:
    jobs = {"test": test, "demo": demo, "docs": docs}
    if not argv or argv[0] not in jobs:
        print(__doc__)
        return 2
    return jobs[argv[0]](argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
