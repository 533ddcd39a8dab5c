"""Every installed vendor side by side for one post: ``postmux.compare(post)``.

For a team choosing a vendor the question is never "which fields exist" but
"what would *this* post become at each vendor". So each vendor × target gets:

* accepted or refused, with the problems :meth:`~postmux.Publisher.validate`
  finds for that target alone (a refusal of one target does not hide what the
  others would get);
* per neutral field (the post's text, title, media and schedule, and every
  field of the target platform's options class): the wire name from the
  adapter's ``field_mapping``, where it lands in the body, the value sent,
  and whether it was renamed, inverted, sent as the explicit neutral default,
  omitted, not carried at all, or refused;
* the exact requests (:mod:`postmux.preview`), key redacted.

Plus the capability differences that matter for this post (its platforms,
its media kind, the options it sets, scheduling, local files). Nothing is
sent and no key is needed: the adapters are built on their default base URLs
with a placeholder key, which the previews show redacted. ``@username``
targets are shown unresolved (resolving them needs the vendor's account list).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import attrs

from ._eq import fields_eq, fields_hash
from ._repr import fields_repr
from .adapter import Adapter, Route
from .core import PublisherCore
from .errors import Problem, ValidationError
from .media import Media, MediaKind
from .options import OPTION_TYPES, PlatformOptions
from .plugins import PluginManager, plugin_manager
from .post import Post, Target
from .preview import Preview, RequestPreview, placeholder, preview_post
from .rules import RULES
from .secrets import Secret

__all__ = [
    "PLACEHOLDER_KEY",
    "CapabilityDifference",
    "Comparison",
    "FieldComparison",
    "TargetComparison",
    "compare",
    "target_problems",
]

PLACEHOLDER_KEY = Secret("postmux-compare-placeholder-key")
"""Stands for every vendor's key in a comparison: shown as ``***``, never sent anywhere."""

POST_FIELDS = ("text", "title", "media", "schedule_at")
"""The post's own fields compared, besides the options of the target's platform."""


@attrs.frozen(slots=True, kw_only=True)
class FieldComparison:
    """One neutral field at one vendor for one target.

    ``value`` is the neutral value the post means (the app's, else the neutral
    default); ``sent`` what the body carries at ``wire_paths`` (dotted paths,
    ``[n]`` for list items). ``default`` marks a neutral default sent
    explicitly; ``inverted`` a boolean of the opposite meaning on the wire;
    ``carried`` False a field this vendor has no wire field for; ``refused``
    a field a problem names (``problem`` says why).
    """

    field: str
    wire_name: str | None
    wire_paths: tuple[str, ...] = ()
    value: Any = None
    sent: Any = None
    on_wire: bool = False
    set_by_app: bool = False
    default: bool = False
    inverted: bool = False
    carried: bool = True
    refused: bool = False
    problem: str | None = None
    target_accepted: bool = True
    shown: bool = True
    """False where the preview holds no publish body to read the field in: the vendor's publish
    request follows an answer (TikTok's creator check) that a preview does not make up."""

    __repr__ = fields_repr
    __eq__ = fields_eq
    __hash__ = fields_hash

    @property
    def renamed(self) -> bool:
        """True when the vendor spells the field differently."""
        return self.wire_name is not None and self.wire_name != self.field.rpartition(".")[2]

    @property
    def converted(self) -> bool:
        """True when the wire value is another value than the neutral one, beyond an inversion."""
        if not self.on_wire or self.inverted:
            return False
        return bool(self.sent != self.value)

    @property
    def state(self) -> str:
        """One word for the cell: refused, not carried, not sent (the target is refused), not shown
        (the preview holds no publish body), omitted, inverted, default or sent."""
        if self.refused:
            return "refused"
        if not self.carried:
            return "not carried"
        if not self.target_accepted:
            return "not sent"
        if not self.shown:
            return "not shown"
        if not self.on_wire:
            return "omitted"
        if self.inverted:
            return "inverted"
        return "default" if self.default else "sent"

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        return {
            "field": self.field,
            "state": self.state,
            "wire_name": self.wire_name,
            "wire_paths": list(self.wire_paths),
            "value": _plain(self.value),
            "sent": _plain(self.sent),
            "on_wire": self.on_wire,
            "set_by_app": self.set_by_app,
            "default": self.default,
            "renamed": self.renamed,
            "inverted": self.inverted,
            "converted": self.converted,
            "carried": self.carried,
            "refused": self.refused,
            "problem": self.problem,
            "target_accepted": self.target_accepted,
        }


