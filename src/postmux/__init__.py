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

import sys
from types import ModuleType
from typing import TYPE_CHECKING

from ._lazy import lazy_names
from .errors import (
    AuthenticationError,
    ConfigurationError,
    ConflictError,
    CredentialError,
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

if TYPE_CHECKING:
    from .accounts import Account, CreatorInfo
    from .adapter import Adapter, Route
    from .async_publisher import AsyncPublisher
    from .capabilities import Capabilities, PlatformSupport
    from .comparison import Comparison, compare
    from .connect import (
        AsyncConnectSession,
        ConnectFailedError,
        ConnectPoll,
        ConnectSession,
        ConnectStart,
    )
    from .drivers import RetryPolicy
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
    from .status import AccountStatus, ConnectStatus, Status

# Every other public name is imported on first use (PEP 562), so ``import postmux``
# plus one publisher loads only what that publisher needs (no asyncio for a sync
# publisher, no SQLite/PostgreSQL ledger code without such a ledger, no preview or
# comparison code): start-up is issue 15's "import + first publisher".
_LAZY: dict[str, str] = {
    "Account": "accounts",
    "AccountStatus": "status",
    "Adapter": "adapter",
    "AsyncConnectSession": "connect",
    "AsyncPublisher": "async_publisher",
    "Capabilities": "capabilities",
    "Change": "portable",
    "Comparison": "comparison",
    "ConnectFailedError": "connect",
    "ConnectPoll": "connect",
    "ConnectSession": "connect",
    "ConnectStart": "connect",
    "ConnectStatus": "status",
    "CreatorInfo": "accounts",
    "FacebookOptions": "options",
    "FetchPolicy": "fetch",
    "HostedFile": "hosting",
    "InstagramOptions": "options",
    "Ledger": "ledger",
    "Media": "media",
    "MediaHost": "hosting",
    "MediaKind": "media",
    "MemoryLedger": "ledger",
    "PlatformSupport": "capabilities",
    "PortabilityReport": "portable",
    "Post": "post",
    "Preview": "preview",
    "Publication": "results",
    "PublishReport": "results",
    "Publisher": "publisher",
    "RetryPolicy": "drivers",
    "Route": "adapter",
    "SQLiteLedger": "ledger",
    "Secret": "secrets",
    "Status": "status",
    "Target": "post",
    "ThreadsOptions": "options",
    "TikTokOptions": "options",
    "VendorCheck": "portable",
    "YouTubeOptions": "options",
    "check_portable": "portable",
    "compare": "comparison",
    "hookimpl": "hookspecs",
    "plugin_hooks": "hookspecs",
}


__getattr__ = lazy_names(__name__, _LAZY, globals())


class _Package(ModuleType):
    """The package, whose functions ``publisher`` and ``async_publisher`` outlive their modules' import.

    The submodules ``postmux.publisher`` and ``postmux.async_publisher`` share
    those names; importing a submodule binds it on its package, which would
    hide the function once the submodule is first imported lazily.
    """

    def __setattr__(self, name: str, value: object) -> None:
        if name in ("publisher", "async_publisher") and isinstance(value, ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


def __dir__() -> list[str]:
    """The public names too, although most are not imported yet."""
    return sorted(set(globals()) | set(__all__))


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
    "CredentialError",
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
