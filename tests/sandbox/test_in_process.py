"""The sandbox made for tests: in-process transports, role-scoped faults, counters and settle()."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import attrs
import httpx
import pytest

import postmux
from postmux import Post, Publication, RetryPolicy, Status, Target
from postmux.errors import ConfigurationError
from postmux.sandbox import FaultSyntaxError, Sandbox, Timing, parse_faults
from postmux.sandbox.samples import write_samples

PROVIDERS = ["wahdx", "wonda", "postpeer"]
_real_start = threading.Thread.start
FAST = RetryPolicy(max_retries=2, backoff=0.01, max_backoff=0.02)


def _post(sandbox: Sandbox, platform: str = "tiktok") -> Post:
    return Post(
        text="in process",
        media=[sandbox.sample_url("clip.mp4")],
        targets=[Target(platform, f"@sandbox_{platform}")],
    )


@pytest.fixture
def no_network_no_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any connect, bind or new thread while the test runs fails it."""

    def refused(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"the in-process sandbox opened a network socket or a thread: {args!r}")

    for name in ("connect", "connect_ex", "bind"):
        monkeypatch.setattr(socket.socket, name, refused)
    monkeypatch.setattr(socket, "create_connection", refused)
    monkeypatch.setattr(threading.Thread, "start", refused)


@pytest.mark.parametrize("provider", PROVIDERS)
def test_sync_and_async_clients_reach_each_emulator_with_no_socket_and_no_thread(
    provider: str, no_network_no_threads: None
) -> None:
    sandbox = Sandbox([provider], timing=Timing.instant())
    assert not sandbox.running
    transport = sandbox.transport(provider)
    with httpx.Client(transport=transport) as client:
        pub = postmux.publisher(
            provider, api_key=sandbox.key(provider), base_url=sandbox.url(provider), client=client
        )
        sync_accounts = {a.id for a in pub.accounts()}

    async def accounts() -> set[str]:
        async with httpx.AsyncClient(transport=sandbox.transport(provider)) as client:
            apub = postmux.async_publisher(
                provider, api_key=sandbox.key(provider), base_url=sandbox.url(provider), client=client
            )
            return {a.id for a in await apub.accounts()}

    seeded = {a.id for a in sandbox.emulator(provider).accounts if provider != "wonda" or a.active}
    assert sync_accounts == asyncio.run(accounts())
    assert sync_accounts >= {a.id for a in sandbox.emulator(provider).accounts if a.active}
    assert sync_accounts <= seeded | {a.id for a in sandbox.emulator(provider).accounts}


@pytest.mark.parametrize("provider", PROVIDERS)
def test_sandbox_publishers_publish_in_process_sync_and_async(
    provider: str, no_network_no_threads: None
) -> None:
    sandbox = Sandbox([provider], timing=Timing.instant())
    post = _post(sandbox)
    with sandbox.publisher(provider) as pub:
        (done,) = pub.wait(pub.publish(post), timeout=5)

    async def run() -> Status:
        apub = sandbox.async_publisher(provider)
        try:
            (p,) = await apub.wait(await apub.publish(post), timeout=5)
            return p.status
        finally:
            await apub.aclose()

    assert done.status is Status.PUBLISHED
    assert asyncio.run(run()) is Status.PUBLISHED
    assert sandbox.emulator(provider).published() == 2
    assert sandbox.emulator(provider).received() == 2


def test_a_sandbox_publisher_polls_at_emulator_speed() -> None:
    """Default timings (2 s of processing): the wait ends within a poll of the end, not the vendor's 5 s."""
    sandbox = Sandbox(["wahdx"], timing=Timing(queued=0.2, processing=0.3))
    pub = sandbox.publisher("wahdx")
    assert pub.poll_interval == sandbox.poll_interval() == pytest.approx(0.05)
    assert pub.adapter.poll_interval == 5.0
    started = time.monotonic()
    (p,) = pub.wait(pub.publish(_post(sandbox)), timeout=5)
    assert p.status is Status.PUBLISHED
    assert time.monotonic() - started < 1.5


