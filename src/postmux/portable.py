"""Portable pre-flight: what each installed vendor would refuse or change for one post.

An app that means to switch vendors asks before it switches::

    report = postmux.check_portable(post)          # every installed vendor, no I/O
    report.accepted_by                             # ("postpeer", "wahdx")
    for problem in report["wonda"].refused: ...    # Problems, as validate() gives them
    for change in report["wahdx"].changed: ...     # sent, but not as written

A **refusal** is a :class:`~postmux.Problem` that vendor's ``validate()``
would return. A **change** is something the vendor would publish other than
as the post says, or without a part of it: raw ``extras`` meant for another
vendor, an option it has no field for (left out, so the neutral default holds),
a local file it takes through the media host. ``notes`` carries the vendor's
own notes on the targeted platforms. Everything is read from the plugins' capabilities and checks; no
adapter is asked to send anything.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime

import attrs

from ._eq import fields_eq, fields_hash
from ._repr import fields_repr
from .adapter import Adapter
from .capabilities import Capabilities
from .errors import Problem
from .hosting import MEDIA_HOST_ENV
from .media import Media
from .plugins import PluginManager, plugin_manager
from .post import Post, Target
from .rules import RULES
from .validation import accepted_by, vendor_problems  # here before; a publisher needs only these

log = logging.getLogger("postmux")

__all__ = ["Change", "PortabilityReport", "VendorCheck", "accepted_by", "check_portable", "vendor_problems"]


@attrs.frozen(slots=True)
class Change:
    """Something a vendor would publish differently from the post, or leave out; ``field`` as in Problem."""

    field: str
    message: str

    __repr__ = fields_repr
    __eq__ = fields_eq
    __hash__ = fields_hash

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


@attrs.frozen(slots=True, kw_only=True)
class VendorCheck:
    """One vendor's verdict on a post: what it refuses (``publish`` would raise) and what it changes."""

    provider: str
    refused: tuple[Problem, ...] = ()
    changed: tuple[Change, ...] = ()
    notes: tuple[Change, ...] = ()
    """The plugin's notes on the targeted platforms (free text: they may not apply to this post)."""

    __repr__ = fields_repr
    __eq__ = fields_eq
    __hash__ = fields_hash

    @property
    def accepted(self) -> bool:
        """True when this vendor would publish the post (perhaps with changes)."""
        return not self.refused

    @property
    def unchanged(self) -> bool:
        """True when this vendor would publish the post exactly as written."""
        return not self.refused and not self.changed


@attrs.frozen(slots=True, kw_only=True)
class PortabilityReport:
    """Every checked vendor's :class:`VendorCheck`, by provider name in order."""

    vendors: tuple[VendorCheck, ...]

    __repr__ = fields_repr
    __eq__ = fields_eq
    __hash__ = fields_hash

    @property
    def accepted_by(self) -> tuple[str, ...]:
        """The vendors that would publish the post."""
        return tuple(v.provider for v in self.vendors if v.accepted)

    @property
    def refused_by(self) -> tuple[str, ...]:
        """The vendors that would refuse it."""
        return tuple(v.provider for v in self.vendors if not v.accepted)

    @property
    def portable(self) -> bool:
        """True when every checked vendor would publish it exactly as written."""
        return all(v.unchanged for v in self.vendors)

    def __getitem__(self, provider: str) -> VendorCheck:
        for check in self.vendors:
            if check.provider == provider:
                return check
        raise KeyError(provider)

    def __iter__(self) -> Iterator[VendorCheck]:
        return iter(self.vendors)

    def __len__(self) -> int:
        return len(self.vendors)

    def to_dict(self) -> dict[str, object]:
        """Plain data for ``--json`` and scripts: per vendor, its verdict, refusals, changes and notes."""
        return {
            "portable": self.portable,
            "accepted_by": list(self.accepted_by),
            "refused_by": list(self.refused_by),
            "vendors": [
                {
                    "provider": check.provider,
                    "accepted": check.accepted,
                    "unchanged": check.unchanged,
                    "refused": [{"field": p.field, "message": p.message} for p in check.refused],
                    "changed": [{"field": c.field, "message": c.message} for c in check.changed],
                    "notes": [{"field": n.field, "message": n.message} for n in check.notes],
                }
                for check in self.vendors
            ],
        }

    def summary(self) -> str:
        """Plain text, one block per vendor, for a log or a terminal."""
        lines: list[str] = []
        for check in self.vendors:
            verdict = "refuses" if check.refused else ("changes" if check.changed else "publishes as written")
            lines.append(f"{check.provider}: {verdict}")
            lines += [f"  refused  {p}" for p in check.refused]
            lines += [f"  changed  {c}" for c in check.changed]
            lines += [f"  note     {n}" for n in check.notes]
        return "\n".join(lines)


