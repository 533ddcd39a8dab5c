"""MkDocs hooks: the pages built from files outside ``docs/``, generated at build so none can drift.

- ``index.md`` is the repository's ``README.md`` and ``plugins/<vendor>.md`` each
  ``plugins/postmux-<vendor>/README.md``: the same text PyPI shows, not a copy.
- ``capabilities.md`` is rendered by :mod:`postmux.docgen` from the installed plugins, the one
  generator of those tables; the committed file (read on GitHub) must equal it, or the strict
  build fails as the test in ``tests/docs`` does.

READMEs are read on PyPI, where a relative link breaks, so they link to this site by absolute URL.
Here those links become links between pages again, which ``mkdocs build --strict`` checks: a README
that links to a page the site lacks fails the build.
"""

from __future__ import annotations

import logging
import posixpath
import re
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.livereload import LiveReloadServer
    from mkdocs.structure.files import Files
    from mkdocs.structure.pages import Page

ROOT = Path(__file__).resolve().parents[2]
log = logging.getLogger("mkdocs.hooks.postmux")  # under "mkdocs": its warnings fail a strict build

_REGENERATE = ".venv/bin/python -m postmux.docgen > docs/capabilities.md"
_LINK = re.compile(r"\]\((?P<url>[^)\s]+)\)")


def readme_pages(root: Path = ROOT) -> dict[str, Path]:
    """Each generated page's path in the site, and the README it is made from."""
    pages = {"index.md": root / "README.md"}
    for readme in sorted(root.glob("plugins/postmux-*/README.md")):
        pages[f"plugins/{readme.parent.name.removeprefix('postmux-')}.md"] = readme
    return pages


def site_links(markdown: str, page: str, site_url: str, exists: set[str]) -> str:
    """``markdown`` with absolute links into ``site_url`` made relative to ``page``.

    ``…/guide/#ledger`` becomes ``guide.md#ledger`` (or ``../guide.md#ledger`` from a plugin page),
    ``…/reference/`` becomes ``reference/index.md`` when that is the page there. Links elsewhere
    are left alone.
    """
    base = site_url.rstrip("/") + "/"

    def local(match: re.Match[str]) -> str:
        url = match["url"]
        if not url.startswith(base):
            return match[0]
        path, _, anchor = url[len(base) :].partition("#")
        path = path.strip("/")
        if not path:
            target = "index.md"
        elif f"{path}.md" in exists or f"{path}/index.md" not in exists:
            target = f"{path}.md"  # a missing page stays missing: the strict build names it
        else:
            target = f"{path}/index.md"
        relative = posixpath.relpath(target, posixpath.dirname(page) or ".")
        return f"]({relative}{'#' + anchor if anchor else ''})"

    return _LINK.sub(local, markdown)


def on_files(files: Files, config: MkDocsConfig) -> Files:
    from mkdocs.structure.files import File

    for page, source in readme_pages().items():
        files.append(File.generated(config, page, abs_src_path=str(source)))
    return files


def on_serve(server: LiveReloadServer, config: MkDocsConfig, builder: Callable[[], None]) -> LiveReloadServer:
    """``mkdocs serve`` rebuilds when a README changes, as it does for the files in ``docs/``."""
    for source in readme_pages().values():
        server.watch(str(source))
    return server


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    src = page.file.src_uri
    if src == "capabilities.md":
        from postmux import docgen, providers

        if not providers():
            log.warning("capabilities.md: no postmux plugin is installed, so its tables would be empty")
        generated = docgen.render()
        if generated != markdown:
            log.warning("docs/capabilities.md is stale: run `%s`", _REGENERATE)
        return generated
    if src in readme_pages():
        exists = {f.src_uri for f in files.documentation_pages()}
        return site_links(markdown, src, config.site_url or "", exists)
    return markdown
