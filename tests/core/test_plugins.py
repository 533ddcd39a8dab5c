"""Finding plugins, making publishers by name, and the publish-finished hook."""

from __future__ import annotations

import types
from pathlib import Path
from typing import Any

import httpx
import pytest

import postmux
from postmux import (
    AsyncPublisher,
    ConfigurationError,
    MissingCredentialsError,
    Publication,
    Publisher,
    SQLiteLedger,
    Status,
    UnknownProviderError,
)
from postmux.plugins import PluginManager

from .fakes import KEY, FakeAdapter, Vendor, published, video_post


def plugin(
    *adapters: type[postmux.Adapter], finished: list[Publication] | None = None
) -> types.SimpleNamespace:
    """A plugin object registering ``adapters`` (and listening for finished publications)."""

    @postmux.hookimpl
    def postmux_register_providers(register: Any) -> None:
        for cls in adapters:
            register(cls)

    ns = types.SimpleNamespace(postmux_register_providers=postmux_register_providers)
    if finished is not None:

        @postmux.hookimpl
        def postmux_publish_finished(publication: Publication) -> None:
            finished.append(publication)

        ns.postmux_publish_finished = postmux_publish_finished
    return ns


class OtherFake(FakeAdapter):
    name = "otherfake"
    env_var = "OTHERFAKE_KEY"


@pytest.fixture
def pm() -> PluginManager:
    manager = PluginManager(load_entry_points=False)
    manager.register(plugin(FakeAdapter, OtherFake), name="postmux-fake")
    return manager


def test_providers_by_name(pm: PluginManager) -> None:
    assert pm.providers() == {"fake": FakeAdapter, "otherfake": OtherFake}
    assert pm.get("fake") is FakeAdapter


def test_duplicate_provider_names_name_both_plugins(pm: PluginManager) -> None:
    class Impostor(FakeAdapter):
        pass

    pm.register(plugin(Impostor), name="postmux-impostor")
    with pytest.raises(ConfigurationError) as info:
        pm.providers()
    text = str(info.value)
    assert "'fake'" in text
    assert "postmux-fake" in text
    assert "postmux-impostor" in text
    pm.unregister(pm._pm.get_plugin("postmux-impostor"))
    assert "fake" in pm.providers()


def test_registering_a_non_adapter_is_a_configuration_error() -> None:
    manager = PluginManager(load_entry_points=False)
    manager.register(plugin(object), name="postmux-broken")  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="postmux-broken"):
        manager.providers()


def test_unknown_provider_lists_installed(pm: PluginManager) -> None:
    with pytest.raises(UnknownProviderError) as info:
        postmux.publisher("nope", api_key=KEY, plugins=pm)
    assert info.value.installed == ("fake", "otherfake")
    assert "fake, otherfake" in str(info.value)


