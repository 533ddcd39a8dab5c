"""``postmux compare``: one post at every installed vendor, side by side, with nothing sent.

A table per target (field × vendor: the wire name, the value sent, and
whether it is a neutral default, inverted, omitted, not carried or refused),
then the capability differences that matter for this post. ``--json`` prints
:meth:`postmux.Comparison.to_dict`; ``--html FILE`` writes one self-contained
page; ``--run`` also sends the post through each vendor's emulator
(:mod:`.compare_run`). No API key is needed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import attrs
import click
from rich.text import Text

from ..comparison import Comparison, FieldComparison, TargetComparison, compare
from ..errors import ConfigurationError, Problem, ValidationError
from ..options import OPTION_TYPES, PlatformOptions
from ..portable import PortabilityReport, check_portable
from ..post import Post
from ..rules import RULES
from . import exits
from .base import cli, guarded, json_option
from .output import Output
from .publish import _media, _targets, _when

__all__: list[str] = []

STATE_STYLES = {
    "sent": "",
    "default": "blue",
    "inverted": "magenta",
    "omitted": "dim",
    "not shown": "dim",
    "not sent": "dim",
    "not carried": "dim",
    "refused": "bold red",
}


def _value(text: str) -> Any:
    """A ``--set`` value: JSON where it parses (``true``, ``3``, ``["a"]``), else the text itself."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def options_from(settings: tuple[str, ...], problems: list[Problem]) -> dict[str, PlatformOptions]:
    """``--set platform.field=value`` pairs as option objects, one per platform."""
    given: dict[str, dict[str, Any]] = {}
    for i, item in enumerate(settings):
        name, sep, raw = item.partition("=")
        platform, dot, field = name.strip().partition(".")
        cls = OPTION_TYPES.get(platform)
        known = {a.name for a in attrs.fields(cls)} if cls is not None else set()
        if not sep or not dot or field not in known:
            problems.append(
                Problem(
                    f"set[{i}]",
                    f"write PLATFORM.FIELD=VALUE with a field of the platform's options, got {item!r}",
                )
            )
            continue
        given.setdefault(platform, {})[field] = _value(raw)
    return {platform: OPTION_TYPES[platform](**fields) for platform, fields in given.items()}


@cli.command("compare")
@click.argument("media", nargs=-1, required=True)
@click.option("--to", "targets", multiple=True, metavar="PLATFORM:ACCOUNT", help="A target; repeat for more.")
@click.option("--providers", help="Vendors to compare, comma-separated (default: every installed one).")
@click.option("--text", default="", help="The caption.")
@click.option("--title", help="A title, where the platform has one.")
@click.option(
    "--set",
    "settings",
    multiple=True,
    metavar="PLATFORM.FIELD=VALUE",
    help="A platform option, e.g. tiktok.privacy=PUBLIC_TO_EVERYONE or tiktok.allow_comment=false.",
)
@click.option("--at", "at", metavar="ISO-TIME", help="Schedule for this time (with an offset).")
@click.option(
    "--html", "html", type=click.Path(dir_okay=False, path_type=Path), help="Also write one HTML page."
)
@click.option("--run", "run", is_flag=True, help="Also send the post through each vendor's emulator.")
@click.option("--timeout", type=float, default=60.0, show_default=True, help="Seconds to wait with --run.")
@json_option
def compare_command(
    media: tuple[str, ...],
    targets: tuple[str, ...],
    providers: str | None,
    text: str,
    title: str | None,
    settings: tuple[str, ...],
    at: str | None,
    html: Path | None,
    run: bool,
    timeout: float,
    as_json: bool,
) -> None:
    """Show what MEDIA sent to every --to target would become at each vendor; nothing is sent."""
    out = Output(as_json)

    def body() -> int:
        problems: list[Problem] = []
        post = Post(
            text=text,
            media=_media(media, problems),
            targets=_targets(targets, problems),
            title=title,
            schedule_at=_when(at, problems),
            **options_from(settings, problems),  # type: ignore[arg-type]
        )
        if problems:
            raise ValidationError(problems)
        names = [p.strip() for p in providers.split(",") if p.strip()] if providers else None
        comparison = compare(post, names)
        portability = check_portable(post, names)
        document: dict[str, Any] = comparison.to_dict()
        document["portable"] = portability.to_dict()
        code = exits.OK
        if html is not None:  # before --run: the page does not show runs, and a bad path wastes none
            from ..comparison_html import render_html

            try:
                html.write_text(render_html(comparison), encoding="utf-8")
            except OSError as exc:
                raise ConfigurationError(f"--html: cannot write {html}: {exc.strerror or exc}") from None
            out.note(f"wrote {html}")
        if run:
            from .compare_run import run_all, show_runs

            runs = run_all(post, list(comparison.providers), timeout=timeout, out=out)
            document["runs"] = [r.to_dict() for r in runs]
            code = exits.OK if all(r.ok for r in runs) else exits.FAILED
        if out.as_json:
            out.emit(document)
            return code
        show(out, comparison)
        show_portability(out, portability)
        if run:
            show_runs(out, runs)
        return code

    raise click.exceptions.Exit(guarded(out, None, body))


