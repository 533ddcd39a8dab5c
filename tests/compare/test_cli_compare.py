"""``postmux compare``: the table, ``--json`` and ``--run`` through the emulators."""

from __future__ import annotations

from pathlib import Path

from cli.invoke import data, run
from postmux.options import OPTION_TYPES
from postmux.plugins import plugin_manager

VIDEO = "https://cdn.example.com/clip.mp4"
DONE_WHEN = [
    "compare",
    VIDEO,
    "--to",
    "tiktok:acc-1",
    "--to",
    "instagram:@brand",
    "--to",
    "threads:acc-3",
    "--text",
    "Hello #postmux",
    "--set",
    "tiktok.allow_comment=false",
    "--providers",
    "wahdx,wonda,postpeer",
]


def test_json_holds_every_vendor_target_field_and_refusal() -> None:
    result = run(*DONE_WHEN, "--json")
    assert result.exit_code == 0, result.output
    doc = data(result)
    assert doc["providers"] == ["wahdx", "wonda", "postpeer"]
    cells = {(c["provider"], c["target"]): c for c in doc["cells"]}
    assert len(cells) == 9
    wonda_threads = cells[("wonda", "threads:acc-3")]
    assert not wonda_threads["accepted"]
    assert wonda_threads["problems"][0]["message"] == "wonda does not publish to Threads"
    comment = {
        v: next(f for f in cells[(v, "tiktok:acc-1")]["fields"] if f["field"] == "tiktok.allow_comment")
        for v in doc["providers"]
    }
    assert comment["wahdx"]["wire_name"] == "allow_comment"
    assert comment["wahdx"]["sent"] is False
    assert comment["postpeer"]["inverted"]
    assert comment["postpeer"]["sent"] is True
    privacy = next(f for f in cells[("postpeer", "tiktok:acc-1")]["fields"] if f["field"] == "tiktok.privacy")
    assert (privacy["state"], privacy["sent"], privacy["renamed"]) == ("default", "SELF_ONLY", True)


def test_the_table_shows_renames_inversions_defaults_and_refusals() -> None:
    result = run(*DONE_WHEN)
    assert result.exit_code == 0, result.output
    out = result.stdout
    for expected in (
        "TikTok · acc-1",
        "Threads · acc-3",
        "privacy_level",
        "privacyLevel",
        "disableComment = true",
        "inverted",
        "who_can_reply",
        "refused",
        "wonda does not publish to Threads",
        "Capability differences",
    ):
        assert expected in out, expected
    for vendor in ("wahdx", "wonda", "postpeer"):
        adapter = plugin_manager().get(vendor)
        for platform in ("tiktok", "instagram", "threads"):
            for field, spec in adapter.field_mapping.get(OPTION_TYPES[platform].__name__, {}).items():
                assert f"{platform}.{field}" in out
                assert spec.lstrip("!") in out, (vendor, spec)


def test_bad_settings_are_usage_errors_with_nothing_sent() -> None:
    result = run("compare", VIDEO, "--to", "tiktok:a", "--set", "tiktok.nope=1", "--json")
    assert result.exit_code == 2
    assert data(result)["problems"][0]["field"] == "set[0]"


def test_run_sends_the_post_through_every_emulator_and_counts_requests() -> None:
    result = run(*DONE_WHEN, "--run", "--json", "--timeout", "30")
    assert result.exit_code == 0, result.output
    runs = {r["provider"]: r for r in data(result)["runs"]}
    assert set(runs) == {"wahdx", "wonda", "postpeer"}
    for name, r in runs.items():
        statuses = {t["target"]: t["status"] for t in r["targets"]}
        expected = "refused" if name == "wonda" else "published"
        assert statuses == {
            "tiktok:acc-1": "published",
            "instagram:@brand": "published",
            "threads:acc-3": expected,
        }
        assert r["seconds"] is not None
        assert r["seconds"] >= 0
        assert r["requests"] == r["publish_requests"] + r["poll_requests"] >= 1
    assert runs["postpeer"]["publish_requests"] == 1  # one request for every target
    assert runs["wahdx"]["publish_requests"] == 3  # one per target
    assert runs["wonda"]["publish_requests"] == 4  # media download and upload, then one per target
    table = run(*DONE_WHEN, "--run", "--timeout", "30")
    assert "Through each vendor's emulator" in table.stdout


def test_json_and_table_carry_the_portability_summary() -> None:
    doc = data(run(*DONE_WHEN, "--json"))
    portable = doc["portable"]
    assert portable["portable"] is False
    assert portable["refused_by"] == ["wonda"]
    wonda = next(v for v in portable["vendors"] if v["provider"] == "wonda")
    assert not wonda["accepted"]
    assert any(r["field"].startswith("targets[2]") for r in wonda["refused"]), wonda["refused"]
    assert {v["provider"] for v in portable["vendors"] if v["accepted"]} == {"wahdx", "postpeer"}

    table = run(*DONE_WHEN)
    assert table.exit_code == 0, table.output
    assert "Switching vendors" in table.output
    assert "refuses" in table.output


def test_run_sends_two_accounts_of_one_platform_to_two_emulator_accounts() -> None:
    # neither id is an emulator account: each goes to an active account of its own, not both to the first
    result = run(
        "compare", VIDEO, "--to", "tiktok:acc-1", "--to", "tiktok:acc-2", "--providers", "wahdx",
        "--run", "--json", "--timeout", "30",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    (wahdx,) = data(result)["runs"]
    rows = wahdx["targets"]
    assert [(t["target"], t["status"]) for t in rows] == [
        ("tiktok:acc-1", "published"),
        ("tiktok:acc-2", "published"),
    ]
    assert rows[0]["sent_to"] != rows[1]["sent_to"]


def test_run_reports_a_target_with_no_emulator_account_left_instead_of_failing_the_command() -> None:
    # the emulator seeds two active TikTok accounts: the third target has none of its own
    result = run(
        "compare", VIDEO, "--to", "tiktok:acc-1", "--to", "tiktok:acc-2", "--to", "tiktok:acc-3",
        "--providers", "wahdx", "--run", "--json", "--timeout", "30",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    (wahdx,) = data(result)["runs"]
    statuses = [(t["target"], t["status"]) for t in wahdx["targets"]]
    assert statuses == [
        ("tiktok:acc-1", "published"),
        ("tiktok:acc-2", "published"),
        ("tiktok:acc-3", "refused"),
    ]
    assert "account" in wahdx["targets"][2]["error"]


def test_an_html_file_that_cannot_be_written_is_a_usage_error(tmp_path: Path) -> None:
    where = tmp_path / "no-such-dir" / "page.html"
    result = run("compare", VIDEO, "--to", "tiktok:acc-1", "--html", str(where), "--json")
    assert result.exit_code == 2, result.output
    assert str(where) in data(result)["error"]


def test_run_sends_a_target_that_only_another_targets_title_would_refuse_alone() -> None:
    # YouTube takes the title, so the post is whole at PostPeer: its TikTok target is sent too
    result = run(
        "compare", VIDEO, "--to", "tiktok:acc-1", "--to", "youtube:acc-3", "--title", "A title",
        "--text", "Hello", "--providers", "postpeer", "--run", "--json", "--timeout", "30",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    doc = data(result)
    assert all(c["accepted"] for c in doc["cells"])
    (postpeer,) = doc["runs"]
    assert [(t["target"], t["status"]) for t in postpeer["targets"]] == [
        ("tiktok:acc-1", "published"),
        ("youtube:acc-3", "published"),
    ], postpeer["targets"]
    assert postpeer["publish_requests"] == 1  # both targets in PostPeer's one request