def _hosting_assumed(media_host: object) -> bool:
    if media_host is None:
        return bool(os.environ.get(MEDIA_HOST_ENV))
    return bool(media_host)


def _changes(adapter: Adapter, post: Post, *, hosting: bool) -> list[Change]:
    caps = adapter.capabilities
    name = adapter.name
    out: list[Change] = []
    if hosting and not caps.local_files:
        for i, item in enumerate(post.media):
            if isinstance(item, Media) and item.is_local:
                out.append(
                    Change(f"media[{i}].path", f"put on the media host; {name} fetches it from its URL")
                )
    extras = post.extras if isinstance(post.extras, Mapping) else {}
    for key in extras:
        if key != name:
            out.append(Change(f"extras.{key}", f"raw fields for {key}; not sent to {name}"))
    out += _dropped_options(caps, post, name)
    return out


def _notes(caps: Capabilities, post: Post) -> list[Change]:
    out: list[Change] = []
    for platform in _platforms(post):
        support = caps.for_platform(platform)
        if support is not None:
            out += [Change(platform, note) for note in support.notes]
    return out


def _platforms(post: Post) -> list[str]:
    targets = post.targets if isinstance(post.targets, tuple) else ()
    return list(dict.fromkeys(t.platform for t in targets if isinstance(t, Target)))


def _dropped_options(caps: Capabilities, post: Post, name: str) -> Iterator[Change]:
    """Options set to their neutral default that the vendor has no field for: left out, same effect."""
    for platform in _platforms(post):
        support = caps.for_platform(platform)
        options = post.options_for(platform)
        if support is None or options is None:
            continue
        for field_name, value in options.given().items():
            if field_name not in support.options and value == options.defaults.get(field_name):
                yield Change(
                    f"{platform}.{field_name}",
                    f"not sent: {name} has no such {RULES[platform].name} field; "
                    f"leaving it out gives the same ({value!r})",
                )


def check_portable(
    post: Post,
    providers: Sequence[str] | None = None,
    *,
    media_host: object = None,
    plugins: PluginManager | None = None,
    now: datetime | None = None,
) -> PortabilityReport:
    """What each vendor (default: every installed one) would refuse or change for ``post``; no I/O.

    ``media_host`` says whether local files would go through a media host
    (any true value, such as the host or its spec); by default, whether
    ``POSTMUX_MEDIA_HOST`` is set. Unknown provider names raise
    :class:`~postmux.UnknownProviderError`.
    """
    plugins = plugins or plugin_manager()
    names = sorted(plugins.providers()) if providers is None else list(providers)
    hosting = _hosting_assumed(media_host)
    checks = []
    for name in names:
        adapter = plugins.get(name)()
        refused = tuple(vendor_problems(adapter, post, hosting=hosting, now=now))
        changed: tuple[Change, ...] = ()
        notes: tuple[Change, ...] = ()
        if isinstance(post, Post):
            changed = tuple(_changes(adapter, post, hosting=hosting))
            notes = tuple(_notes(adapter.capabilities, post))
        checks.append(VendorCheck(provider=name, refused=refused, changed=changed, notes=notes))
    return PortabilityReport(vendors=tuple(checks))
