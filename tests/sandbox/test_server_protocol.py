"""The sandbox's uvicorn protocol: httptools where installed, and a drop fault hangs up with either parser."""

from __future__ import annotations

import httpx
import pytest
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from postmux.sandbox import Sandbox, middleware, server
from postmux.sandbox.middleware import DroppingH11Protocol, dropping_protocol

PUBLISH = "wahdx:POST /api/content/post"


def test_the_sandbox_serves_with_httptools_when_it_is_installed() -> None:
    protocol = dropping_protocol()
    assert issubclass(protocol, HttpToolsProtocol)
    assert protocol is dropping_protocol()  # made once


def _post(sandbox: Sandbox) -> httpx.Response:
    body = {"platform": "tiktok", "accountId": "nobody", "content": "x", "mediaItems": []}
    with httpx.Client(timeout=5) as client:
        return client.post(
            sandbox.url("wahdx") + "/api/content/post",
            json=body,
            headers={"X-API-Key": sandbox.key("wahdx")},
        )


@pytest.mark.parametrize("parser", ["httptools", "h11"])
@pytest.mark.parametrize("kind", ["drop-before", "drop-after"])
def test_a_drop_fault_hangs_up_with_either_parser(
    parser: str, kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    chosen = dropping_protocol() if parser == "httptools" else DroppingH11Protocol
    monkeypatch.setattr(server, "dropping_protocol", lambda: chosen)
    with Sandbox(["wahdx"], faults=f"{PUBLISH}={kind}:times=1") as sandbox:
        assert issubclass(chosen, HttpToolsProtocol if parser == "httptools" else H11Protocol)
        with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
            _post(sandbox)
        emulator = sandbox.emulator("wahdx")
        assert emulator.received() == 1
        assert emulator.requests == ([("POST", "/api/content/post")] if kind == "drop-after" else [])
        answer = _post(sandbox)  # the fault fired once: the next request is answered (404: no such account)
        assert answer.status_code == 404
        assert emulator.received() == 2
    assert not middleware._transports  # every connection's transport forgotten once it closed