def test_a_host_the_transport_does_not_serve_is_a_connect_error() -> None:
    sandbox = Sandbox(["wahdx"])
    with httpx.Client(transport=sandbox.transport("wahdx")) as client:
        with pytest.raises(httpx.ConnectError, match="not served by the in-process sandbox"):
            client.get("http://example.com/")
        with pytest.raises(httpx.ConnectError):
            client.get(sandbox.url("wahdx").replace("wahdx", "wonda") + "/x")  # another emulator's origin
        assert client.get(sandbox.sample_url("clip.mp4")).status_code == 200  # the media host is served


def test_the_transport_follows_a_served_sandbox() -> None:
    with Sandbox(["wahdx"]) as sandbox:
        assert sandbox.url("wahdx").startswith("http://127.0.0.1:")
        with httpx.Client(transport=sandbox.transport("wahdx")) as client:
            answer = client.get(
                sandbox.url("wahdx") + "/api/content/accounts", headers={"X-API-Key": sandbox.key("wahdx")}
            )
        assert answer.status_code == 200
        assert sandbox.publisher("wahdx", in_process=True).accounts()


def test_a_sync_transport_inside_a_running_loop_says_to_use_the_async_client() -> None:
    sandbox = Sandbox(["wahdx"])

    async def inside() -> None:
        with httpx.Client(transport=sandbox.transport("wahdx")) as client:
            client.get(sandbox.sample_url("clip.mp4"))

    with pytest.raises(RuntimeError, match="AsyncClient"):
        asyncio.run(inside())


# -- received() and published(), settle() ------------------------------------------


@pytest.mark.parametrize("provider", PROVIDERS)
def test_drop_after_in_process_is_unknown_received_once_and_published_once_settled(provider: str) -> None:
    sandbox = Sandbox([provider], timing=Timing(queued=30, processing=30), faults="*:publish=drop-after")
    (p,) = sandbox.publisher(provider, retry=FAST).publish(_post(sandbox))
    emulator = sandbox.emulator(provider)
    assert p.status is Status.UNKNOWN  # the client saw the connection close
    assert emulator.received() == 1  # never resent
    live = emulator.published()  # 0 where the vendor's processing takes a minute of emulated work
    assert live + sandbox.settle() == 1  # settle() finishes what was still processing
    assert emulator.published() == 1
    assert sandbox.settle() == 0


def test_wahdx_tiktok_is_not_live_until_settled() -> None:
    sandbox = Sandbox(["wahdx"], timing=Timing(queued=30, processing=30), faults="*:publish=drop-after")
    sandbox.publisher("wahdx", retry=FAST).publish(_post(sandbox))
    assert sandbox.emulator("wahdx").published() == 0
    sandbox.settle()
    assert sandbox.emulator("wahdx").published() == 1


def test_drop_after_through_the_raw_transport_is_a_remote_protocol_error() -> None:
    sandbox = Sandbox(["wahdx"], faults="wahdx:publish=drop-after")
    with (
        httpx.Client(transport=sandbox.transport("wahdx")) as client,
        pytest.raises(httpx.RemoteProtocolError),
    ):
        client.post(
            sandbox.url("wahdx") + "/api/content/post", headers={"X-API-Key": sandbox.key("wahdx")}, json={}
        )
    assert sandbox.emulator("wahdx").received() == 1
    assert sandbox.emulator("wahdx").requests == [("POST", "/api/content/post")]  # it was processed


def test_settle_leaves_stuck_and_scheduled_posts_alone() -> None:
    sandbox = Sandbox(
        ["wonda"], timing=Timing(queued=30, processing=30), faults="wonda:publish=stuck:times=1"
    )
    pub = sandbox.publisher("wonda")
    (stuck,) = pub.publish(_post(sandbox))
    later = datetime.now(UTC) + timedelta(hours=2)
    (scheduled,) = pub.publish(attrs.evolve(_post(sandbox), schedule_at=later))
    (normal,) = pub.publish(_post(sandbox))
    assert scheduled.status is Status.SCHEDULED
    assert sandbox.settle() == 1
    assert pub.status(normal).status is Status.PUBLISHED
    assert not pub.status(stuck).is_final  # still queued: a stuck post never finishes
    assert pub.status(scheduled).status is Status.SCHEDULED