def test_provider_from_environment(pm: PluginManager, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POSTMUX_PROVIDER", "otherfake")
    monkeypatch.setenv("OTHERFAKE_KEY", KEY)
    with postmux.publisher(plugins=pm) as pub:
        assert isinstance(pub, Publisher)
        assert pub.provider == "otherfake"
        assert pub.driver.key.reveal() == KEY
        assert pub.ledger is None


def test_no_provider_named(pm: PluginManager, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("POSTMUX_PROVIDER", raising=False)
    with pytest.raises(ConfigurationError) as info:
        postmux.publisher(api_key=KEY, plugins=pm)
    assert "POSTMUX_PROVIDER" in str(info.value)
    assert "fake, otherfake" in str(info.value)


def test_api_key_from_the_plugins_variable(pm: PluginManager, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_API_KEY", KEY)
    with postmux.publisher("fake", plugins=pm, base_url="https://eu.fake.test/") as pub:
        assert pub.driver.key.reveal() == KEY
        assert pub.adapter.base_url == "https://eu.fake.test"


def test_missing_credentials_names_the_variable(pm: PluginManager, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FAKE_API_KEY", raising=False)
    with pytest.raises(MissingCredentialsError) as info:
        postmux.publisher("fake", plugins=pm)
    assert "FAKE_API_KEY" in str(info.value)
    monkeypatch.setenv("FAKE_API_KEY", "")
    with pytest.raises(MissingCredentialsError):
        postmux.async_publisher("fake", plugins=pm)


async def test_async_publisher_factory_and_ledger_path(pm: PluginManager, tmp_path: Path) -> None:
    async with postmux.async_publisher(
        "fake", api_key=postmux.Secret(KEY), plugins=pm, ledger=tmp_path / "l.db"
    ) as pub:
        assert isinstance(pub, AsyncPublisher)
        assert isinstance(pub.ledger, SQLiteLedger)
        assert KEY not in repr(pub)
        pub.ledger.close()


def test_installed_entry_point_plugins_are_listed() -> None:
    names = postmux.providers()
    assert "wahdx" in names
    assert names == sorted(names)


def test_publish_finished_hook_once_per_target(pm: PluginManager) -> None:
    finished: list[Publication] = []
    pm.register(plugin(finished=finished), name="listener")
    vendor = Vendor({"POST /posts": published})
    client = vendor.client()
    with postmux.publisher("fake", api_key=KEY, plugins=pm, client=client) as pub:
        report = pub.publish(video_post("tiktok:a", "instagram:b", "threads:c"))
    assert sorted(p.target.account for p in finished) == ["a", "b", "c"]
    assert {p.id for p in finished} == {p.id for p in report}
    assert all(p.status is Status.PROCESSING for p in finished)


async def test_publish_finished_hook_async_and_for_failures(pm: PluginManager) -> None:
    finished: list[Publication] = []
    pm.register(plugin(finished=finished), name="listener")

    def handler(request: httpx.Request) -> httpx.Response:
        if b'"b"' in request.content:
            return httpx.Response(403, json={"message": "no"})
        return published(request)

    vendor = Vendor({"POST /posts": handler})
    async with postmux.async_publisher("fake", api_key=KEY, plugins=pm, client=vendor.async_client()) as pub:
        await pub.publish(video_post("tiktok:a", "tiktok:b"))
    assert sorted((p.target.account, p.status) for p in finished) == [
        ("a", Status.PROCESSING),
        ("b", Status.FAILED),
    ]


def failing_listener(heard: list[Publication]) -> types.SimpleNamespace:
    """A listener whose own call fails for the first outcome it hears (a webhook that is down)."""

    @postmux.hookimpl
    def postmux_publish_finished(publication: Publication) -> None:
        heard.append(publication)
        if len(heard) == 1:
            raise ConnectionError("the app's webhook is down")

    return types.SimpleNamespace(postmux_publish_finished=postmux_publish_finished)


def test_a_listener_that_raises_hides_no_outcome(pm: PluginManager, caplog: pytest.LogCaptureFixture) -> None:
    """The posts are out: a listener's failure is logged, and publish() still returns every outcome.

    It used to raise the listener's exception from publish(), after all three were posted: no
    report, and an app that took the raise for "nothing sent" posted them all again.
    """
    heard: list[Publication] = []
    pm.register(failing_listener(heard), name="listener")
    vendor = Vendor({"POST /posts": published})
    with postmux.publisher("fake", api_key=KEY, plugins=pm, client=vendor.client(), max_concurrency=1) as pub:
        report = pub.publish(video_post("tiktok:a", "instagram:b", "threads:c"))
    assert [(p.target.account, p.status) for p in report] == [
        ("a", Status.PROCESSING),
        ("b", Status.PROCESSING),
        ("c", Status.PROCESSING),
    ]
    assert sorted(p.target.account for p in heard) == ["a", "b", "c"]  # the others still told
    assert "the app's webhook is down" in caplog.text


async def test_async_a_listener_that_raises_hides_no_outcome(pm: PluginManager) -> None:
    heard: list[Publication] = []
    pm.register(failing_listener(heard), name="listener")
    vendor = Vendor({"POST /posts": published})
    async with postmux.async_publisher("fake", api_key=KEY, plugins=pm, client=vendor.async_client()) as pub:
        report = await pub.publish(video_post("tiktok:a", "instagram:b"))
    assert [p.status for p in report] == [Status.PROCESSING, Status.PROCESSING]
    assert sorted(p.target.account for p in heard) == ["a", "b"]


def test_a_listener_that_raises_for_unsent_targets_hides_no_outcome(pm: PluginManager) -> None:
    heard: list[Publication] = []
    pm.register(failing_listener(heard), name="listener")
    vendor = Vendor({"GET /accounts": httpx.Response(403, json={"message": "no"})})
    with postmux.publisher("fake", api_key=KEY, plugins=pm, client=vendor.client()) as pub:
        report = pub.publish(video_post("tiktok:@a", "tiktok:@b"))  # the accounts cannot be listed
    assert [p.status for p in report] == [Status.FAILED, Status.FAILED]
    assert len(heard) == 2


def test_no_hook_calls_without_listeners(pm: PluginManager) -> None:
    assert not pm.has_publish_listeners()


def test_emulators_registry() -> None:
    manager = PluginManager(load_entry_points=False)

    def emulator_plugin() -> types.SimpleNamespace:
        @postmux.hookimpl
        def postmux_register_emulators(register: Any) -> None:
            register("fake", object)

        return types.SimpleNamespace(postmux_register_emulators=postmux_register_emulators)

    manager.register(emulator_plugin(), name="e1")
    assert manager.emulators() == {"fake": object}
    manager.register(emulator_plugin(), name="e2")
    with pytest.raises(ConfigurationError, match="'fake'"):
        manager.emulators()


def test_a_plugin_registered_while_another_thread_lists_the_providers_is_found() -> None:
    """An app registering its own vendor while a worker thread's ``get`` collects the providers:
    the list that thread makes leaves it out, and must not be kept as the current one."""
    import threading

    collecting, registered = threading.Event(), threading.Event()

    class Slow(FakeAdapter):
        name = "slowfake"

    @postmux.hookimpl
    def postmux_register_providers(register: Any) -> None:
        register(Slow)
        if threading.current_thread().name == "worker":
            collecting.set()
            registered.wait(1)  # the app's register() lands here, or waits for this list to be made

    manager = PluginManager(load_entry_points=False)
    manager.register(
        types.SimpleNamespace(postmux_register_providers=postmux_register_providers), name="slow"
    )
    worker = threading.Thread(target=manager.get, args=("slowfake",), name="worker")
    worker.start()
    assert collecting.wait(10)
    app = threading.Thread(target=manager.register, args=(plugin(OtherFake), "postmux-other"))
    app.start()
    app.join(0.2)
    registered.set()
    worker.join(10)
    app.join(10)
    assert manager.get("otherfake") is OtherFake
    assert set(manager.providers()) == {"slowfake", "otherfake"}