@attrs.frozen(slots=True, kw_only=True)
class TargetComparison:
    """One vendor × one target: accepted or refused, each field, and the requests."""

    provider: str
    target: Target
    problems: tuple[Problem, ...]
    fields: tuple[FieldComparison, ...]
    requests: tuple[RequestPreview, ...] = ()
    notes: tuple[str, ...] = ()

    __repr__ = fields_repr
    __eq__ = fields_eq
    __hash__ = fields_hash

    @property
    def accepted(self) -> bool:
        """True when the vendor would take this target as it is."""
        return not self.problems

    def field(self, name: str) -> FieldComparison:
        """The comparison of one field (``"tiktok.privacy"``, ``"text"``…)."""
        for item in self.fields:
            if item.field == name:
                return item
        raise KeyError(name)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        return {
            "provider": self.provider,
            "target": str(self.target),
            "accepted": self.accepted,
            "problems": [_problem(p) for p in self.problems],
            "fields": [f.to_dict() for f in self.fields],
            "requests": [r.to_dict() for r in self.requests],
            "notes": list(self.notes),
        }


@attrs.frozen(slots=True, kw_only=True)
class CapabilityDifference:
    """A feature this post needs on which the vendors differ: its value at each vendor."""

    feature: str
    values: Mapping[str, str]

    __repr__ = fields_repr
    __eq__ = fields_eq
    __hash__ = fields_hash

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        return {"feature": self.feature, "values": dict(self.values)}


