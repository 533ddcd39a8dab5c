"""The plugin guide's skeleton, built from the guide's own code blocks, publishes and passes the suite.

``docs/writing-a-plugin.md`` shows every file of ``postmux-acme`` in a block
whose first line names the file. This test writes exactly those blocks into a
fresh project directory, installs it as pip would (:mod:`.project`, the same
machinery as the hand-written fake vendor's), then runs in that directory,
in a subprocess: the plugin's own tests (a publish through its emulator, a
per-kind option refused, the vocabulary both ways), the shipped conformance
suite with ``pytest --pyargs postmux.testing --postmux-provider acme`` (its
one declared limit skipping with its reason), and ``mypy --strict`` over the
package and its tests. A guide whose code no longer works fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from docs.examples import PLUGIN_GUIDE, fenced_blocks

from .project import counts, environment, install, run_pytest, run_python, skipped_for

PROJECT = "postmux-acme"
LIMIT = "Acme unlinks an account whose token lapses, so it never lists an expired one"
FILES = (
    "pyproject.toml",
    "src/postmux_acme/__init__.py",
    "src/postmux_acme/vocabulary.py",
    "src/postmux_acme/adapter.py",
    "src/postmux_acme/emulator.py",
    "tests/test_acme.py",
)


def skeleton() -> dict[str, str]:
    """The guide's files: each block whose first line is ``# postmux-acme/<path>``, by path."""
    files: dict[str, str] = {}
    for language in ("python", "toml"):
        for block in fenced_blocks(PLUGIN_GUIDE, language):
            named = re.match(rf"# {PROJECT}/(\S+)\n", block)
            if named:
                assert named.group(1) not in files, f"{named.group(1)} is shown twice"
                files[named.group(1)] = block[named.end() :]
    return files


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str], Path]:
    """The skeleton's project directory, an environment with it installed, and that site directory."""
    root = tmp_path_factory.mktemp("skeleton")
    here = root / PROJECT
    for name, code in skeleton().items():
        (here / name).parent.mkdir(parents=True, exist_ok=True)
        (here / name).write_text(code, encoding="utf-8")
    site = root / "site-packages"
    site.mkdir()
    install(here, site)
    return here, environment(site), site


def test_the_guide_shows_every_file_of_the_skeleton() -> None:
    assert sorted(skeleton()) == sorted(FILES)


def test_the_skeletons_own_tests_publish_through_its_emulator(
    project: tuple[Path, dict[str, str], Path],
) -> None:
    where, env, _ = project
    done = run_pytest(where, env)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert counts(done) == {"passed": 3}, done.stdout[-2000:]


def test_the_conformance_suite_passes_against_the_skeleton(
    project: tuple[Path, dict[str, str], Path],
) -> None:
    where, env, _ = project
    done = run_pytest(where, env, "-ra", "--pyargs", "postmux.testing", "--postmux-provider", "acme")
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    found = counts(done)
    assert found.get("failed", 0) == 0
    assert found.get("passed", 0) >= 40, found  # photos too: more cases than the video-only fake vendor
    assert skipped_for(done, "acme", LIMIT) == 2, done.stdout[-3000:]  # sync and async


def test_the_skeleton_type_checks(project: tuple[Path, dict[str, str], Path]) -> None:
    where, env, site = project
    package = str(site / "postmux_acme")
    done = run_python(where, env, "-m", "mypy", "--strict", "--no-error-summary", package, "tests")
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
