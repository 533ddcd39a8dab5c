"""One self-contained HTML page of a :class:`~postmux.Comparison` (``postmux compare --html``).

People would rather look at a grid than read JSON: one field × vendor table
per target, refused cells marked, the capability differences, and every
payload folded below in ``<details>``. The page has no external asset (its
CSS and a few lines of script are inline) so it can be mailed or attached to
a ticket. Every grid cell carries its facts as ``data-*`` attributes, the
same values ``--json`` prints, so a test in a real browser can check one
against the other.
"""

from __future__ import annotations

import json
from html import escape
from typing import Any

from .comparison import Comparison, FieldComparison, TargetComparison
from .preview import RequestPreview
from .rules import RULES

__all__ = ["render_html"]

_CSS = """
:root { --ink:#1d2330; --muted:#6b7385; --line:#e3e6ee; --bg:#f6f7fb; --card:#fff;
  --sent:#ffffff; --default:#eef5ff; --inverted:#f3edff; --refused:#fdecec; --refused-ink:#b3261e;
  --ok:#1e7f4f; --omitted:#fafafc; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color:var(--ink); background:var(--bg); }
header { background:linear-gradient(120deg,#23304f,#3b4f86); color:#fff; padding:28px 40px 22px; }
header h1 { margin:0 0 6px; font-size:22px; letter-spacing:.2px; }
header h1 small { font-weight:400; opacity:.75; font-size:14px; margin-left:8px; }
header .post { display:flex; flex-wrap:wrap; gap:8px 28px; margin-top:10px; opacity:.95; }
header .post span b { font-weight:600; opacity:.7; margin-right:6px; }
main { padding:24px 40px 60px; max-width:1500px; }
section { background:var(--card); border:1px solid var(--line); border-radius:12px; padding:18px 20px;
  margin:0 0 22px; box-shadow:0 1px 2px rgba(20,30,60,.04); }
h2 { margin:0 0 12px; font-size:17px; }
h2 .platform { display:inline-block; background:#eef0f6; border-radius:6px; padding:1px 8px;
  margin-right:6px; }
.toolbar { display:flex; gap:18px; align-items:center; flex-wrap:wrap; margin:0 0 18px; color:var(--muted); }
.legend span { margin-right:10px; }
table { border-collapse:separate; border-spacing:0; width:100%; }
table.grid { table-layout:fixed; }
table.grid thead th:first-child { width:230px; }
th, td { text-align:left; vertical-align:top; padding:7px 10px; border-bottom:1px solid var(--line); }
thead th { font-size:13px; color:var(--muted); font-weight:600; background:#fbfbfd; }
tbody th { font-weight:500; overflow-wrap:anywhere; }
tbody th .neutral { display:block; color:var(--muted); font-weight:400; font-size:12px; }
td.cell { overflow-wrap:anywhere; }
td.state-default { background:var(--default); }
td.state-inverted { background:var(--inverted); }
td.state-refused { background:var(--refused); box-shadow:inset 3px 0 0 var(--refused-ink); }
td.state-omitted, td.state-not-sent, td.state-not-shown { background:var(--omitted); color:var(--muted); }
td.state-not-carried { color:var(--muted);
  background:repeating-linear-gradient(135deg,#fafafc 0 8px,#f1f2f6 8px 16px); }
code { font:12.5px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
code.wire { color:#2b4ea2; }
code.val { background:#f1f3f8; border-radius:4px; padding:0 4px; }
.badge { display:inline-block; font-size:11px; border-radius:10px; padding:0 7px; margin:2px 3px 0 0;
  background:#e8ebf3; color:#3d4660; }
.badge.inverted { background:#e4d9ff; color:#4b2a9a; }
.badge.default { background:#d8e8ff; color:#1f4f99; }
.badge.renamed { background:#e3f3ea; color:#1d6a43; }
.badge.converted { background:#fff0d6; color:#8a5600; }
.why { color:var(--refused-ink); font-size:12.5px; margin-top:2px; }
tr.verdict td.accepted, table.overview td.accepted { color:var(--ok); font-weight:600; }
table.overview td.refused { color:var(--refused-ink); font-weight:600; }
table.overview tbody th { width:auto; }
tr.verdict td.refused { color:var(--refused-ink); font-weight:600; background:var(--refused); }
tr.verdict ul { margin:4px 0 0; padding-left:18px; font-weight:400; }
.notes { color:var(--muted); font-size:12.5px; margin:10px 0 0; padding-left:18px; }
body.diff-only tr[data-differs="false"] { display:none; }
details { border:1px solid var(--line); border-radius:10px; margin:0 0 10px; background:#fcfcfe; }
details > summary { cursor:pointer; padding:10px 14px; font-weight:600; }
details .req { padding:4px 16px 12px; border-top:1px solid var(--line); }
.req .line { margin:10px 0 6px; }
.req .method { font-weight:700; margin-right:6px; }
.req .step { color:var(--muted); font-size:12px; margin-left:8px; }
pre { background:#1f2433; color:#e8ebf5; border-radius:8px; padding:10px 12px; overflow:auto; margin:6px 0; }
"""

