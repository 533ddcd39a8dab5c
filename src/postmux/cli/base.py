"""The ``postmux`` click group, the options every command shares, and error → exit code.

Every vendor-facing command takes ``--provider`` (or ``POSTMUX_PROVIDER``),
``--sandbox`` (or ``POSTMUX_SANDBOX``: ``1``, or the URL ``postmux sandbox``
prints, which your own code reads too), ``--base-url`` and ``--json``. Errors
are caught in one place: bad input prints its problems one a line and exits 2
with nothing sent; a vendor's refusal exits 1; anything whose outcome cannot
be known exits 3.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar, cast

import click

from ..connect import ConnectFailedError
from ..environment import SANDBOX_ENV
from ..errors import (
    AuthenticationError,
    ConfigurationError,
    LedgerError,
    PostmuxError,
    Problem,
    ProviderError,
    ResponseError,
    TransportError,
    ValidationError,
)
from ..errors import TimeoutError as PostmuxTimeout
from . import exits
from .output import Output
from .session import Session

if TYPE_CHECKING:
    from ..ledger import Ledger

__all__ = ["cli", "json_option", "ledger_option", "sandbox_choice", "vendor_command"]

F = TypeVar("F", bound=Callable[..., Any])


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="postmux", prog_name="postmux")
def cli() -> None:
    """Publish videos and photo carousels through social-publishing vendors.

    Exit codes: 0 all published (or on their way), 1 some failed, 2 usage or
    validation error (nothing sent), 3 outcome unknown.
    """


def json_option(f: F) -> F:
    """``--json``: one JSON document on stdout instead of tables."""
    return click.option("--json", "as_json", is_flag=True, help="Print one JSON document instead of tables.")(
        f
    )


def _problems_of(exc: BaseException) -> list[Problem] | None:
    if isinstance(exc, ValidationError):
        return list(exc.problems)
    return None


def _key_refused(session: Session | None, exc: AuthenticationError) -> str:
    """One line naming the plugin's key variable, e.g. "the ACME_API_KEY was refused (acme, HTTP 401)"."""
    name = session.key_name(exc.provider) if session is not None else None
    what = f"the {name}" if name else f"the API key for {exc.provider}"
    status = f", HTTP {exc.status_code}" if exc.status_code is not None else ""
    return f"{what} was refused ({exc.provider}{status}): check the key and try again"


def guarded(out: Output, session: Session | None, body: Callable[[], int]) -> int:
    """Run a command body, turning postmux errors into messages and exit codes."""
    try:
        return body()
    except ValidationError as exc:
        out.problems(_problems_of(exc) or [])
        return exits.USAGE
    except AuthenticationError as exc:  # the whole key is refused: fix the configuration, not the post
        message = _key_refused(session, exc)
        out.error(message)
        if out.as_json:
            out.emit({"ok": False, "error": message, "kind": "configuration"})
        return exits.USAGE
    except ConfigurationError as exc:
        out.error(str(exc))
        if out.as_json:
            out.emit({"ok": False, "error": str(exc), "kind": "configuration"})
        return exits.USAGE
    except ValueError as exc:  # a bad time, a bad fault rule: usage errors found before any I/O
        out.error(str(exc))
        if out.as_json:
            out.emit({"ok": False, "error": str(exc), "kind": "usage"})
        return exits.USAGE
    except PostmuxTimeout as exc:
        out.error(str(exc))
        if out.as_json:
            out.emit({"ok": False, "error": str(exc), "kind": "timeout"})
        return exits.UNKNOWN
    except (TransportError, ResponseError) as exc:
        sent = not isinstance(exc, TransportError) or exc.request_sent
        out.error(str(exc))
        if out.as_json:
            out.emit({"ok": False, "error": str(exc), "kind": type(exc).__name__})
        return exits.UNKNOWN if sent else exits.FAILED
    except (ProviderError, ConnectFailedError, PostmuxError) as exc:
        out.error(str(exc))
        if out.as_json:
            out.emit({"ok": False, "error": str(exc), "kind": type(exc).__name__})
        return exits.FAILED
    finally:
        if session is not None:
            session.close()


def ledger_option(value: str) -> Ledger:
    """The ledger ``--ledger`` names; one that cannot be opened is a usage error (nothing was sent)."""
    from ..ledger import open_ledger

    try:
        return cast("Ledger", open_ledger(value))  # a str always opens one, or raises
    except LedgerError as exc:
        raise ConfigurationError(str(exc)) from None


def sandbox_choice(flag: bool) -> bool | str:
    """``--sandbox``, else ``POSTMUX_SANDBOX``: on or off, or the URL of the running sandbox to use.

    The variable is the one ``postmux sandbox`` tells you to export for your own
    code (every ``postmux.publisher()`` then talks to it), so a URL there means
    this command uses that sandbox too; ``1``/``0`` (or ``true``/``false``…)
    switch ``--sandbox`` on or off as a flag's variable would.
    """
    value = os.environ.get(SANDBOX_ENV, "").strip()
    if "://" in value:
        return value
    if flag or not value:
        return flag
    try:
        return bool(click.BOOL.convert(value, None, None))
    except click.BadParameter:
        raise click.BadParameter(
            f"{value!r} is neither 1/0 nor the URL `postmux sandbox` prints", param_hint=SANDBOX_ENV
        ) from None


def vendor_command(name: str, **settings: Any) -> Callable[[Callable[..., int]], click.Command]:
    """A command that talks to a vendor: adds the shared options and the error guard.

    The decorated function receives ``session`` and ``out`` plus its own
    parameters, and returns an exit code.
    """

    def decorate(fn: Callable[..., int]) -> click.Command:
        @functools.wraps(fn)
        def command(
            provider: str | None, sandbox: bool, base_url: str | None, as_json: bool, **params: Any
        ) -> None:
            out = Output(as_json)
            session = Session(provider, sandbox=sandbox_choice(sandbox), base_url=base_url, out=out)
            code = guarded(out, session, lambda: fn(session=session, out=out, **params))
            raise click.exceptions.Exit(code)

        options = [
            click.option(
                "--provider",
                "-p",
                envvar="POSTMUX_PROVIDER",
                help="Vendor to use (default: $POSTMUX_PROVIDER).",
            ),
            click.option(
                "--sandbox",
                is_flag=True,
                help="Use the emulators: a running `postmux sandbox` (or the one $POSTMUX_SANDBOX names), "
                "else in-process ones.",
            ),
            click.option("--base-url", help="Override the vendor's API base URL."),
            json_option,
        ]
        for option in reversed(options):
            command = option(command)
        return cli.command(name, **settings)(command)

    return decorate
