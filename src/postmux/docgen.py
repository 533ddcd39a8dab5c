"""The capability matrix and field-mapping tables, generated from the installed plugins.

The docs must not drift from the code, so ``docs/capabilities.md`` is written
by this module (``python -m postmux.docgen > docs/capabilities.md``) from each
adapter's :class:`~postmux.Capabilities` and ``field_mapping``, and a test
checks that the committed file matches.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Mapping
from datetime import timedelta

import attrs

from .adapter import Adapter
from .capabilities import Capabilities, PlatformSupport, photo_count, photo_formats, tighter
from .options import (
    OPTION_TYPES,
    PlatformOptions,
)
from .plugins import PluginManager, plugin_manager
from .rules import PLATFORMS, RULES, TextLimit

__all__ = ["SWITCHING_BEGIN", "SWITCHING_END", "capability_matrix", "differences", "field_tables", "render"]


def _local_files(c: Capabilities) -> bool:
    return c.local_files


_GENERAL: tuple[tuple[str, Callable[[Capabilities], bool]], ...] = (
    ("scheduling", lambda c: c.scheduling),
    ("local files (upload)", _local_files),
    ("media URLs", lambda c: c.remote_media),
    ("creator info", lambda c: c.creator_info),
    ("batched status", lambda c: c.batch_status),
    ("cancel scheduled", lambda c: c.cancel),
    ("reschedule", lambda c: c.reschedule),
    ("reconcile (finds a post without its id)", lambda c: c.reconcile),
)


_FEATURES = ("video", "photos", "text only", "own text per target", "draft", "scheduling")


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
        "text only": _mark(support.text_only and RULES[platform].text_only),
        "own text per target": _mark(support.target_text),
        "draft": _mark(support.draft),
        "scheduling": _mark(caps.can_schedule(platform)),
    }
    return values[feature]


def _photo_range(support: PlatformSupport, platform: str) -> str:
    rules = RULES[platform]
    low, high = photo_count(rules, support)
    return f"{low}–{high}" if high is not None else f"{low}+"


def capability_matrix(adapters: Mapping[str, type[Adapter]]) -> list[str]:
    """Markdown lines: vendor × platform × feature, then the general features."""
    names = sorted(adapters)
    lines: list[str] = []
    for feature in _FEATURES:
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
    for platform, cls in OPTION_TYPES.items():
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


# -- what differs between vendors: the "Switching vendors" list of docs/guide.md ---------------------

SWITCHING_BEGIN = "<!-- generated by `python -m postmux.docgen --switching`: do not edit by hand -->"
SWITCHING_END = "<!-- end of generated list -->"


def _limit(limit: TextLimit | None) -> str:
    return f"{limit.limit} {limit.unit}" if limit is not None else "no limit"


def _facts(caps: Capabilities, platform: str) -> dict[str, str]:
    """Feature → what one vendor does for one platform, in words (only where it publishes there)."""
    rules = RULES[platform]
    support = caps.platforms[platform]
    facts = {"videos": _mark(rules.video and support.video)}
    if rules.video and support.video:
        formats = support.video_formats if support.video_formats is not None else rules.video_formats
        facts["video formats"] = ", ".join(sorted(formats))
        facts["caption"] = _limit(tighter(rules.caption, support.caption))
    if rules.photos:
        facts["photos"] = _photo_range(support, platform) if support.photos else "—"
        if support.photos:
            formats = photo_formats(rules, support)
            facts["photo formats"] = ", ".join(sorted(formats))
            facts["photo text"] = _limit(tighter(rules.photo_caption, support.photo_caption))
            if rules.photo_title is not None:
                limit = tighter(rules.photo_title, support.photo_title)
                facts["photo title"] = _limit(limit) if support.title else "—"
    if rules.text_only:
        facts["text alone"] = _mark(support.text_only)
    facts["own text per target"] = _mark(support.target_text)
    facts["draft"] = _mark(support.draft)
    facts["scheduling"] = _mark(caps.can_schedule(platform))
    return facts


def _grouped(values: Mapping[str, str]) -> str | None:
    """``"a (x, y); b (z)"`` when the vendors differ, else ``None``."""
    groups: dict[str, list[str]] = {}
    for name, value in values.items():
        groups.setdefault(value, []).append(name)
    if len(groups) < 2:
        return None
    return "; ".join(f"{value} ({', '.join(names)})" for value, names in groups.items())


def differences(adapters: Mapping[str, type[Adapter]]) -> list[str]:
    """Markdown bullets: every platform feature, option and general feature where the vendors differ."""
    names = sorted(adapters)
    caps = {n: adapters[n].capabilities for n in names}
    lines: list[str] = []
    for platform in PLATFORMS:
        label = RULES[platform].name
        present = [n for n in names if caps[n].supports(platform)]
        if not present:
            continue  # no installed vendor publishes there: nothing differs
        if len(present) < len(names):
            absent = [n for n in names if n not in present]
            lines.append(f"- **{label}**: through {', '.join(present)} only; not {', '.join(absent)}")
        facts = {n: _facts(caps[n], platform) for n in present}
        for feature in dict.fromkeys(f for n in present for f in facts[n]):
            differ = _grouped({n: facts[n].get(feature, "—") for n in present})
            if differ:
                lines.append(f"- **{label}, {feature}**: {differ}")
        cls = OPTION_TYPES[platform]
        missing = [
            f"`{f.name}` (not at {', '.join(lacking)})"
            for f in attrs.fields(cls)
            if (lacking := [n for n in present if f.name not in caps[n].platforms[platform].options])
            and len(lacking) < len(present)
        ]
        if missing:
            lines.append(f"- **{label}, `{cls.__name__}`**: {', '.join(missing)}")
    for label, get in _GENERAL:
        differ = _grouped({n: _mark(get(caps[n])) for n in names})
        if differ:
            more = "; with a media host, the others take them too" if get is _local_files else ""
            lines.append(f"- **{label}**: {differ}{more}")
    window = _grouped({n: _window(caps[n]) for n in names if caps[n].scheduling})
    if window:
        lines.append(f"- **how far ahead a post can be scheduled**: {window}")
    linking = _grouped({n: ", ".join(sorted(caps[n].connect)) or "—" for n in names})
    if linking:
        lines.append(f"- **link accounts**: {linking}")
    return lines or ["- nothing: every installed vendor supports the same"]


def _window(caps: Capabilities) -> str:
    low = f"from {_span(caps.schedule_min)}" if caps.schedule_min else "any time"
    return f"{low} to {_span(caps.schedule_max)}" if caps.schedule_max else low


def _span(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    if seconds % 86400 == 0:
        return f"{seconds // 86400} days"
    return f"{seconds // 60} minutes"


def switching(plugins: PluginManager | None = None) -> str:
    """The generated block of docs/guide.md's "Switching vendors", markers included."""
    adapters = (plugins or plugin_manager()).providers()
    body = differences(adapters)
    return (
        "\n".join([SWITCHING_BEGIN, f"Between {', '.join(sorted(adapters))}:", "", *body, SWITCHING_END])
        + "\n"
    )


if __name__ == "__main__":  # pragma: no cover - exercised by the docs test through render()
    sys.stdout.write(switching() if "--switching" in sys.argv[1:] else render())