_SCRIPT = """
document.body.classList.add("js");
var box = document.getElementById("diff-only");
if (box) { box.addEventListener("change", function () {
  document.body.classList.toggle("diff-only", box.checked); }); }
"""


def render_html(comparison: Comparison) -> str:
    """The whole page, as one string."""
    summary = comparison.summary
    title = f"postmux compare — {', '.join(comparison.providers)}"
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title><style>{_CSS}</style></head>",
        "<body>",
        "<header>",
        f"<h1>postmux compare<small>{escape(' · '.join(comparison.providers))}</small></h1>",
        '<div class="post">',
        _fact("text", summary.get("text") or "(none)"),
        _fact("media", ", ".join(str(m) for m in summary.get("media", [])) or "(none)"),
        _fact("kind", summary.get("kind") or "—"),
        *([_fact("title", summary["title"])] if summary.get("title") else []),
        *([_fact("scheduled", summary["schedule_at"])] if summary.get("schedule_at") else []),
        "</div></header>",
        "<main>",
        '<div class="toolbar"><label><input type="checkbox" id="diff-only"> only fields that differ</label>',
        '<span class="legend"><span class="badge default">default</span>neutral default sent explicitly '
        '<span class="badge inverted">inverted</span>opposite meaning on the wire '
        '<span class="badge renamed">renamed</span>another name '
        '<span class="badge converted">converted</span>another value</span></div>',
    ]
    parts.append(_overview(comparison))
    for target in comparison.targets:
        parts.append(_grid(comparison, str(target)))
    parts.append(_capabilities(comparison))
    parts.append(_payloads(comparison))
    parts += ["</main>", f"<script>{_SCRIPT}</script>", "</body></html>"]
    return "\n".join(parts) + "\n"


def _fact(label: str, value: object) -> str:
    return f"<span><b>{escape(label)}</b>{escape(str(value))}</span>"


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _grid(comparison: Comparison, target: str) -> str:
    cells = {p: comparison.cell(p, target) for p in comparison.providers}
    platform, _, account = target.partition(":")
    name = RULES[platform].name if platform in RULES else platform
    head = "".join(f'<th data-provider="{escape(p)}">{escape(p)}</th>' for p in comparison.providers)
    verdicts = "".join(_verdict(cells[p]) for p in comparison.providers)
    rows = []
    for field in comparison.field_names(target):
        items = {p: cells[p].field(field) for p in comparison.providers}
        first = next(iter(items.values()))
        shapes = {(f.state, f.wire_name, _json(f.to_dict()["sent"])) for f in items.values()}
        neutral = (
            f'<span class="neutral">neutral: <code>{escape(_json(first.to_dict()["value"]))}</code></span>'
        )
        row = [
            f'<tr data-field="{escape(field)}" data-differs="{"true" if len(shapes) > 1 else "false"}">',
            f"<th><code>{escape(field)}</code>{neutral}</th>",
            *(_cell(items[p], p, target) for p in comparison.providers),
            "</tr>",
        ]
        rows.append("".join(row))
    notes = sorted({f"{p}: {n}" for p in comparison.providers for n in cells[p].notes})
    return (
        f'<section class="target" data-target="{escape(target)}">'
        f'<h2><span class="platform">{escape(name)}</span>{escape(account)}</h2>'
        f'<table class="grid"><thead><tr><th>field</th>{head}</tr>'
        f'<tr class="verdict"><th>verdict</th>{verdicts}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
        + (f'<ul class="notes">{"".join(f"<li>{escape(n)}</li>" for n in notes)}</ul>' if notes else "")
        + "</section>"
    )


def _overview(comparison: Comparison) -> str:
    """Per vendor: how many targets it takes, which it refuses, and how many requests it would send."""
    rows = []
    for provider in comparison.providers:
        cells = [c for c in comparison.cells if c.provider == provider]
        taken = sum(1 for c in cells if c.accepted)
        refused = ", ".join(str(c.target) for c in cells if not c.accepted) or "—"
        preview = comparison.previews.get(provider)
        requests = (
            str(len(preview.requests)) + ("" if preview.complete else "+") if preview is not None else "0"
        )
        rows.append(
            f'<tr data-provider="{escape(provider)}"><th>{escape(provider)}</th>'
            f'<td class="{"accepted" if taken == len(cells) else "refused"}">{taken} of {len(cells)}</td>'
            f"<td>{escape(refused)}</td><td>{escape(requests)}</td></tr>"
        )
    return (
        '<section id="overview"><h2>At a glance</h2><table class="overview"><thead><tr><th>vendor</th>'
        "<th>targets accepted</th><th>refused</th>"
        "<th>requests to publish (+: more once staging is answered)</th>"
        "</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></section>"
    )


