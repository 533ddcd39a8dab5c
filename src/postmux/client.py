"""What the app's ``httpx`` client contributes to every request a flow yields.

Flows build bare :class:`httpx.Request` objects (they are sans-I/O and know no
client), and ``Client.send`` applies only the client's auth, event hooks and
timeout. What else ``Client.build_request`` would add — default headers,
cookies and query params — is added here by the driver, just before sending,
so an app's ``httpx.Client(headers=…, cookies=…)`` holds for postmux's
requests exactly as for its own. Rebuilding each request through
``build_request`` would do the same at twice the cost and could not carry the
streamed upload bodies flows make.

Every request also says who sends it: ``User-Agent: postmux/<v>
postmux-<vendor>/<v> python-httpx/<v>``, unless the client or the request
sets one of its own.
"""

from __future__ import annotations

import httpx

__all__ = ["apply_client_defaults", "user_agent"]

_HTTPX_UA = f"python-httpx/{httpx.__version__}"
"""The User-Agent httpx sends when nobody set one: ours replaces only this one."""


def _distribution_version(module: str) -> tuple[str, str] | None:
    """(name, version) of the installed distribution that provides top-level ``module``.

    Read from its ``.dist-info`` directly where that is where importlib would
    find it: importing ``importlib.metadata`` costs more than the rest of the
    look-up, and a plain publisher needs nothing else of it.
    """
    from .plugins import installed_metadata

    fast = installed_metadata(module)
    if fast is not None and "Name" in fast.metadata:
        return fast.metadata["Name"], fast.version
    import importlib.metadata

    try:
        dist = importlib.metadata.distribution(module)  # the usual case: postmux_x from postmux-x
    except importlib.metadata.PackageNotFoundError:
        names = importlib.metadata.packages_distributions().get(module)
        if not names:
            return None
        try:
            dist = importlib.metadata.distribution(names[0])
        except importlib.metadata.PackageNotFoundError:  # pragma: no cover - metadata out of step
            return None
    return dist.metadata["Name"], dist.version


_AGENTS: dict[type, str] = {}


def user_agent(adapter: type) -> str:
    """``postmux/<v> <plugin-dist>/<v> python-httpx/<v>`` for an adapter class (once per class).

    The plugin's part comes from its distribution's metadata; an adapter that
    is no installed distribution's (one registered by an app) is left out.
    """
    agent = _AGENTS.get(adapter)
    if agent is None:
        agent = _AGENTS[adapter] = _agent_of(adapter)
    return agent


def _agent_of(adapter: type) -> str:
    from . import __version__

    parts = [f"postmux/{__version__}"]
    top = adapter.__module__.partition(".")[0]
    if top != "postmux":
        found = _distribution_version(top)
        if found is not None:
            parts.append(f"{found[0]}/{found[1]}")
    parts.append(_HTTPX_UA)
    return " ".join(parts)


def apply_client_defaults(
    client: httpx.Client | httpx.AsyncClient, request: httpx.Request, agent: str
) -> None:
    """Give ``request`` what ``client.build_request`` would have: headers, cookies, params.

    The request's own headers win over the client's; ``agent`` replaces only
    httpx's default User-Agent, never one the app set.
    """
    raw = request.headers.raw
    present = {key.lower() for key, _ in raw}
    missing = [item for item in _defaults(client, agent) if item[0] not in present]
    if missing:  # one new Headers costs less than adding to the old one header by header
        request.headers = httpx.Headers([*raw, *missing])
    if client.cookies and b"cookie" not in present:
        client.cookies.set_cookie_header(request)
    if client.params:
        request.url = request.url.copy_with(params=client.params.merge(request.url.params))


_DEFAULTS: dict[tuple[tuple[tuple[bytes, bytes], ...], str], tuple[tuple[bytes, bytes], ...]] = {}
_HTTPX_UA_RAW = _HTTPX_UA.encode()


def _defaults(client: httpx.Client | httpx.AsyncClient, agent: str) -> tuple[tuple[bytes, bytes], ...]:
    """The client's default headers (lower-case names), with ``agent`` for httpx's own User-Agent.

    Worked out once per state of the client's headers: they rarely change,
    and a publish should not pay for reading them again.
    """
    raw = tuple(client.headers.raw)
    found = _DEFAULTS.get((raw, agent))
    if found is None:
        items = [
            (
                key.lower(),
                agent.encode() if key.lower() == b"user-agent" and value == _HTTPX_UA_RAW else value,
            )
            for key, value in raw
        ]
        if all(key != b"user-agent" for key, _ in items):
            items.append((b"user-agent", agent.encode()))
        if len(_DEFAULTS) >= 64:  # a client whose headers change per request: keep it small
            _DEFAULTS.clear()
        found = _DEFAULTS[raw, agent] = tuple(items)
    return found
