"""The app's own httpx client is honoured: its headers, cookies, auth, hooks and timeout apply.

Every request also carries postmux's User-Agent unless the app set one, and
the vendor key still goes only to the vendor's origin. Tested through real
publishers over a ``MockTransport`` (and a silent loopback socket for the
timeout), sync and async alike.
"""

from __future__ import annotations

import asyncio
import importlib.metadata
import re
import socket
import threading
from collections.abc import Callable, Generator, Iterator
from typing import Any

import httpx
import pytest

import postmux
from postmux import ConfigurationError, Post, Target, TikTokOptions, TransportError
from postmux.client import user_agent
from postmux.drivers import NO_RETRY, SyncDriver
from postmux.secrets import Secret

from .fakes import BASE_URL, KEY, FakeAdapter

WAHDX_KEY = "sk_wahdx_client_0123456789"
POST = Post(
    text="hello",
    media=["https://cdn.example.com/clip.mp4"],
    targets=[Target("tiktok", "acc-1")],
    tiktok=TikTokOptions(privacy="SELF_ONLY"),
)
ANSWER = {
    "success": True,
    "accountId": "acc-1",
    "platform": "tiktok",
    "status": "PUBLISH_INITIATED",
    "data": {"publish_id": "v_pub_file~v2.1"},
}
AGENT = re.compile(r"^postmux/\S+ postmux-wahdx/\S+ python-httpx/\S+$")


def vendor(seen: list[httpx.Request]) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=ANSWER)

    return httpx.MockTransport(handler)


def publish(mode: str, **client_options: Any) -> list[httpx.Request]:
    """Publish POST through Wahdx on an app's client built with ``client_options``; the requests sent."""
    seen: list[httpx.Request] = []
    if mode == "sync":
        with httpx.Client(transport=vendor(seen), **client_options) as client:
            report = postmux.publisher("wahdx", api_key=WAHDX_KEY, client=client).publish(POST)
    else:

        async def main() -> postmux.PublishReport:
            async with httpx.AsyncClient(transport=vendor(seen), **client_options) as client:
                return await postmux.async_publisher("wahdx", api_key=WAHDX_KEY, client=client).publish(POST)

        report = asyncio.run(main())
    assert report.ok, report
    assert seen
    return seen


@pytest.fixture(params=["sync", "async"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def test_the_clients_default_headers_and_postmuxs_user_agent_go_out(mode: str) -> None:
    (request,) = publish(mode, headers={"X-App": "shop-7", "Accept-Language": "de"})
    assert request.headers["x-app"] == "shop-7"
    assert request.headers["accept-language"] == "de"
    assert AGENT.match(request.headers["user-agent"]), request.headers["user-agent"]
    assert request.headers["x-api-key"] == WAHDX_KEY  # the adapter's own headers are kept
    assert request.headers["content-type"] == "application/json"


def test_the_user_agent_names_the_installed_versions() -> None:
    adapter = postmux.plugins.plugin_manager().get("wahdx")
    assert user_agent(adapter) == (
        f"postmux/{postmux.__version__} postmux-wahdx/{importlib.metadata.version('postmux-wahdx')} "
        f"python-httpx/{httpx.__version__}"
    )
    assert user_agent(FakeAdapter) == f"postmux/{postmux.__version__} python-httpx/{httpx.__version__}"


def test_a_user_agent_the_app_set_wins(mode: str) -> None:
    (request,) = publish(mode, headers={"User-Agent": "shop/2.0"})
    assert request.headers.get_list("user-agent") == ["shop/2.0"]


def test_the_clients_cookies_params_auth_and_hooks_apply(mode: str) -> None:
    hooked: list[str] = []

    def hook(request: httpx.Request) -> None:
        hooked.append(str(request.url))

    async def ahook(request: httpx.Request) -> None:
        hook(request)

    (request,) = publish(
        mode,
        cookies={"session": "abc"},
        params={"tenant": "t1"},
        auth=httpx.BasicAuth("app", "pw"),
        event_hooks={"request": [hook if mode == "sync" else ahook]},
    )
    assert request.headers["cookie"] == "session=abc"
    assert request.url.params["tenant"] == "t1"
    assert request.headers["authorization"].startswith("Basic ")
    assert hooked == [str(request.url)]


def test_the_key_still_goes_only_to_the_vendor_and_other_origins_get_the_clients_headers() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={})

    def flow() -> Generator[httpx.Request, httpx.Response, None]:
        yield httpx.Request("GET", BASE_URL + "/accounts")
        yield httpx.Request("GET", "https://cdn.example.com/clip.mp4", headers={"User-Agent": "mine"})

    with httpx.Client(transport=httpx.MockTransport(handler), headers={"X-App": "a"}) as client:
        SyncDriver(FakeAdapter(), Secret(KEY), client).run(flow())
    vendor_request, cdn_request = seen
    assert vendor_request.headers["authorization"] == f"Bearer {KEY}"
    assert "authorization" not in cdn_request.headers
    assert KEY not in str(cdn_request.headers)
    assert cdn_request.headers["x-app"] == "a"
    assert cdn_request.headers["user-agent"] == "mine"  # a request's own User-Agent wins too
    assert vendor_request.headers["user-agent"].startswith("postmux/")


@pytest.mark.parametrize("make", [postmux.publisher, postmux.async_publisher])
def test_client_and_timeout_together_are_a_configuration_error(make: Callable[..., Any]) -> None:
    client = httpx.Client() if make is postmux.publisher else httpx.AsyncClient()
    with pytest.raises(ConfigurationError, match="timeout= and client="):
        make("wahdx", api_key=WAHDX_KEY, client=client, timeout=5)


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A loopback port that accepts connections and never answers."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        sock.settimeout(0.1)
        while not stop.is_set():
            try:
                held.append(sock.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    sock.close()


def test_the_timeout_holds_for_postmuxs_requests(silent_server: str) -> None:
    """The publisher's timeout reaches each request, so a vendor that never answers is an error."""
    outcome: list[object] = []

    def run() -> None:
        pub = postmux.publisher(
            "wahdx", api_key=WAHDX_KEY, base_url=silent_server, timeout=0.3, retry=NO_RETRY
        )
        try:
            outcome.append(pub.accounts())
        except TransportError as exc:
            outcome.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout=10)
    assert not thread.is_alive(), "the request hung: no timeout applied"
    assert isinstance(outcome[0], TransportError)


def test_headers_the_app_changes_later_go_out_too() -> None:
    seen: list[httpx.Request] = []
    with httpx.Client(transport=vendor(seen), headers={"X-App": "v1"}) as client:
        pub = postmux.publisher("wahdx", api_key=WAHDX_KEY, client=client)
        pub.publish(POST)
        client.headers["X-App"] = "v2"
        client.headers["User-Agent"] = "shop/3"
        pub.publish(POST)
    assert [r.headers["x-app"] for r in seen] == ["v1", "v2"]
    assert AGENT.match(seen[0].headers["user-agent"])
    assert seen[1].headers["user-agent"] == "shop/3"
