"""A media host on S3-compatible object storage: upload, then a presigned GET URL.

    host = postmux.s3.S3MediaHost("my-bucket", prefix="postmux/")
    pub = postmux.publisher("wahdx", media_host=host)
    # or: POSTMUX_MEDIA_HOST=s3://my-bucket/postmux/

Needs the ``s3`` extra (``pip install 'postmux[s3]'``: boto3). Credentials
come from boto3's own chain (``AWS_ACCESS_KEY_ID``…, a profile, an instance
role) or a ``client`` the app makes; postmux never reads, stores or prints
them. Bucket and prefix come from the arguments, else ``POSTMUX_S3_BUCKET``
and ``POSTMUX_S3_PREFIX``; ``endpoint_url`` (or ``POSTMUX_S3_ENDPOINT_URL``)
points at any S3-compatible store (MinIO, R2, moto…). The bucket may stay
private: the vendor gets a presigned URL valid for ``expires``, which is also
the longest a file is reachable should clean-up never run (a bucket lifecycle
rule on the prefix is the backstop for the bytes themselves).
"""

from __future__ import annotations

import os
import secrets
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from .errors import ConfigurationError
from .hosting import HostedFile, MediaHostError

__all__ = ["BUCKET_ENV", "ENDPOINT_ENV", "PREFIX_ENV", "S3MediaHost"]

BUCKET_ENV = "POSTMUX_S3_BUCKET"
PREFIX_ENV = "POSTMUX_S3_PREFIX"
ENDPOINT_ENV = "POSTMUX_S3_ENDPOINT_URL"
MAX_EXPIRY = timedelta(days=7)
"""The longest a SigV4 presigned URL may live."""


class S3MediaHost:
    """Puts local files in ``bucket`` under ``prefix`` and hands out presigned GET URLs.

    ``client`` is a boto3 S3 client to use as it is (credentials, retries and
    endpoint are then the app's); otherwise one is made from ``endpoint_url``,
    ``region`` and boto3's default credential chain, with SigV4 signing.
    """

    def __init__(
        self,
        bucket: str | None = None,
        prefix: str | None = None,
        *,
        expires: timedelta = timedelta(hours=24),
        endpoint_url: str | None = None,
        region: str | None = None,
        client: Any = None,
    ) -> None:
        bucket = bucket or os.environ.get(BUCKET_ENV) or None
        if not bucket:
            raise ConfigurationError(
                f"the s3 media host needs a bucket: S3MediaHost('bucket'), s3://bucket/prefix or {BUCKET_ENV}"
            )
        if not timedelta(seconds=1) <= expires <= MAX_EXPIRY:
            raise ConfigurationError("the s3 media host's expires must be between 1 second and 7 days")
        self.bucket = bucket
        prefix = prefix if prefix is not None else os.environ.get(PREFIX_ENV, "")
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.expires = expires
        self.endpoint_url = endpoint_url or os.environ.get(ENDPOINT_ENV) or None
        self.region = region
        self._client = client
        self._lock = threading.Lock()

    @classmethod
    def from_spec(cls, spec: str) -> S3MediaHost:
        """``s3://bucket/prefix?endpoint_url=…&region=…&expires=3600`` (query optional)."""
        parts = urlsplit(spec)
        if parts.scheme.lower() != "s3":
            raise ConfigurationError(f"not an s3 media host spec: {spec!r} (expected s3://bucket/prefix)")
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        unknown = sorted(set(query) - {"endpoint_url", "region", "expires"})
        if unknown:
            raise ConfigurationError(f"unknown s3 media host setting {', '.join(unknown)}")
        expires = timedelta(hours=24)
        if "expires" in query:
            try:
                seconds = int(query["expires"])
            except ValueError:
                raise ConfigurationError("the s3 media host's expires is a number of seconds") from None
            # out of range before timedelta() sees it: a huge number would overflow it, not be refused
            expires = timedelta(seconds=max(-1, min(seconds, int(MAX_EXPIRY.total_seconds()) + 1)))
        return cls(
            parts.netloc or None,
            parts.path or None,
            expires=expires,
            endpoint_url=query.get("endpoint_url"),
            region=query.get("region"),
        )

    def __repr__(self) -> str:
        where = f" endpoint={self.endpoint_url!r}" if self.endpoint_url else ""
        return f"<S3MediaHost s3://{self.bucket}/{self.prefix}{where}>"

    @property
    def client(self) -> Any:
        """The boto3 client, made on first use (boto3 clients are thread-safe; sessions are not)."""
        with self._lock:
            if self._client is None:
                self._client = self._make_client()
            return self._client

    def _make_client(self) -> Any:
        try:
            import boto3
            from botocore.config import Config
        except ImportError:
            raise ConfigurationError("the s3 media host needs boto3: pip install 'postmux[s3]'") from None
        style = "path" if self.endpoint_url else "auto"  # a custom endpoint seldom has bucket subdomains
        config = Config(signature_version="s3v4", s3={"addressing_style": style})
        try:
            return boto3.session.Session().client(
                "s3", endpoint_url=self.endpoint_url, region_name=self.region, config=config
            )
        except Exception as exc:
            reason = _reason(exc)
        raise ConfigurationError(f"the s3 media host cannot start: {reason}")

    def put(self, path: str | os.PathLike[str], *, mime_type: str | None = None) -> HostedFile:
        """Upload the file (multipart when large, streamed from disk) and presign a GET for it."""
        source = Path(path)
        if not source.is_file():
            raise MediaHostError(f"no such file: {source}")
        # the name's bytes, escaped: a name os.listdir() decoded from bytes that are not UTF-8 holds
        # lone surrogates, which quote() cannot encode and no S3 key can hold
        key = f"{self.prefix}{secrets.token_hex(8)}/{quote(os.fsencode(source.name or 'media'))}"
        extra = {"ContentType": mime_type} if mime_type else {}
        client = self.client
        try:
            client.upload_file(str(source), self.bucket, key, ExtraArgs=extra)
            url = client.generate_presigned_url(
                "get_object",
                Params={"Bucket": self.bucket, "Key": key},
                ExpiresIn=int(self.expires.total_seconds()),
            )
        except Exception as exc:
            reason = _reason(exc)
        else:
            return HostedFile(
                url=url, key=key, source=str(source), expires_at=datetime.now(UTC) + self.expires
            )
        # raised outside the handler, so no botocore exception rides along as __context__
        raise MediaHostError(f"could not upload {source.name} to {self!r}: {reason}")

    def remove(self, hosted: HostedFile) -> None:
        """Delete the object (S3 answers a delete of a missing key with success too)."""
        try:
            self.client.delete_object(Bucket=self.bucket, Key=hosted.key)
        except Exception as exc:
            reason = _reason(exc)
        else:
            return
        raise MediaHostError(f"could not remove {hosted.key} from {self!r}: {reason}")


def _reason(exc: BaseException) -> str:
    """A boto error as its code and HTTP status only: botocore's text can quote request details."""
    inner: BaseException | None = exc
    while inner is not None and not isinstance(getattr(inner, "response", None), dict):
        inner = inner.__cause__ or inner.__context__  # boto3's transfer errors wrap the ClientError
    response = getattr(inner, "response", None)
    if isinstance(response, dict):
        error = response.get("Error") or {}
        status = (response.get("ResponseMetadata") or {}).get("HTTPStatusCode")
        code = error.get("Code") if isinstance(error, dict) else None
        return f"{code or 'error'}" + (f" (HTTP {status})" if status else "")
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return type(exc).__name__
