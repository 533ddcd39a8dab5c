"""Configuration from the environment: ``<VENDOR>_BASE_URL``, and ``POSTMUX_SANDBOX``.

``POSTMUX_SANDBOX`` points every publisher at a running sandbox, with its
emulator's key (no real key needed, none sent); an explicit ``base_url=`` still
wins over the environment, and the command's ``--sandbox`` reads the same
description from the state file.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import attrs
import httpx
import pytest

import postmux
from postmux import ConfigurationError, MissingCredentialsError, Post
from postmux.environment import base_url_variable, sandbox_endpoint
from postmux.sandbox import Sandbox

REAL_KEY = "sk_live_real_key_0000000000"


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(["wahdx", "postpeer", "wonda"]) as running:
        yield running


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in (
        "WAHDX_API_KEY",
        "WAHDX_BASE_URL",
        "POSTPEER_API_KEY",
        "POSTPEER_BASE_URL",
        "POSTMUX_SANDBOX",
    ):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_the_base_url_variable_sits_beside_the_key_variable() -> None:
    assert base_url_variable("WAHDX_API_KEY", "wahdx") == "WAHDX_BASE_URL"
    assert base_url_variable("ACME_TOKEN", "acme") == "ACME_BASE_URL"
    assert base_url_variable("SECRET", "my-vendor") == "MY_VENDOR_BASE_URL"


def test_vendor_base_url_from_the_environment_and_base_url_wins(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("WAHDX_BASE_URL", "https://eu.wahdx.example/")
    with postmux.publisher("wahdx", api_key=REAL_KEY) as pub:
        assert pub.adapter.base_url == "https://eu.wahdx.example"
    with postmux.publisher("wahdx", api_key=REAL_KEY, base_url="https://us.wahdx.example") as pub:
        assert pub.adapter.base_url == "https://us.wahdx.example"
    clean_env.delenv("WAHDX_BASE_URL")
    with postmux.publisher("wahdx", api_key=REAL_KEY) as pub:
        assert pub.adapter.base_url == pub.adapter.default_base_url.rstrip("/")


def test_postmux_sandbox_points_every_publisher_at_the_sandbox(
    sandbox: Sandbox, clean_env: pytest.MonkeyPatch
) -> None:
    clean_env.setenv("POSTMUX_SANDBOX", sandbox.base_url)
    clean_env.setenv("WAHDX_BASE_URL", "https://api.wahdx.example")  # the sandbox wins over this
    with postmux.publisher("wahdx") as pub:  # no key anywhere: the sandbox's is used
        assert pub.adapter.base_url == sandbox.url("wahdx")
        assert pub.driver.key.reveal() == sandbox.key("wahdx")
        assert "brand" in {a.username for a in pub.accounts() if a.platform == "instagram"}

    async def main() -> str:
        async with postmux.async_publisher("postpeer", api_key=REAL_KEY) as apub:
            accounts = await apub.accounts()
            assert apub.driver.key.reveal() == sandbox.key("postpeer")  # never the real key
            return apub.adapter.base_url if accounts else ""

    assert asyncio.run(main()) == sandbox.url("postpeer")


def test_an_explicit_base_url_still_wins_over_the_sandbox(
    sandbox: Sandbox, clean_env: pytest.MonkeyPatch
) -> None:
    clean_env.setenv("POSTMUX_SANDBOX", sandbox.base_url)
    with postmux.publisher("wahdx", api_key=REAL_KEY, base_url="https://eu.wahdx.example") as pub:
        assert pub.adapter.base_url == "https://eu.wahdx.example"
        assert pub.driver.key.reveal() == REAL_KEY
    clean_env.delenv("POSTMUX_SANDBOX")
    with pytest.raises(MissingCredentialsError):
        postmux.publisher("wahdx")


def test_a_sandbox_that_is_not_there_or_lacks_the_vendor_is_a_configuration_error(
    clean_env: pytest.MonkeyPatch,
) -> None:
    clean_env.setenv("POSTMUX_SANDBOX", "http://127.0.0.1:9")
    with pytest.raises(ConfigurationError, match="POSTMUX_SANDBOX"):
        postmux.publisher("wahdx")
    with Sandbox(["wahdx"]) as only_wahdx:
        clean_env.setenv("POSTMUX_SANDBOX", only_wahdx.base_url)
        with pytest.raises(ConfigurationError, match="no 'wonda' emulator; running: wahdx"):
            postmux.publisher("wonda")


def test_a_vendor_whose_plugin_downloads_media_may_fetch_the_sandboxs_samples(
    sandbox: Sandbox, clean_env: pytest.MonkeyPatch
) -> None:
    """Wonda's plugin downloads media itself: the sandbox's media host is let through, nothing else."""
    clean_env.setenv("POSTMUX_SANDBOX", sandbox.base_url)
    post = Post(text="hi", media=[sandbox.sample_url("clip.mp4")], targets=["tiktok:@brand"])
    with postmux.publisher("wonda") as pub:
        report = pub.publish(post)
        assert report.ok, report
        assert pub.media_fetch.allow_hosts == {sandbox.base_url.removeprefix("http://")}
    account = report[0].account_id
    assert account is not None
    assert len(sandbox.emulator("wonda").records_for(account)) == 1


def test_the_sandboxs_fetch_policy_exempts_its_media_host_only_and_takes_plain_http_anywhere(
    sandbox: Sandbox,
) -> None:
    """What ``Sandbox.media_fetch`` says: the address rule spares its media host alone; the scheme
    rule is widened for every host (a policy's schemes are not per host)."""
    public, private = ["93.184.216.34"], ["10.0.0.7"]
    policy = attrs.evolve(sandbox.media_fetch(), resolver=lambda host, port: public)
    assert policy.pin("http://cdn.example.com/clip.mp4", "media[0]").host_header == "cdn.example.com"
    with pytest.raises(postmux.FetchRefusedError) as refused:
        attrs.evolve(policy, resolver=lambda host, port: private).pin("http://internal.example/a.mp4", "m")
    assert refused.value.rule == "address"
    assert policy.pin(sandbox.sample_url("clip.mp4"), "media[0]").url.host == "127.0.0.1"


def test_the_description_is_the_state_files(sandbox: Sandbox) -> None:
    served = httpx.get(sandbox.base_url + "/sandbox.json").json()
    assert served["url"] == sandbox.base_url
    assert sandbox_endpoint(served, "wahdx") == (sandbox.url("wahdx"), sandbox.key("wahdx"))
    assert sandbox_endpoint(sandbox.describe(), "postpeer") == (
        sandbox.url("postpeer"),
        sandbox.key("postpeer"),
    )
    assert httpx.get(sandbox.sample_url("clip.mp4")).status_code == 200  # the media host still serves


def test_every_emulator_has_a_brand_account_per_platform_and_keeps_its_own(sandbox: Sandbox) -> None:
    for name in ("wahdx", "postpeer"):
        accounts = sandbox.emulator(name).accounts
        brand = [a for a in accounts if a.username == "brand"]
        assert brand
        assert all(a.active for a in brand)
        assert len({a.platform for a in brand}) == len(brand)
        assert any(a.username == "sandbox_tiktok" for a in accounts)
        assert len({a.id for a in accounts}) == len(accounts)