def _verdict(cell: TargetComparison) -> str:
    attrs = f'data-provider="{escape(cell.provider)}" data-accepted="{"true" if cell.accepted else "false"}"'
    if cell.accepted:
        return f'<td class="accepted" {attrs}>✓ accepted</td>'
    problems = "".join(f"<li><code>{escape(p.field)}</code> {escape(p.message)}</li>" for p in cell.problems)
    return f'<td class="refused" {attrs}>✗ refused<ul>{problems}</ul></td>'


def _cell(item: FieldComparison, provider: str, target: str) -> str:
    data = item.to_dict()
    state = item.state
    attrs = (
        f'class="cell state-{state.replace(" ", "-")}" data-provider="{escape(provider)}" '
        f'data-target="{escape(target)}" data-field="{escape(item.field)}" data-state="{escape(state)}" '
        f'data-wire="{escape(item.wire_name or "")}" data-sent="{escape(_json(data["sent"]))}"'
    )
    body: list[str] = []
    if item.wire_name:
        path = ", ".join(item.wire_paths) or item.wire_name
        body.append(f'<code class="wire" title="{escape(path)}">{escape(item.wire_name)}</code>')
    if item.on_wire:
        body.append(f' = <code class="val">{escape(_json(data["sent"]))}</code>')
    badges = [
        name
        for name, on in (
            ("default", item.default and item.on_wire),
            ("inverted", item.inverted and item.on_wire),
            ("renamed", item.renamed),
            ("converted", item.converted),
        )
        if on
    ]
    if state in ("refused", "not carried", "not sent", "not shown", "omitted"):
        badges.insert(0, state)
    body.append("<div>" + "".join(f'<span class="badge {b}">{escape(b)}</span>' for b in badges) + "</div>")
    if item.problem:
        body.append(f'<div class="why">{escape(item.problem)}</div>')
    return f"<td {attrs}>{''.join(body)}</td>"


def _capabilities(comparison: Comparison) -> str:
    if not comparison.capabilities:
        return (
            '<section id="capabilities"><h2>Capabilities</h2>'
            "<p>No difference matters for this post.</p></section>"
        )
    head = "".join(f"<th>{escape(p)}</th>" for p in comparison.providers)
    rows = "".join(
        f'<tr data-feature="{escape(c.feature)}"><th>{escape(c.feature)}</th>'
        + "".join(
            f'<td data-provider="{escape(p)}">{escape(c.values.get(p, ""))}</td>'
            for p in comparison.providers
        )
        + "</tr>"
        for c in comparison.capabilities
    )
    return (
        '<section id="capabilities"><h2>Capability differences that matter for this post</h2>'
        f"<table><thead><tr><th>feature</th>{head}</tr></thead><tbody>{rows}</tbody></table></section>"
    )


def _payloads(comparison: Comparison) -> str:
    blocks = []
    for provider in comparison.providers:
        preview = comparison.previews.get(provider)
        if preview is None:
            blocks.append(
                f'<details data-provider="{escape(provider)}"><summary>{escape(provider)} — '
                "refuses every target: nothing would be sent</summary></details>"
            )
            continue
        n = len(preview.requests)
        requests = "".join(_request(r) for r in preview.requests)
        notes = "".join(f"<li>{escape(note)}</li>" for note in preview.notes)
        blocks.append(
            f'<details data-provider="{escape(provider)}"><summary>{escape(provider)} — '
            f"{n} request{'s' if n != 1 else ''}</summary>{requests}"
            f'<div class="req"><ul class="notes">{notes}</ul></div></details>'
        )
    return f'<section id="payloads"><h2>Payloads</h2>{"".join(blocks)}</section>'


def _request(request: RequestPreview) -> str:
    headers = "\n".join(f"{k}: {v}" for k, v in request.headers.items())
    body = (
        json.dumps(request.body, indent=2, ensure_ascii=False)
        if request.body_kind != "text"
        else str(request.body)
    )
    where = "" if request.to_vendor else " (another host: no key)"
    return (
        f'<div class="req"><div class="line"><span class="method">{escape(request.method)}</span>'
        f"<code>{escape(request.url)}</code>"
        f'<span class="step">{escape(request.step)}{escape(where)}</span></div>'
        f"<pre>{escape(headers)}</pre>"
        + (f"<pre>{escape(body)}</pre>" if request.body_kind != "empty" else "")
        + "</div>"
    )