@attrs.frozen(slots=True, kw_only=True)
class Comparison:
    """Every vendor side by side for one post; see :func:`compare`."""

    providers: tuple[str, ...]
    targets: tuple[Target, ...]
    cells: tuple[TargetComparison, ...]
    capabilities: tuple[CapabilityDifference, ...]
    previews: Mapping[str, Preview | None]
    """Each vendor's whole preview of the targets it accepts (``None``: it accepts none)."""
    summary: Mapping[str, Any] = attrs.field(factory=dict)

    __repr__ = fields_repr
    __eq__ = fields_eq
    __hash__ = fields_hash

    def cell(self, provider: str, target: Target | str) -> TargetComparison:
        """The comparison of one vendor and one target."""
        wanted = str(target)
        for item in self.cells:
            if item.provider == provider and str(item.target) == wanted:
                return item
        raise KeyError(f"{provider} × {wanted}")

    def field_names(self, target: Target | str) -> list[str]:
        """The fields compared for one target, in order (the same at every vendor)."""
        return [f.field for f in self.cell(self.providers[0], target).fields] if self.providers else []

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (what ``postmux compare --json`` prints)."""
        return {
            "post": dict(self.summary),
            "providers": list(self.providers),
            "targets": [str(t) for t in self.targets],
            "cells": [c.to_dict() for c in self.cells],
            "capabilities": [c.to_dict() for c in self.capabilities],
            "previews": {k: (v.to_dict() if v is not None else None) for k, v in self.previews.items()},
        }


def compare(
    post: Post,
    providers: Sequence[str] | None = None,
    *,
    plugins: PluginManager | None = None,
    now: datetime | None = None,
) -> Comparison:
    """``post`` at every installed vendor (or those named in ``providers``), side by side; no I/O.

    Raises :class:`~postmux.ValidationError` only for input no vendor could
    read (not a :class:`~postmux.Post`, targets that are not targets) and
    :class:`~postmux.UnknownProviderError` for a provider not installed;
    everything a vendor refuses is in its cells.
    """
    _check_input(post)
    manager = plugins or plugin_manager()
    installed = manager.providers()
    names = sorted(installed) if providers is None else list(dict.fromkeys(providers))
    adapters = {name: manager.get(name)() for name in names}
    cells: list[TargetComparison] = []
    previews: dict[str, Preview | None] = {}
    for name, adapter in adapters.items():
        core = PublisherCore(adapter, PLACEHOLDER_KEY, ledger=None, max_concurrency=1, plugins=None)
        whole = core.validate(post, now=now)
        row = [_cell(core, post, i, target, now, whole) for i, target in enumerate(post.targets)]
        cells += row
        accepted = [c.target for c in row if c.accepted]
        previews[name] = (
            preview_post(adapter, PLACEHOLDER_KEY, _only(post, accepted), _routes(accepted))
            if accepted
            else None
        )
    return Comparison(
        providers=tuple(names),
        targets=post.targets,
        cells=tuple(cells),
        capabilities=tuple(_differences(post, adapters)),
        previews=previews,
        summary=_summary(post),
    )


# -- one cell -----------------------------------------------------------------------


def _check_input(post: object) -> None:
    if not isinstance(post, Post):
        raise ValidationError([Problem("post", f"expected a postmux.Post, got {type(post).__name__}")])
    if not isinstance(post.targets, tuple) or not post.targets:
        raise ValidationError([Problem("targets", "at least one Target is needed")])
    bad = [
        Problem(f"targets[{i}]", f"expected a Target or 'platform:account', got {t!r}")
        for i, t in enumerate(post.targets)
        if not isinstance(t, Target)
    ]
    if bad:
        raise ValidationError(bad)


def _only(post: Post, targets: Iterable[Target]) -> Post:
    return attrs.evolve(post, targets=tuple(targets))


def _routes(targets: Iterable[Target]) -> list[Route]:
    return [Route(t, t.account) for t in targets]


def target_problems(alone: Sequence[Problem], whole: Sequence[Problem], index: int) -> list[Problem]:
    """The problems of target ``index``: its own (``targets[0]…`` in the post of it alone) and
    the post's that the whole post has too, plus what the whole post finds in it (listed twice).

    A post-level problem of the target alone that the whole post does not have comes from
    leaving the other targets out ("no target takes the title" where another one does): the
    publisher would not refuse it, so neither does the comparison.
    """
    kept = [p for p in alone if p.field.startswith("targets[") or p in whole]
    own = f"targets[{index}]"
    for p in whole:
        if p.field == own or p.field.startswith((f"{own}.", f"{own}[")):
            named = attrs.evolve(p, field="targets[0]" + p.field[len(own) :])
            if named not in kept:
                kept.append(named)
    return kept


def _cell(
    core: PublisherCore,
    post: Post,
    index: int,
    target: Target,
    now: datetime | None,
    whole: Sequence[Problem],
) -> TargetComparison:
    one = _only(post, [target])
    problems = tuple(target_problems(core.validate(one, now=now), whole, index))
    requests: tuple[RequestPreview, ...] = ()
    notes: list[str] = []
    if not problems:
        preview = preview_post(core.adapter, PLACEHOLDER_KEY, one, _routes([target]))
        requests = preview.targets[0].requests
        notes += [n for n in preview.notes if not preview.complete and "staging" in n]
    if target.is_username:
        notes.append(f"{target.account} is resolved to an account id at publish time; shown as given")
    support = core.capabilities.for_platform(target.platform)
    if support is not None:
        notes += support.notes
    bodies = [r.body for r in requests if r.step == "publish" and r.body_kind == "json"]
    fields = _post_fields(post, problems, bodies) + _option_fields(
        core.adapter, post, target, problems, bodies
    )
    if not problems and not any(r.step == "publish" and not r.read for r in requests):
        notes.append(
            "the publish request follows an answer a preview does not make up: its fields are not shown"
        )
        fields = [attrs.evolve(f, shown=False) for f in fields]
    return TargetComparison(
        provider=core.provider,
        target=target,
        problems=problems,
        fields=tuple(fields),
        requests=requests,
        notes=tuple(notes),
    )


def _problem_for(problems: Sequence[Problem], field: str) -> Problem | None:
    for p in problems:
        if p.field == field or p.field.startswith((f"{field}.", f"{field}[")):
            return p
    return None


def _post_fields(post: Post, problems: Sequence[Problem], bodies: list[Any]) -> list[FieldComparison]:
    out: list[FieldComparison] = []
    for name in POST_FIELDS:
        value: Any = getattr(post, name)
        if name in ("title", "schedule_at") and value is None:
            continue
        problem = _problem_for(problems, name)
        wanted: list[Any]
        if name == "media":
            refs = [m.url or m.path or "" for m in post.media if isinstance(m, Media)]
            wanted = [*refs, *(placeholder(i) for i in range(len(refs)))]
            value = refs
        elif name == "schedule_at" and isinstance(value, datetime):
            wanted = [value]
            value = value.isoformat()
        else:
            wanted = [value] if value else []
        paths = _paths_of_values(bodies, wanted)
        sent = [_at(bodies, p) for p in paths]
        out.append(
            FieldComparison(
                field=name,
                wire_name=_last_key(paths[0]) if paths else None,
                wire_paths=tuple(paths),
                value=value,
                sent=(sent if name == "media" else (sent[0] if sent else None)),
                on_wire=bool(paths),
                set_by_app=True,
                refused=problem is not None,
                problem=problem.message if problem else None,
                target_accepted=not problems,
            )
        )
    return out


def _option_fields(
    adapter: Adapter, post: Post, target: Target, problems: Sequence[Problem], bodies: list[Any]
) -> list[FieldComparison]:
    cls = OPTION_TYPES.get(target.platform)
    if cls is None:
        return []
    given_options = post.options_for(target.platform)
    options = given_options if isinstance(given_options, cls) else cls()
    given = options.given()
    resolved = _resolved(options, post)
    mapping = adapter.field_mapping.get(cls.__name__, {})
    support = adapter.capabilities.for_platform(target.platform)
    out: list[FieldComparison] = []
    for f in attrs.fields(cls):
        spec = mapping.get(f.name)
        inverted = bool(spec and spec.startswith("!"))
        wire_name = spec.lstrip("!") if spec else None
        carried = support is not None and f.name in support.options
        field = f"{target.platform}.{f.name}"
        problem = _problem_for(problems, field)
        paths = _paths_of_key(bodies, wire_name) if wire_name and carried else []
        value = resolved.get(f.name)
        out.append(
            FieldComparison(
                field=field,
                wire_name=wire_name,
                wire_paths=tuple(paths),
                value=value,
                sent=_at(bodies, paths[0]) if paths else None,
                on_wire=bool(paths),
                set_by_app=f.name in given,
                default=f.name not in given and value is not None,
                inverted=inverted,
                carried=carried,
                refused=problem is not None,
                problem=problem.message if problem else None,
                target_accepted=not problems,
            )
        )
    return out


def _resolved(options: PlatformOptions, post: Post) -> dict[str, Any]:
    """The options with neutral defaults filled in, for the post's media kind where they depend on it."""
    kind = _kind(post)
    by_kind = getattr(options, "resolved_for", None)
    filled = by_kind(photos=kind is MediaKind.PHOTO) if callable(by_kind) else options.resolved()
    return {f.name: getattr(filled, f.name) for f in attrs.fields(type(options))}


