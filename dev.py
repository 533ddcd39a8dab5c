#!/usr/bin/env python3
"""Set up and run postmux's two jobs with nothing but Python 3.11+.

    python3 dev.py demo     # the main job: a cross-post through the bundled vendor emulators
    python3 dev.py test     # every check: ruff (lint and format), mypy --strict, the whole pytest suite,
                            # the docs site (strict) and the wheels-only smoke; what CI runs
    python3 dev.py test --quick [PYTEST ARGS]   # ruff, mypy and pytest only, for iterating
    python3 dev.py dist     # the five sdists and wheels in dist/, checked (twine check --strict, contents)
    python3 dev.py smoke    # dist, then the wheels alone in a fresh venv outside the repository:
                            # ``postmux providers`` and ``postmux demo`` there (--python X picks the Python)
    python3 dev.py docs     # the docs site, built strictly into site/ (adds the docs extra to .venv)
    python3 dev.py bench    # the benchmarks' table: ratios against same-run baselines (--quick, names)

Each makes ``.venv`` on first use and installs the core and every plugin in
``plugins/`` into it (editable, with the dev and sandbox extras); later runs
reinstall only when a ``pyproject.toml`` changed.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import venv
import zipfile
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


def _run(*args: str | os.PathLike[str], env: dict[str, str] | None = None) -> int:
    return subprocess.call([str(a) for a in args], cwd=ROOT, env=env)


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
    targets = [f"{ROOT}[dev,sandbox,cli,postgres]"]
    targets += [str(p) for p in _projects()[1:]]
    editable = [arg for t in targets for arg in ("-e", t)]
    if _run(PY, "-m", "pip", "install", *quiet, *editable) != 0:
        sys.exit("postmux: installing into .venv failed")
    STAMP.write_text(fingerprint)


# Programs some tests need, by the Debian package that provides them: the tests start them
# themselves (PostgreSQL and Redis for the ledger suite, Chromium for the comparison page).
# They skip where a program is missing, except under CI=true, where they fail.
SYSTEM_PROGRAMS = {
    "chromium": ["chromium"],
    "postgresql": [str(p) for p in Path("/usr/lib/postgresql").glob("*/bin/initdb")] or ["initdb"],
    "redis-server": ["redis-server"],
}


def _missing_packages() -> list[str]:
    return [
        package
        for package, programs in SYSTEM_PROGRAMS.items()
        if not any(shutil.which(p) or Path(p).is_file() for p in programs)
    ]


def ensure_system() -> None:
    """Install the Debian packages the tests need, where missing and where we may (root with apt)."""
    missing = _missing_packages()
    if not missing:
        return
    root = hasattr(os, "geteuid") and os.geteuid() == 0
    if not (root and shutil.which("apt-get")):
        print(f"postmux: not installed: {', '.join(missing)}; the tests that need them skip", flush=True)
        return
    print(f"postmux: installing {', '.join(missing)} (apt-get)", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-q", "--no-install-recommends", *missing]
    if _run("apt-get", "update", "-q", env=env) != 0 or _run(*install, env=env) != 0:
        sys.exit(f"postmux: apt-get could not install {', '.join(missing)}")


def test(extra: list[str]) -> int:
    """Every check, as CI runs it; the first failure's exit code.

    ruff, mypy --strict and pytest, then the strict docs build and the
    wheels-only smoke. ``--quick`` stops after pytest (other arguments go to
    pytest either way).
    """
    quick = "--quick" in extra
    extra = [arg for arg in extra if arg != "--quick"]
    ensure_system()
    ensure_env()
    sources = ["src", *(str(p.relative_to(ROOT) / "src") for p in _projects()[1:])]
    linted = ["src", "plugins", "tests", "benchmarks", "docs/hooks", "docs/recipes", "dev.py"]
    steps: list[list[str | os.PathLike[str]]] = [
        [PY, "-m", "ruff", "check", *linted],
        [PY, "-m", "ruff", "format", "--check", *linted],
        [PY, "-m", "mypy", *sources, "tests", "benchmarks", "dev.py"],  # one run: [tool.mypy] has the roots
        [PY, "-m", "pytest", *extra],
    ]
    for step in steps:
        print("postmux:", " ".join(str(s) for s in step[1:]), flush=True)
        code = _run(*step)
        if code != 0:
            return code
    if quick:
        return 0
    return docs([]) or smoke([])


def demo(extra: list[str]) -> int:
    """The main job: ``postmux demo`` through the bundled emulators."""
    ensure_env()
    return _run(BIN / "postmux", "demo", *extra)


# --- packaging: ``dist`` builds and checks the archives, ``smoke`` installs them elsewhere --------------

DIST = ROOT / "dist"
# Beside its package, an sdist holds only these (hatch adds PKG-INFO, pyproject.toml, README and LICENSE;
# the core's also carries the changelog its metadata links to).
SDIST_EXTRAS = {"PKG-INFO", "pyproject.toml", "README.md", "LICENSE", "CHANGELOG.md", ".gitignore"}


def _package_dir(project: Path) -> Path:
    """The one import package a project ships, ``src/<package>``."""
    (package,) = (p for p in (project / "src").iterdir() if (p / "__init__.py").exists())
    return package


def _dist_name(project: Path) -> str:
    """The distribution's file-name stem (``postmux_wahdx``), as wheels and sdists spell it."""
    text = (project / "pyproject.toml").read_text()
    match = re.search(r'^name = "([^"]+)"', text, re.MULTILINE)
    assert match, f"no name in {project / 'pyproject.toml'}"
    return re.sub(r"[-_.]+", "_", match.group(1)).lower()


