"""READMEs are read on PyPI, where a relative link breaks: every link in them is absolute.

The core's README is its PyPI long description and each plugin's README is that plugin's, so a
link like ``docs/guide.md`` would 404 there. Links into the docs site must also name a page the
site has; the site's own hook (``docs/hooks/postmux_pages.py``) is what maps them, so the test
uses it rather than a second mapping.
"""

from __future__ import annotations

import importlib.util
import posixpath
import re
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
READMES = [ROOT / "README.md", *sorted(ROOT.glob("plugins/postmux-*/README.md"))]

_FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)
_CODE = re.compile(r"`[^`\n]*`")
_INLINE = re.compile(r"\]\(\s*<?(?P<url>[^)\s>]+)")
_REFERENCE = re.compile(r"^\s*\[[^\]]+\]:\s*<?(?P<url>\S+?)>?(?:\s|$)", re.MULTILINE)
_HTML = re.compile(r"""(?:href|src)\s*=\s*["'](?P<url>[^"']+)["']""", re.IGNORECASE)
_ABSOLUTE = re.compile(r"^(https?://|mailto:)")


def _hooks() -> ModuleType:
    spec = importlib.util.spec_from_file_location("postmux_pages", ROOT / "docs/hooks/postmux_pages.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _site_url() -> str:
    found = re.search(r"^site_url:\s*(\S+)", (ROOT / "mkdocs.yml").read_text(encoding="utf-8"), re.MULTILINE)
    assert found, "mkdocs.yml has no site_url"
    return found[1]


def links(markdown: str) -> list[str]:
    """Every link target in ``markdown`` outside code: inline, reference-style and HTML."""
    prose = _CODE.sub("", _FENCE.sub("", markdown))
    return [m["url"] for pattern in (_INLINE, _REFERENCE, _HTML) for m in pattern.finditer(prose)]


def relative_links(markdown: str) -> list[str]:
    """The links that would break on PyPI (a bare ``#anchor`` stays on the page, so it is fine)."""
    return [url for url in links(markdown) if not _ABSOLUTE.match(url) and not url.startswith("#")]


def test_the_link_finder_sees_each_kind_of_relative_link() -> None:
    text = (
        "[guide](docs/guide.md) [home](../../README.md#install) [ok](https://x.example/) [top](#usage)\n"
        '[ref]: docs/capabilities.md\n<img src="docs/logo.png"> `[not](a-link.md)`\n'
        "```md\n[also not](code.md)\n```\n"
    )
    assert relative_links(text) == [
        "docs/guide.md",
        "../../README.md#install",
        "docs/capabilities.md",
        "docs/logo.png",
    ]


@pytest.mark.parametrize("readme", READMES, ids=lambda p: str(p.relative_to(ROOT)))
def test_readme_links_are_absolute(readme: Path) -> None:
    assert relative_links(readme.read_text(encoding="utf-8")) == [], (
        f"{readme.relative_to(ROOT)} is read on PyPI: link to {_site_url()}… instead"
    )


@pytest.mark.parametrize("readme", READMES, ids=lambda p: str(p.relative_to(ROOT)))
def test_readme_links_into_the_docs_site_name_pages_it_has(readme: Path) -> None:
    hooks = _hooks()
    pages = {p.relative_to(ROOT / "docs").as_posix() for p in (ROOT / "docs").rglob("*.md")}
    pages |= set(hooks.readme_pages(ROOT))
    page = next(name for name, source in hooks.readme_pages(ROOT).items() if source == readme)
    local = hooks.site_links(readme.read_text(encoding="utf-8"), page, _site_url(), pages)
    here = posixpath.dirname(page)
    missing = [
        url
        for url in relative_links(local)
        if posixpath.normpath(posixpath.join(here, url.partition("#")[0])) not in pages
    ]
    assert missing == [], f"{readme.relative_to(ROOT)} links to pages the docs site does not have"


def test_the_readmes_link_to_the_docs_site() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert any(url.startswith(_site_url()) for url in links(text))