def _kind(post: Post) -> MediaKind | None:
    kinds = {m.kind for m in post.media if isinstance(m, Media) and isinstance(m.kind, MediaKind)}
    return kinds.pop() if len(kinds) == 1 else None


# -- finding fields in a body -------------------------------------------------------------


def _walk(bodies: Sequence[Any]) -> Iterable[tuple[str, str | None, Any]]:
    """(path, last key, value) for every node of every body, shallowest first."""
    queue: deque[tuple[str, str | None, Any]] = deque()
    for i, body in enumerate(bodies):
        queue.append((f"#{i}" if len(bodies) > 1 else "", None, body))
    while queue:
        path, key, value = queue.popleft()
        yield path, key, value
        if isinstance(value, Mapping):
            for k, v in value.items():
                queue.append((f"{path}.{k}" if path else str(k), str(k), v))
        elif isinstance(value, list):
            for n, v in enumerate(value):
                queue.append((f"{path}[{n}]", key, v))


def _paths_of_key(bodies: Sequence[Any], key: str) -> list[str]:
    return [path for path, last, value in _walk(bodies) if last == key and not path.endswith("]")]


def _paths_of_values(bodies: Sequence[Any], wanted: Sequence[Any]) -> list[str]:
    if not wanted:
        return []
    strings = [w for w in wanted if isinstance(w, str)]
    moments = [w for w in wanted if isinstance(w, datetime)]
    found = []
    for path, _, value in _walk(bodies):
        if isinstance(value, str) and (value in strings or any(_same_moment(value, m) for m in moments)):
            found.append(path)
    return found


