"""postmux: one provider-neutral interface for publishing to TikTok, Instagram,
Threads, Facebook and YouTube through social-publishing vendor APIs.

    import postmux
    pub = postmux.publisher("wahdx")
    report = pub.publish(postmux.Post(text="Hi", media=["https://…/clip.mp4"],
                                      targets=["tiktok:acc-1"]))

A string in ``media`` is a URL; a local file is a ``pathlib.Path`` or
``Media(path=…)``, so a user's text can never name a file on the server.

Each vendor is a plugin (entry-point group ``postmux``); see :mod:`postmux.adapter`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .accounts import Account, AccountStatus, CreatorInfo
from .adapter import Adapter, Route
from .async_publisher import AsyncPublisher
from .capabilities import Capabilities, PlatformSupport
from .connect import (
    AsyncConnectSession,
    ConnectFailedError,
    ConnectPoll,
    ConnectSession,
    ConnectStart,
    ConnectStatus,
)
from .drivers import RetryPolicy
from .errors import (
    AuthenticationError,
    ConfigurationError,
    ConflictError,
    FetchRefusedError,
    InvalidRequestError,
    LedgerError,
    MediaHostError,
    MissingCredentialsError,
    NotFoundError,
    PaymentRequiredError,
    PermissionDeniedError,
    PostmuxError,
    Problem,
    ProviderError,
    RateLimitError,
    ResponseError,
    ServerError,
    TimeoutError,
    TransportError,
    UnknownProviderError,
    UnsupportedError,
    ValidationError,
)
from .factory import async_publisher, providers, publisher
from .fetch import FetchPolicy
from .hookspecs import hookimpl, plugin_hooks
from .hosting import HostedFile, MediaHost
from .ledger import Ledger, MemoryLedger, SQLiteLedger
from .media import Media, MediaKind
from .options import (
    FacebookOptions,
    InstagramOptions,
    ThreadsOptions,
    TikTokOptions,
    YouTubeOptions,
)
from .portable import Change, PortabilityReport, VendorCheck, check_portable
from .post import Post, Target
from .preview import Preview
from .publisher import Publisher
from .results import Publication, PublishReport
from .secrets import Secret
from .status import Status

if TYPE_CHECKING:
    from .comparison import Comparison, compare


def __getattr__(name: str) -> object:
    """``compare`` and ``Comparison``, imported on first use: most programs never compare vendors."""
    if name in ("Comparison", "compare"):
        from . import comparison

        return getattr(comparison, name)
    raise AttributeError(f"module 'postmux' has no attribute {name!r}")


__version__ = "0.1.0"

__all__ = [
    "Account",
    "AccountStatus",
    "Adapter",
    "AsyncConnectSession",
    "AsyncPublisher",
    "AuthenticationError",
    "Capabilities",
    "Change",
    "Comparison",
    "ConfigurationError",
    "ConflictError",
    "ConnectFailedError",
    "ConnectPoll",
    "ConnectSession",
    "ConnectStart",
    "ConnectStatus",
    "CreatorInfo",
    "FacebookOptions",
    "FetchPolicy",
    "FetchRefusedError",
    "HostedFile",
    "InstagramOptions",
    "InvalidRequestError",
    "Ledger",
    "LedgerError",
    "Media",
    "MediaHost",
    "MediaHostError",
    "MediaKind",
    "MemoryLedger",
    "MissingCredentialsError",
    "NotFoundError",
    "PaymentRequiredError",
    "PermissionDeniedError",
    "PlatformSupport",
    "PortabilityReport",
    "Post",
    "PostmuxError",
    "Preview",
    "Problem",
    "ProviderError",
    "Publication",
    "PublishReport",
    "Publisher",
    "RateLimitError",
    "ResponseError",
    "RetryPolicy",
    "Route",
    "SQLiteLedger",
    "Secret",
    "ServerError",
    "Status",
    "Target",
    "ThreadsOptions",
    "TikTokOptions",
    "TimeoutError",
    "TransportError",
    "UnknownProviderError",
    "UnsupportedError",
    "ValidationError",
    "VendorCheck",
    "YouTubeOptions",
    "async_publisher",
    "check_portable",
    "compare",
    "hookimpl",
    "plugin_hooks",
    "providers",
    "publisher",
]
