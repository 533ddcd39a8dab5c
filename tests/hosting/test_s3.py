"""The S3 media host against a real S3-compatible server: moto, in server mode, on loopback.

The server is started here (``ThreadedMotoServer`` on 127.0.0.1, a free port);
the host uploads with boto3, and the presigned URL it hands out is fetched
over HTTP from that server, as a vendor would fetch it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest
from moto.server import ThreadedMotoServer

import postmux
from postmux import ConfigurationError, MediaHostError, Post, Status
from postmux.hosting import MEDIA_HOST_ENV, host_local_media, open_media_host
from postmux.plugins import plugin_manager
from postmux.s3 import BUCKET_ENV, ENDPOINT_ENV, PREFIX_ENV, S3MediaHost
from postmux.sandbox import Sandbox
from postmux.sandbox.samples import write_samples
from postmux.testing.support import Vendor, cases_where

ACCESS_KEY = "AKIAPOSTMUXTEST0001"
SECRET_KEY = "pmx-secret-0123456789-do-not-print"
BUCKET = "postmux-media"


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    """A moto S3 server on loopback, for this module."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Test credentials through boto3's own chain, and no way to reach anything but loopback."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    for name in ("AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def bucket(s3_endpoint: str, aws_env: None) -> Any:
    """An empty bucket on the moto server; returns a boto3 client to inspect it."""
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1")
    if BUCKET not in [b["Name"] for b in client.list_buckets().get("Buckets", [])]:
        client.create_bucket(Bucket=BUCKET)
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    return client


def test_put_gives_a_presigned_url_that_serves_the_bytes_and_remove_deletes_them(
    bucket: Any, s3_endpoint: str, tmp_path: Path
) -> None:
    clip = write_samples(tmp_path)[0]
    host = S3MediaHost(BUCKET, "uploads/app", endpoint_url=s3_endpoint, expires=timedelta(minutes=10))
    hosted = host.put(clip, mime_type="video/mp4")

    assert hosted.key.startswith("uploads/app/")
    assert hosted.key.endswith("/" + clip.name)
    assert hosted.source == str(clip)
    assert hosted.expires_at is not None  # the URL's own lifetime (moto does not enforce it; S3 does)
    left = hosted.expires_at - datetime.now(UTC)
    assert timedelta(minutes=9) < left <= timedelta(minutes=10)
    assert "X-Amz-Signature=" in hosted.url
    assert "X-Amz-Expires=600" in hosted.url
    # the bucket is private: the object is only reachable through the signature
    unsigned = hosted.url.split("?", 1)[0]
    assert httpx.get(unsigned).status_code == 403

    fetched = httpx.get(hosted.url)
    assert fetched.status_code == 200
    assert fetched.content == clip.read_bytes()
    assert fetched.headers["content-type"] == "video/mp4"
    assert [o["Key"] for o in bucket.list_objects_v2(Bucket=BUCKET)["Contents"]] == [hosted.key]

    host.remove(hosted)
    assert bucket.list_objects_v2(Bucket=BUCKET).get("KeyCount") == 0
    assert httpx.get(hosted.url).status_code == 404
    host.remove(hosted)  # removing twice is not an error


@pytest.mark.parametrize(
    ("name", "stored"),
    [("caf\udce9.mp4", "caf%E9.mp4"), ("caf\u00e9 1.mp4", "caf%C3%A9%201.mp4")],
    ids=["latin-1-bytes", "utf-8"],
)
def test_a_file_whose_name_is_not_utf8_is_hosted_too(
    bucket: Any, s3_endpoint: str, tmp_path: Path, name: str, stored: str
) -> None:
    # os.listdir() gives a name of bytes that are not UTF-8 with lone surrogates (b"caf\xe9.mp4")
    clip = tmp_path / name
    clip.write_bytes(b"video bytes")
    host = S3MediaHost(BUCKET, "pmx", endpoint_url=s3_endpoint)
    wire, hosted = host_local_media(
        host, Post(text="x", media=[postmux.Media(path=clip)], targets=["wahdx:a"])
    )
    (item,) = hosted
    assert item.key.endswith("/" + stored)
    assert wire.media[0].url == item.url
    assert httpx.get(item.url).content == b"video bytes"
    host.remove(item)


def test_bucket_prefix_and_endpoint_come_from_a_spec_or_the_environment(
    monkeypatch: pytest.MonkeyPatch, s3_endpoint: str, aws_env: None
) -> None:
    host = S3MediaHost.from_spec(f"s3://{BUCKET}/a/b/?endpoint_url={s3_endpoint}&expires=60&region=eu-west-1")
    assert (host.bucket, host.prefix, host.endpoint_url, host.region) == (
        BUCKET,
        "a/b/",
        s3_endpoint,
        "eu-west-1",
    )
    assert host.expires == timedelta(seconds=60)

    monkeypatch.setenv(BUCKET_ENV, "from-env")
    monkeypatch.setenv(PREFIX_ENV, "pfx")
    monkeypatch.setenv(ENDPOINT_ENV, s3_endpoint)
    from_env = S3MediaHost()
    assert (from_env.bucket, from_env.prefix, from_env.endpoint_url) == ("from-env", "pfx/", s3_endpoint)

    monkeypatch.setenv(MEDIA_HOST_ENV, f"s3://{BUCKET}/x")
    opened = open_media_host(None, plugin_manager())
    assert isinstance(opened, S3MediaHost)
    assert (opened.bucket, opened.prefix) == (BUCKET, "x/")


@pytest.mark.parametrize(
    ("spec", "needle"),
    [
        ("s3://", "needs a bucket"),
        ("s3://b/p?colour=blue", "unknown s3 media host setting colour"),
        ("s3://b/p?expires=soon", "number of seconds"),
        ("s3://b/p?expires=9999999", "between 1 second and 7 days"),
        # more seconds than a timedelta holds: a ConfigurationError too, not a raw OverflowError
        ("s3://b/p?expires=99999999999999999999", "between 1 second and 7 days"),
        ("s3://b/p?expires=-99999999999999999999", "between 1 second and 7 days"),
    ],
)
def test_bad_s3_specs_are_configuration_errors(
    spec: str, needle: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(BUCKET_ENV, raising=False)
    with pytest.raises(ConfigurationError, match=needle):
        open_media_host(spec, plugin_manager())


def test_no_credential_reaches_a_repr_an_error_or_a_log(
    s3_endpoint: str, aws_env: None, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="postmux")
    clip = write_samples(tmp_path)[0]
    host = S3MediaHost("no-such-bucket", endpoint_url=s3_endpoint)
    with pytest.raises(MediaHostError) as caught:
        host.put(clip)
    exc = caught.value
    assert "NoSuchBucket" in str(exc)
    assert exc.__cause__ is None
    assert exc.__context__ is None
    texts = [str(exc), repr(exc), repr(host), str(vars(exc)), caplog.text]
    for secret in (SECRET_KEY, ACCESS_KEY):
        assert all(secret not in t for t in texts)


@pytest.mark.parametrize(("provider", "mode"), cases_where(lambda caps: not caps.local_files))
def test_a_url_only_vendor_publishes_a_local_file_through_s3(
    postmux_sandbox: Sandbox, provider: str, mode: str, bucket: Any, s3_endpoint: str, tmp_path: Path
) -> None:
    clip = write_samples(tmp_path)[0]
    host = S3MediaHost(BUCKET, "pmx", endpoint_url=s3_endpoint)
    vendor = Vendor(postmux_sandbox, provider, mode)
    try:
        pub = vendor.publisher(media_host=host)
        platform = next(iter(vendor.capabilities.platforms))
        post = Post(text="A local clip", media=[postmux.Media(path=clip)], targets=[vendor.target(platform)])
        assert pub.validate(post) == []
        report = pub.publish(post)
        assert report.results[0].status is not Status.FAILED, report.results[0].error
        (hosted,) = report.hosted
        record = vendor.records(vendor.seeded_id(platform))[-1]
        assert record.media == (hosted.url,)
        assert httpx.get(record.media[0]).content == clip.read_bytes()  # what the vendor fetches

        done = pub.wait(report)
        assert done.is_final
        assert done.hosted == ()
        assert bucket.list_objects_v2(Bucket=BUCKET).get("KeyCount") == 0  # cleaned up once final
    finally:
        vendor.close()
