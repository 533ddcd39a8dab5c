"""The capability matrix and field-mapping tables, generated from the installed plugins.

The docs must not drift from the code, so ``docs/capabilities.md`` is written
by this module (``python -m postmux.docgen > docs/capabilities.md``) from each
adapter's :class:`~postmux.Capabilities` and ``field_mapping``, and a test
checks that the committed file matches.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Mapping

import attrs

from .adapter import Adapter
from .capabilities import Capabilities, PlatformSupport
from .options import (
    FacebookOptions,
    InstagramOptions,
    PlatformOptions,
    ThreadsOptions,
    TikTokOptions,
    YouTubeOptions,
)
from .plugins import PluginManager, plugin_manager
from .rules import PLATFORMS, RULES

__all__ = ["capability_matrix", "field_tables", "render"]

_OPTIONS: dict[str, type[PlatformOptions]] = {
    "tiktok": TikTokOptions,
    "instagram": InstagramOptions,
    "threads": ThreadsOptions,
    "facebook": FacebookOptions,
    "youtube": YouTubeOptions,
}

_GENERAL: tuple[tuple[str, Callable[[Capabilities], bool]], ...] = (
    ("scheduling", lambda c: c.scheduling),
    ("local files (upload)", lambda c: c.local_files),
    ("media URLs", lambda c: c.remote_media),
    ("creator info", lambda c: c.creator_info),
    ("batched status", lambda c: c.batch_status),
    ("cancel scheduled", lambda c: c.cancel),
    ("reschedule", lambda c: c.reschedule),
)


def _mark(value: bool) -> str:
    return "yes" if value else "—"


def _table(header: Iterable[str], rows: Iterable[Iterable[str]]) -> list[str]:
    head = list(header)
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def _platform_cell(caps: Capabilities, platform: str, feature: str) -> str:
    support = caps.for_platform(platform)
    if support is None:
        return "—"
    values: dict[str, str] = {
        "video": _mark(support.video),
        "photos": _photo_range(support, platform) if support.photos else "—",
        "draft": _mark(support.draft),
        "scheduling": _mark(caps.can_schedule(platform)),
    }
    return values[feature]


def _photo_range(support: PlatformSupport, platform: str) -> str:
    rules = RULES[platform]
    low = max(rules.min_photos, support.min_photos or 0)
    high = support.max_photos if support.max_photos is not None else rules.max_photos
    return f"{low}–{high}" if high is not None else f"{low}+"


def capability_matrix(adapters: Mapping[str, type[Adapter]]) -> list[str]:
    """Markdown lines: vendor × platform × feature, then the general features."""
    names = sorted(adapters)
    lines: list[str] = []
    for feature in ("video", "photos", "draft", "scheduling"):
        lines += [f"### {feature}", ""]
        rows = [
            [RULES[p].name, *(_platform_cell(adapters[n].capabilities, p, feature) for n in names)]
            for p in PLATFORMS
        ]
        lines += [*_table(["platform", *names], rows), ""]
    lines += ["### general", ""]
    rows = [[label, *(_mark(get(adapters[n].capabilities)) for n in names)] for label, get in _GENERAL]
    rows.append(
        [
            "link accounts",
            *(", ".join(sorted(adapters[n].capabilities.connect)) or "—" for n in names),
        ]
    )
    lines += [*_table(["feature", *names], rows), ""]
    return lines


def field_tables(adapters: Mapping[str, type[Adapter]]) -> list[str]:
    """Markdown lines: for each option class, each neutral field and its name at each vendor."""
    names = sorted(adapters)
    lines: list[str] = []
    for platform, cls in _OPTIONS.items():
        key = cls.__name__
        lines += [f"### {key}", ""]
        rows = []
        for f in attrs.fields(cls):
            cells = []
            for n in names:
                adapter = adapters[n]
                support = adapter.capabilities.for_platform(platform)
                wire = adapter.field_mapping.get(key, {}).get(f.name)
                if support is None or f.name not in support.options:
                    cells.append("unsupported")
                else:
                    cells.append(f"`{wire}`" if wire else "yes")
            rows.append([f"`{f.name}`", _default(cls, f.name), *cells])
        lines += [*_table(["field", "neutral default", *names], rows), ""]
    return lines


def _default(cls: type[PlatformOptions], name: str) -> str:
    """The neutral default of a field, with the media kind where it depends on one."""
    if name in cls.defaults:
        return f"`{cls.defaults[name]!r}`"
    for kind in ("video", "photo"):
        table: Mapping[str, object] = getattr(cls, f"{kind}_defaults", {})
        if name in table:
            return f"`{table[name]!r}` ({kind}s)"
    return ""


def render(plugins: PluginManager | None = None) -> str:
    """The whole of ``docs/capabilities.md``."""
    adapters = (plugins or plugin_manager()).providers()
    lines = [
        "# Capabilities and field mappings",
        "",
        "Generated from the installed plugins by `python -m postmux.docgen`; do not edit by hand.",
        "A feature a vendor lacks is an `UnsupportedError` before any request is sent.",
        "",
        "## What each vendor supports",
        "",
        *capability_matrix(adapters),
        "## Option fields at each vendor",
        "",
        "Unset options are sent as the neutral default, never left to a vendor's own default.",
        "",
        *field_tables(adapters),
    ]
    return "\n".join(lines).rstrip() + "\n"


if __name__ == "__main__":  # pragma: no cover - exercised by the docs test through render()
    sys.stdout.write(render())