# -- role scopes ---------------------------------------------------------------------


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_status_role_fault_hits_status_look_ups_only(provider: str) -> None:
    sandbox = Sandbox([provider], timing=Timing.instant(), faults="*:status=500")
    pub = sandbox.publisher(provider, retry=RetryPolicy(max_retries=0))
    (p,) = pub.publish(_post(sandbox))
    assert p.status not in (Status.UNKNOWN, Status.FAILED)  # publishing was untouched
    if not p.is_final:
        with pytest.raises(postmux.ServerError):
            pub.status(p)
        assert sandbox.emulator(provider).received("status") == 1
    sandbox.clear_faults()
    assert pub.wait(p, timeout=5).results[0].status is Status.PUBLISHED


def test_an_upload_role_fault_hits_wondas_upload_route() -> None:
    sandbox = Sandbox(["wonda"], timing=Timing.instant(), faults="wonda:upload=503:times=1")
    pub = sandbox.publisher("wonda", retry=FAST)
    emulator = sandbox.emulator("wonda")
    (failed,) = pub.publish(_post(sandbox))  # issue 10: the staging failure is the target's outcome
    assert failed.status is Status.FAILED  # staging sends no post: nothing was published
    assert isinstance(failed.exception, postmux.ServerError)  # an upload (a POST) is not resent after a 5xx
    assert failed.status_code == 503
    assert (emulator.received("upload"), emulator.received("publish")) == (1, 0)
    (p,) = pub.wait(pub.publish(_post(sandbox)), timeout=5)  # times=1: the next upload goes through
    assert p.status is Status.PUBLISHED
    assert (emulator.received("upload"), emulator.received("publish")) == (2, 1)


def test_accounts_role_fault() -> None:
    sandbox = Sandbox(["wahdx", "postpeer"], faults="*:accounts=503")
    for name in ("wahdx", "postpeer"):
        with pytest.raises(postmux.ServerError):
            sandbox.publisher(name, retry=RetryPolicy(max_retries=0)).accounts()
        assert sandbox.emulator(name).received("accounts") == 1


def test_a_role_no_emulator_has_is_refused_and_changes_nothing() -> None:
    sandbox = Sandbox(["wahdx", "wonda"])
    with pytest.raises(ConfigurationError, match="no emulator here has a upload route"):
        sandbox.inject("*:publish=500", "wahdx:upload=500")
    assert sandbox.faults() == []
    sandbox.inject("*:upload=500")  # wonda has one
    assert sandbox.faults() == ["*:upload=500"]


def test_role_scopes_parse_print_back_and_refuse_unknown_roles() -> None:
    for text in ("*:publish=drop-after", "wonda:upload=503:times=1", "status=500", "*:accounts=latency=50ms"):
        (fault,) = parse_faults(text)
        assert fault.role in {"publish", "upload", "status", "accounts"}
        assert parse_faults(str(fault)) == [fault]
    assert parse_faults("*:publish=500")[0].provider is None
    assert parse_faults("wonda:upload=500")[0].provider == "wonda"
    with pytest.raises(FaultSyntaxError, match="publish, status, upload, accounts"):
        parse_faults("*:reconcile=500")


