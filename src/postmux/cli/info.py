"""Commands that look around: ``providers``, ``accounts``, ``creator-info``, ``connect``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from rich.markup import escape

from ..accounts import Account
from ..errors import ConfigurationError
from ..plugins import plugin_manager
from ..rules import PLATFORMS
from . import exits
from .base import cli, guarded, json_option, vendor_command
from .output import Output
from .session import Session

__all__: list[str] = []

FEATURES = ("video", "photos", "title", "draft", "scheduling")
MATRIX_ROWS = ("publishes", *FEATURES)
"""One row per platform that says whether the vendor publishes there, then one per feature.

Every cell is "yes" or "no" (the vendor can, or cannot): a platform the
vendor does not publish to is "no" on its ``publishes`` row and on each
feature, never a second word for the same lack."""


def _account_json(a: Account) -> dict[str, Any]:
    return {
        "id": a.id,
        "platform": a.platform,
        "provider": a.provider,
        "username": a.username,
        "display_name": a.display_name,
        "status": a.status.value,
        "status_reason": a.status_reason,
    }


@cli.command("providers")
@json_option
def providers_command(as_json: bool) -> None:
    """Installed vendors, and what each supports per platform (from each adapter's Capabilities)."""
    out = Output(as_json)

    def body() -> int:
        plugins = plugin_manager()
        adapters = plugins.providers()
        emulators = plugins.emulators()
        matrix: dict[str, Any] = {}
        for name, cls in sorted(adapters.items()):
            caps = cls.capabilities
            platforms: dict[str, dict[str, bool]] = {}
            for platform in PLATFORMS:
                support = caps.for_platform(platform)
                platforms[platform] = {
                    "supported": support is not None,
                    "video": bool(support and support.video),
                    "photos": bool(support and support.photos),
                    "title": bool(support and support.title),
                    "draft": bool(support and support.draft),
                    "scheduling": caps.can_schedule(platform),
                }
            matrix[name] = {
                "env_var": cls.env_var,
                "base_url": cls.default_base_url,
                "emulator": name in emulators,
                "local_files": caps.local_files,
                "media_urls": caps.remote_media,
                "creator_info": caps.creator_info,
                "cancel": caps.cancel,
                "connect": sorted(caps.connect),
                "platforms": platforms,
            }
        if out.as_json:
            out.emit({"providers": matrix})
            return exits.OK
        if not matrix:
            out.error("no postmux plugins are installed")
            return exits.USAGE
        out.print(
            out.table(
                "Installed providers",
                [
                    "provider",
                    "key variable",
                    "base URL",
                    "emulator",
                    "local files",
                    "URLs",
                    "creator info",
                    "connect",
                ],
                [
                    [
                        name,
                        m["env_var"],
                        m["base_url"],
                        _mark(m["emulator"]),
                        _mark(m["local_files"]),
                        _mark(m["media_urls"]),
                        _mark(m["creator_info"]),
                        ", ".join(m["connect"]) or "—",
                    ]
                    for name, m in matrix.items()
                ],
            )
        )
        names = list(matrix)
        rows = []
        for platform in PLATFORMS:
            for feature in MATRIX_ROWS:
                key = "supported" if feature == "publishes" else feature
                cells = [_mark(matrix[name]["platforms"][platform][key]) for name in names]
                rows.append([platform if feature == MATRIX_ROWS[0] else "", feature, *cells])
        out.print(
            out.table("Capabilities (vendor × platform × feature)", ["platform", "feature", *names], rows)
        )
        return exits.OK

    raise click.exceptions.Exit(guarded(out, None, body))


def _mark(value: bool) -> Any:
    from rich.text import Text

    return Text("yes", style="green") if value else Text("no", style="dim")


@vendor_command("accounts")
def accounts_command(session: Session, out: Output) -> int:
    """The accounts linked at the vendor."""
    accounts = session.publisher().accounts()
    if out.as_json:
        out.emit({"provider": session.provider(), "accounts": [_account_json(a) for a in accounts]})
        return exits.OK
    out.print(
        out.table(
            f"Accounts at {session.provider()}",
            ["platform", "id", "username", "name", "status"],
            [
                [
                    a.platform,
                    a.id,
                    f"@{a.username}" if a.username else "",
                    a.display_name or "",
                    a.status.value,
                ]
                for a in sorted(accounts, key=lambda a: (a.platform, a.username or ""))
            ],
        )
    )
    return exits.OK


@vendor_command("creator-info")
@click.argument("account")
def creator_info_command(session: Session, out: Output, account: str) -> int:
    """What a TikTok creator allows now (ACCOUNT: an id or @username)."""
    info = session.publisher().creator_info(account)
    data = {
        "account_id": info.account_id,
        "username": info.username,
        "nickname": info.nickname,
        "privacy_options": list(info.privacy_options),
        "comments_disabled": info.comments_disabled,
        "duets_disabled": info.duets_disabled,
        "stitches_disabled": info.stitches_disabled,
        "max_video_duration_s": info.max_video_duration_s,
    }
    if out.as_json:
        out.emit(data)
    else:
        out.print(
            out.table(
                f"Creator info: {account}", ["field", "value"], [[k, _plain(v)] for k, v in data.items()]
            )
        )
    return exits.OK


def _plain(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)


@vendor_command("connect")
@click.argument("platform", type=click.Choice(PLATFORMS))
@click.option(
    "--qr-file", type=click.Path(dir_okay=False, path_type=Path), help="Where to write a QR code PNG."
)
@click.option(
    "--timeout", type=float, default=300.0, show_default=True, help="Seconds to wait for the account."
)
@click.option("--no-wait", is_flag=True, help="Print the URL or QR code and return.")
def connect_command(
    session: Session, out: Output, platform: str, qr_file: Path | None, timeout: float, no_wait: bool
) -> int:
    """Link an account: show the OAuth URL or write the QR code, then wait for the account."""
    link = session.publisher().connect(platform)
    shown: dict[str, Any] = {"platform": platform, "url": link.url, "qr_file": None}
    if link.qr_image is not None:
        path = qr_file or Path(f"postmux-connect-{platform}.png")
        try:
            path.write_bytes(link.qr_image)
        except OSError as exc:
            raise ConfigurationError(f"--qr-file: cannot write {path}: {exc.strerror or exc}") from None
        shown["qr_file"] = str(path.resolve())
        out.print(f"Scan the QR code in [bold]{escape(str(path.resolve()))}[/bold] with the {platform} app.")
    if link.url:
        out.print(f"Open this URL to authorise: [bold]{escape(link.url)}[/bold]")
    if no_wait:
        if out.as_json:
            out.emit(shown)
        return exits.OK
    if session.interval is not None:
        link.interval = session.interval
    with (
        out.err.status("waiting for the account to be linked…", spinner="dots")
        if not out.as_json
        else _Null()
    ):
        account = link.wait(timeout=timeout)
    if out.as_json:
        out.emit({**shown, "account": _account_json(account)})
    else:
        out.print(
            f"Linked [bold green]{account.platform}[/bold green] account "
            + escape(f"@{account.username} ({account.id}).")
        )
    return exits.OK


class _Null:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *_: object) -> None:
        return None