def show(out: Output, comparison: Comparison) -> None:
    """The side-by-side tables."""
    for target in comparison.targets:
        cells = {p: comparison.cell(p, target) for p in comparison.providers}
        platform = RULES[target.platform].name if target.platform in RULES else target.platform
        rows: list[list[Any]] = [["verdict", *(_verdict(cells[p]) for p in comparison.providers)]]
        for field in comparison.field_names(target):
            rows.append([field, *(_cell(cells[p].field(field)) for p in comparison.providers)])
        out.print(out.table(f"{platform} · {target.account}", ["field", *comparison.providers], rows))
        notes = sorted({f"{p}: {n}" for p in comparison.providers for n in cells[p].notes})
        for note in notes:
            out.print(Text(f"  {note}", style="dim"))
    if comparison.capabilities:
        out.print(
            out.table(
                "Capability differences that matter for this post",
                ["feature", *comparison.providers],
                [
                    [c.feature, *(c.values.get(p, "") for p in comparison.providers)]
                    for c in comparison.capabilities
                ],
            )
        )
    out.print(
        Text(
            "default: the neutral default, sent explicitly · inverted: opposite meaning on the wire · "
            "--json for every request, --html FILE for a page",
            style="dim",
        )
    )


def show_portability(out: Output, report: PortabilityReport) -> None:
    """The summary of :func:`postmux.check_portable`: what each vendor would refuse or change."""
    rows: list[list[Any]] = []
    for check in report:
        verdict = (
            Text("refuses", style="bold red")
            if check.refused
            else Text("changes", style="yellow")
            if check.changed
            else Text("as written", style="green")
        )
        details = [f"refused {p.field}: {p.message}" for p in check.refused]
        details += [f"changed {c.field}: {c.message}" for c in check.changed]
        rows.append([check.provider, verdict, "\n".join(details)])
    title = "Switching vendors: what each would refuse or change"
    out.print(out.table(title, ["vendor", "verdict", ""], rows))


def _verdict(cell: TargetComparison) -> Text:
    if cell.accepted:
        return Text("accepted", style="bold green")
    text = Text("refused", style="bold red")
    for p in cell.problems:
        text.append(f"\n{p.field}: {p.message}", style="red")
    return text


def _cell(item: FieldComparison) -> Text:
    text = Text()
    if item.wire_name:
        text.append(item.wire_name, style="cyan")
    if item.on_wire:
        text.append(" = " + json.dumps(item.to_dict()["sent"], ensure_ascii=False))
    tags = [item.state] if item.state != "sent" else []
    if item.default and item.on_wire and item.state != "default":
        tags.append("default")
    if item.converted:
        tags.append("converted")
    if tags:
        text.append(("\n" if text else "") + ", ".join(tags), style=STATE_STYLES.get(item.state, "") or "dim")
    if item.problem:
        text.append(f"\n{item.problem}", style="red")
    return text
