"""The four distributions' metadata, read from their ``pyproject.toml`` files.

What a release needs to be right before anything is built: one version source per distribution,
plugins pinned to the core's minor series, the LICENSE beside every project (a plugin's sdist is
built from its own directory and cannot reach the repository's), and the same URLs and supported
Pythons everywhere. ``python3 dev.py dist`` checks the built archives; this checks their sources.
"""

from __future__ import annotations

import importlib
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
PLUGINS = sorted(p.parent for p in ROOT.glob("plugins/*/pyproject.toml"))
PROJECTS = [ROOT, *PLUGINS]
# hatch's own pattern for [tool.hatch.version] path = …: the version is read, not imported.
VERSION_LINE = re.compile(r"""^__version__ = ["']([^"']+)["']$""", re.MULTILINE)
SUPPORTED = ["3.11", "3.12", "3.13"]


def pyproject(project: Path) -> dict[str, Any]:
    with (project / "pyproject.toml").open("rb") as f:
        return tomllib.load(f)


def written_version(project: Path) -> str:
    """The version in the file hatch reads it from (the only place it is written)."""
    path = project / pyproject(project)["tool"]["hatch"]["version"]["path"]
    (version,) = VERSION_LINE.findall(path.read_text())
    return str(version)


CORE_VERSION = Version(written_version(ROOT))


def ids(project: Path) -> str:
    return project.name if project != ROOT else "postmux"


@pytest.mark.parametrize("project", PROJECTS, ids=ids)
def test_the_version_is_written_once_in_the_package(project: Path) -> None:
    meta = pyproject(project)["project"]
    assert "version" not in meta
    assert meta["dynamic"] == ["version"]
    package = pyproject(project)["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"]
    (source,) = package
    assert pyproject(project)["tool"]["hatch"]["version"]["path"] == f"{source}/__init__.py"
    module = importlib.import_module(Path(source).name)
    assert module.__version__ == written_version(project)


@pytest.mark.parametrize("project", PLUGINS, ids=ids)
def test_a_plugin_requires_the_core_minor_series_it_was_built_against(project: Path) -> None:
    (requirement,) = (Requirement(d) for d in pyproject(project)["project"]["dependencies"])
    assert requirement.name == "postmux"
    major, minor = CORE_VERSION.major, CORE_VERSION.minor
    # While 0.x, postmux.flow and postmux.wire may change between minor releases.
    assert major == 0, "1.0 and later: require the major series instead"
    assert requirement.specifier.contains(CORE_VERSION)
    assert requirement.specifier.contains(f"{major}.{minor}.99")
    assert not requirement.specifier.contains(f"{major}.{minor + 1}.0")
    assert not requirement.specifier.contains(f"{major}.{minor - 1}.99" if minor else "0.0.1")
    assert str(requirement.specifier) == f"<{major}.{minor + 1},>={major}.{minor}"


@pytest.mark.parametrize("project", PROJECTS, ids=ids)
def test_every_distribution_carries_the_mit_license(project: Path) -> None:
    meta = pyproject(project)["project"]
    assert meta["license"] == "MIT"
    assert meta["license-files"] == ["LICENSE"]
    text = (project / "LICENSE").read_text()
    assert text == (ROOT / "LICENSE").read_text()
    assert text.startswith("MIT License\n\nCopyright (c) 2026 the postmux authors\n")


@pytest.mark.parametrize("project", PROJECTS, ids=ids)
def test_classifiers_name_every_supported_python(project: Path) -> None:
    meta = pyproject(project)["project"]
    classifiers = meta["classifiers"]
    declared = [c.rsplit(" :: ", 1)[1] for c in classifiers if re.fullmatch(r".*:: 3\.\d+", c)]
    assert declared == SUPPORTED
    assert meta["requires-python"] == f">={SUPPORTED[0]}"
    assert "Typing :: Typed" in classifiers
    assert "Operating System :: OS Independent" in classifiers
    assert any(c.startswith("Development Status :: ") for c in classifiers)
    assert any(c.startswith("Topic :: ") for c in classifiers)
    # The license is the SPDX expression above; PEP 639 forbids License :: classifiers beside it.
    assert not any(c.startswith("License :: ") for c in classifiers)


@pytest.mark.parametrize("project", PROJECTS, ids=ids)
def test_project_urls_are_the_same_everywhere(project: Path) -> None:
    urls = pyproject(project)["project"]["urls"]
    core = pyproject(ROOT)["project"]["urls"]
    assert sorted(urls) == ["Changelog", "Documentation", "Homepage", "Issues", "Source"]
    source, core_source = urls.pop("Source"), core.pop("Source")
    assert urls == core
    assert source.startswith(core_source)  # a plugin's points at its folder
    assert all(url.startswith("https://") for url in urls.values())
    assert (ROOT / "CHANGELOG.md").exists()


@pytest.mark.parametrize("project", PROJECTS, ids=ids)
def test_each_sdist_holds_only_its_own_package(project: Path) -> None:
    """What ``only-include`` names; ``python3 dev.py dist`` checks the built archives themselves."""
    targets = pyproject(project)["tool"]["hatch"]["build"]["targets"]
    (package,) = targets["wheel"]["packages"]
    extras = ["CHANGELOG.md"] if project == ROOT else []
    assert targets["sdist"]["only-include"] == [package, *extras]
    assert pyproject(project)["project"]["readme"] == "README.md"


def test_the_readme_installs_extras_that_exist() -> None:
    extras = set(pyproject(ROOT)["project"]["optional-dependencies"])
    named = re.findall(r"pip install '?postmux\[([a-z,]+)\]", (ROOT / "README.md").read_text())
    assert named
    assert {extra for group in named for extra in group.split(",")} <= extras