def _same_moment(text: str, moment: datetime) -> bool:
    """True when ``text`` writes ``moment`` (to the minute), in its own offset or in UTC."""
    stamps = {moment.strftime("%Y-%m-%dT%H:%M"), moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M")}
    return any(text.startswith(s) for s in stamps)


def _at(bodies: Sequence[Any], path: str) -> Any:
    for found, _, value in _walk(bodies):
        if found == path:
            return value
    return None


def _last_key(path: str) -> str:
    return path.rsplit(".", 1)[-1].split("[", 1)[0]


# -- capabilities that matter -------------------------------------------------------------


def _differences(post: Post, adapters: Mapping[str, Adapter]) -> list[CapabilityDifference]:
    rows: list[tuple[str, dict[str, str]]] = []
    from .docgen import _platform_cell  # the docs generator: imported only when a comparison is made

    kind = _kind(post)
    platforms = list(dict.fromkeys(t.platform for t in post.targets if t.platform in RULES))
    for platform in platforms:
        name = RULES[platform].name
        rows.append(
            (f"{name}: publishes", {n: _yes(a.capabilities.supports(platform)) for n, a in adapters.items()})
        )
        features = ["video" if kind is not MediaKind.PHOTO else "photos"]
        if post.schedule_at is not None:
            features.append("scheduling")
        options = post.options_for(platform)
        if options is not None and getattr(options, "draft", None):
            features.append("draft")
        for feature in features:
            rows.append(
                (
                    f"{name}: {feature}",
                    {n: _platform_cell(a.capabilities, platform, feature) for n, a in adapters.items()},
                )
            )
        if options is not None:
            for field in options.given():
                rows.append(
                    (
                        f"{name}: {platform}.{field}",
                        {n: _yes(_carries(a, platform, field)) for n, a in adapters.items()},
                    )
                )
    media = [m for m in post.media if isinstance(m, Media)]
    if any(m.is_local for m in media):
        rows.append(
            ("local files (upload)", {n: _yes(a.capabilities.local_files) for n, a in adapters.items()})
        )
    if any(not m.is_local for m in media):
        rows.append(("media URLs", {n: _yes(a.capabilities.remote_media) for n, a in adapters.items()}))
    if "tiktok" in platforms:
        rows.append(
            ("creator info (TikTok)", {n: _yes(a.capabilities.creator_info) for n, a in adapters.items()})
        )
    rows.append(("batched status", {n: _yes(a.capabilities.batch_status) for n, a in adapters.items()}))
    if post.schedule_at is not None:
        rows.append(("cancel scheduled", {n: _yes(a.capabilities.cancel) for n, a in adapters.items()}))
    seen: set[str] = set()
    out: list[CapabilityDifference] = []
    for feature, values in rows:
        if feature not in seen and len(set(values.values())) > 1:
            seen.add(feature)
            out.append(CapabilityDifference(feature=feature, values=values))
    return out


def _carries(adapter: Adapter, platform: str, field: str) -> bool:
    support = adapter.capabilities.for_platform(platform)
    return support is not None and field in support.options


def _yes(value: bool) -> str:
    return "yes" if value else "—"


# -- plain data ---------------------------------------------------------------------------


def _summary(post: Post) -> dict[str, Any]:
    return {
        "text": post.text,
        "title": post.title,
        "media": [m.url or m.path for m in post.media if isinstance(m, Media)],
        "kind": (k.value if (k := _kind(post)) else None),
        "targets": [str(t) for t in post.targets],
        "schedule_at": post.schedule_at.isoformat() if isinstance(post.schedule_at, datetime) else None,
    }


def _problem(p: Problem) -> dict[str, Any]:
    return {"field": p.field, "message": p.message, "unsupported": p.unsupported}


def _plain(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return value