def _package_files(package: Path) -> set[str]:
    """The package's files as the archives should hold them, relative to ``src/``."""
    return {
        str(f.relative_to(package.parent).as_posix())
        for f in package.rglob("*")
        if f.is_file() and "__pycache__" not in f.parts and f.suffix not in {".pyc", ".pyo"}
    }


def _archive_problems(project: Path) -> list[str]:
    """Why this project's built sdist and wheel do not hold exactly its own package (and LICENSE)."""
    name, package = _dist_name(project), _package_dir(project)
    wheels = sorted(DIST.glob(f"{name}-*.whl"))
    sdists = sorted(DIST.glob(f"{name}-*.tar.gz"))
    if len(wheels) != 1 or len(sdists) != 1:
        return [f"{name}: expected one wheel and one sdist in dist/, found {len(wheels)} and {len(sdists)}"]
    expected = _package_files(package)
    problems: list[str] = []
    with zipfile.ZipFile(wheels[0]) as whl:
        members = [m for m in whl.namelist() if not m.endswith("/")]
    info = next((m.split("/")[0] for m in members if m.split("/")[0].endswith(".dist-info")), "")
    shipped = {m for m in members if not m.startswith(f"{info}/")}
    if shipped != expected:
        problems.append(
            f"{wheels[0].name}: extra {sorted(shipped - expected)}, missing {sorted(expected - shipped)}"
        )
    if f"{info}/licenses/LICENSE" not in members:
        problems.append(f"{wheels[0].name}: no LICENSE in {info}/licenses/")
    with tarfile.open(sdists[0]) as sdist:
        members = [m.name for m in sdist.getmembers() if m.isfile()]
    root = members[0].split("/")[0]
    inside = {m.removeprefix(f"{root}/") for m in members}
    packaged = {m.removeprefix("src/") for m in inside if m.startswith("src/")}
    if packaged != expected:
        problems.append(
            f"{sdists[0].name}: extra {sorted(packaged - expected)}, missing {sorted(expected - packaged)}"
        )
    if strays := sorted(m for m in inside if not m.startswith("src/") and m not in SDIST_EXTRAS):
        problems.append(f"{sdists[0].name}: files that belong to no package: {strays}")
    problems += [f"{sdists[0].name}: no {f}" for f in ("LICENSE", "README.md") if f not in inside]
    return problems


def dist(extra: list[str]) -> int:
    """Build every distribution's sdist and wheel into ``dist/`` (the wheel from the sdist, which
    proves the sdist complete), run ``twine check --strict``, and check each archive holds exactly
    its own package and the LICENSE."""
    ensure_env()
    shutil.rmtree(DIST, ignore_errors=True)
    for project in _projects():
        print(f"postmux: building {project.relative_to(ROOT).as_posix() or '.'}", flush=True)
        code = _run(PY, "-m", "build", "--quiet", "--outdir", DIST, project, *extra)
        if code != 0:
            return code
    archives = sorted(str(a) for a in DIST.iterdir())
    print("postmux: twine check --strict dist/*", flush=True)
    if code := _run(PY, "-m", "twine", "check", "--strict", *archives):
        return code
    problems = [problem for project in _projects() for problem in _archive_problems(project)]
    for problem in problems:
        print("postmux: dist:", problem, file=sys.stderr)
    if problems:
        return 1
    print(f"postmux: dist/ holds {len(archives)} checked archives", flush=True)
    return 0