def test_every_bundled_emulator_declares_publish_status_and_accounts() -> None:
    sandbox = Sandbox()
    for name, emulator in sandbox.emulators.items():
        roles = emulator.roles()
        assert {"publish", "status", "accounts"} <= set(roles), name
        assert roles["publish"] == emulator.publish_routes


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_local_file_reaches_a_url_only_vendor_through_the_in_process_media_host(
    mode: str, tmp_path: Path, no_network_no_threads: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not served, ``sandbox.media_host()`` stores the file in-process; it is removed once final."""
    monkeypatch.setattr(threading.Thread, "start", _real_start)  # the async publisher puts on a worker
    clip = write_samples(tmp_path)[0]
    sandbox = Sandbox(["wahdx"], timing=Timing.instant())
    host = sandbox.media_host()
    assert "in-process" in repr(host)
    post = Post(text="local", media=[clip], targets=[Target("instagram", "@sandbox_instagram")])
    if mode == "sync":
        with sandbox.publisher("wahdx", media_host=host) as pub:
            (p,) = pub.wait(pub.publish(post), timeout=5)
    else:

        async def run() -> Publication:
            apub = sandbox.async_publisher("wahdx", media_host=host)
            try:
                (done,) = await apub.wait(await apub.publish(post), timeout=5)
                return done
            finally:
                await apub.aclose()

        p = asyncio.run(run())
    assert p.status is Status.PUBLISHED
    (record,) = sandbox.emulator("wahdx").records
    assert record.media[0].startswith(sandbox.media.base_url + "/files/")
    assert sandbox.media.lookup(record.media[0]) is None  # taken down once the publication was final


def test_the_in_process_media_host_says_which_file_it_cannot_read(tmp_path: Path) -> None:
    with pytest.raises(postmux.MediaHostError, match="cannot read"):
        Sandbox(["wahdx"]).media_host().put(tmp_path / "missing.mp4")


@pytest.mark.parametrize("served", [False, True])
def test_a_local_file_whose_name_is_not_utf8_is_hosted_and_published(served: bool, tmp_path: Path) -> None:
    """A name os.listdir() decodes from bytes that are not UTF-8 (lone surrogates) is hosted as its bytes."""
    clip = write_samples(tmp_path)[0]
    odd = Path(os.fsdecode(os.path.join(os.fsencode(tmp_path), b"clip-\xff.mp4")))
    clip.rename(odd)
    sandbox = Sandbox(["wahdx"], timing=Timing.instant())
    with sandbox if served else contextlib.nullcontext(sandbox):
        host = sandbox.media_host()
        hosted = host.put(odd)
        assert hosted.url.endswith("/clip-%FF.mp4")
        with sandbox.transport() if not served else httpx.HTTPTransport() as transport:
            fetched = httpx.Client(transport=transport).get(hosted.url)
        assert fetched.status_code == 200
        assert fetched.content == odd.read_bytes()
        host.remove(hosted)
        assert sandbox.media.lookup(hosted.url) is None
        post = Post(text="odd name", media=[odd], targets=[Target("instagram", "@sandbox_instagram")])
        with sandbox.publisher("wahdx", media_host=host) as pub:
            (p,) = pub.wait(pub.publish(post), timeout=5)
        assert p.status is Status.PUBLISHED, p.error


def test_a_port_already_taken_leaves_no_port_of_the_sandbox_listening() -> None:
    blocker = socket.socket()
    blocker.bind(("127.0.0.1", 0))
    blocker.listen()
    taken = blocker.getsockname()[1]
    try:
        sandbox = Sandbox(["wahdx"], port=taken - 1)  # the media host first, then wahdx on the taken port
        with pytest.raises(ConfigurationError, match="cannot listen") as caught:
            sandbox.start()
        assert caught.value is not None  # the error is still held: what it holds must not keep a port
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", taken - 1), timeout=1).close()
        assert not sandbox.running
        assert sandbox.media.base_url.endswith(".sandbox.invalid")  # in-process again, as never served
        assert sandbox.publisher("wahdx").accounts()
    finally:
        blocker.close()


@pytest.mark.parametrize("port", [70000, -5, 65535])
def test_a_port_out_of_range_is_a_configuration_error_naming_it(port: int) -> None:
    # 65535: the media host fits, the emulator on the port after it would not
    with pytest.raises(ConfigurationError, match="port"):
        Sandbox(["wahdx"], port=port).start()


def _free_run(length: int) -> int:
    """A loopback port with the ``length - 1`` ports after it free too (each tried, then let go)."""
    for _ in range(50):
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        base: int = probe.getsockname()[1]
        probe.close()
        if base + length > 65535:
            continue
        held: list[socket.socket] = []
        try:
            for port in range(base, base + length):
                sock = socket.socket()
                held.append(sock)
                sock.bind(("127.0.0.1", port))
        except OSError:
            continue
        finally:
            for sock in held:
                sock.close()
        return base
    pytest.skip("no run of free loopback ports")


def test_a_given_port_serves_the_emulators_after_it_in_name_order() -> None:
    # the docstring's promise, whatever order the providers are given in: wahdx before wonda
    base = _free_run(3)
    with Sandbox(["wonda", "wahdx"], port=base) as sandbox:
        ports = {name: httpx.URL(sandbox.url(name)).port for name in ("wahdx", "wonda")}
        assert httpx.URL(sandbox.media.base_url).port == base
    assert ports == {"wahdx": base + 1, "wonda": base + 2}