# Run in the smoke venv: every distribution came from our wheel file, none from the repository.
_SMOKE_CHECK = """
import importlib, importlib.metadata as md, json, pathlib, sys
root, names = pathlib.Path(sys.argv[1]), sys.argv[2:]
for name in names:
    d = md.distribution(name)
    url = json.loads(d.read_text("direct_url.json") or "{}").get("url", "")
    assert url.startswith("file:") and url.endswith(".whl"), f"{name} {d.version} not from a wheel: {url!r}"
    module = importlib.import_module(name.replace("-", "_"))
    where = pathlib.Path(module.__file__).resolve()
    assert root not in where.parents, f"{name} imported from the repository: {where}"
    assert module.__version__ == d.version, f"{name}: __version__ {module.__version__} != {d.version}"
    print(f"postmux: smoke: {name} {d.version} from {url.rsplit('/', 1)[-1]}")
"""


def _smoke_env(bin_dir: Path) -> dict[str, str]:
    """The environment with nothing pointing into the repository or configuring postmux."""
    dropped = {"PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "VIRTUAL_ENV", "PYTHONUSERBASE"}
    env = {k: v for k, v in os.environ.items() if k not in dropped and not k.startswith("POSTMUX_")}
    env["PATH"] = os.pathsep.join([str(bin_dir), env.get("PATH", "")])
    env["PYTHONNOUSERSITE"] = "1"
    return env


def smoke(extra: list[str]) -> int:
    """Build the archives, install only our five wheels (dependencies from the package index) into
    a fresh venv outside the repository, and run ``postmux providers`` and ``postmux demo`` from a
    directory outside it: what a user gets from ``pip install``, not what the checkout provides."""
    python = extra[extra.index("--python") + 1] if "--python" in extra else sys.executable
    if code := dist([]):
        return code
    wheels = {_dist_name(p): next(DIST.glob(f"{_dist_name(p)}-*.whl")) for p in _projects()}
    core = wheels.pop(_dist_name(ROOT))
    names = ["postmux", *(p.name for p in _projects()[1:])]
    with tempfile.TemporaryDirectory(prefix="postmux-smoke-") as tmp:
        home = Path(tmp).resolve()
        if ROOT in home.parents:
            sys.exit(f"postmux: smoke: the temporary directory {home} is inside the repository")
        env_dir, work = home / "venv", home / "work"
        work.mkdir()
        print(f"postmux: smoke: fresh venv in {env_dir} ({python})", flush=True)
        if code := subprocess.call([python, "-m", "venv", str(env_dir)], cwd=work):
            return code
        bin_dir = env_dir / ("Scripts" if os.name == "nt" else "bin")
        env = _smoke_env(bin_dir)
        steps = [
            # Explicit wheel files, so pip can never take a postmux distribution from an index.
            ["python", "-m", "pip", "install", "-q", f"{core}[cli,sandbox]", *map(str, wheels.values())],
            ["python", "-c", _SMOKE_CHECK, str(ROOT), *names],
            ["postmux", "providers"],
            ["postmux", "demo"],
        ]
        for step in steps:
            shown = " ".join(step if step[1] != "-c" else [*step[:1], "<check>", *names])
            print("postmux: smoke:", shown, flush=True)
            command = [shutil.which(step[0], path=str(bin_dir)) or step[0], *step[1:]]
            if code := subprocess.call(command, cwd=work, env=env):
                print(f"postmux: smoke: {step[0]} {step[1]} exited {code}", file=sys.stderr)
                return code
    print("postmux: smoke passed", flush=True)
    return 0


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
    steps: list[list[str | os.PathLike[str]]] = [
        [PY, "-m", "mypy", "docs/hooks"],
        [PY, "-m", "mkdocs", "build", "--strict", *extra],
    ]
    for step in steps:
        print("postmux:", " ".join(str(s) for s in step[1:]), flush=True)
        code = _run(*step, env=env)
        if code != 0:
            return code
    return 0


def bench(extra: list[str]) -> int:
    """The benchmarks (``benchmarks/``): every figure a ratio against a baseline of the same run."""
    ensure_env()
    return _run(PY, "-m", "benchmarks", *extra)


def main(argv: list[str]) -> int:
    jobs = {"test": test, "demo": demo, "dist": dist, "smoke": smoke, "docs": docs, "bench": bench}
    if not argv or argv[0] not in jobs:
        print(__doc__)
        return 2
    return jobs[argv[0]](argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
