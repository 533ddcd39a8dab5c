"""The core's attrs classes, and an instance of each a publisher's path makes: what the tests of
the shared ``__repr__`` (``test_repr``) and ``__eq__``/``__hash__`` (``test_eq``) walk."""

from __future__ import annotations

import importlib
import pkgutil
from datetime import UTC, datetime
from typing import Any

import attrs

import postmux
from postmux.accounts import Account, AccountStatus, CreatorInfo
from postmux.adapter import Route
from postmux.drivers import RetryPolicy
from postmux.fetch import FetchPolicy
from postmux.reconcile import Attempt
from postmux.status import Status
from postmux.vocabulary import Opt

__all__ = ["core_attrs_classes", "samples"]

_ELSEWHERE = ("postmux.cli", "postmux.sandbox", "postmux.testing", "postmux.s3", "postmux.docgen")
"""Packages of the core's extras, with their own tests (and dependencies)."""


def core_attrs_classes() -> list[tuple[str, Any]]:
    """``(qualified name, class)`` of every attrs class defined in a core module, the SQL ledger included."""
    names = [m.name for m in pkgutil.iter_modules(postmux.__path__, "postmux.")] + ["postmux.ledger.sql"]
    found: list[tuple[str, Any]] = []
    for name in names:
        if name in _ELSEWHERE:
            continue
        for value in vars(importlib.import_module(name)).values():
            if isinstance(value, type) and attrs.has(value) and value.__module__ == name:
                found.append((f"{name}.{value.__qualname__}", value))
    return found


def samples() -> list[Any]:
    pub = postmux.publisher("wahdx", api_key="sk_x")
    try:
        caps = pub.adapter.capabilities
        vocabulary = pub.adapter.vocabulary
    finally:
        pub.close()
    target = postmux.Target("tiktok", "acc-1", text="its own")
    post = postmux.Post(
        text="hi",
        media=["https://cdn.example.com/a.mp4"],
        targets=[target, "instagram:acc-2"],
        tiktok=postmux.TikTokOptions(privacy="SELF_ONLY"),
        instagram=postmux.InstagramOptions(alt_text="a"),
    )
    publication = postmux.Publication(
        target=target,
        provider="wahdx",
        status=Status.PUBLISHED,
        id="p1",
        raw={"secret": "left out"},
        state={"k": "v"},
    )
    when = datetime(2026, 12, 2, tzinfo=UTC)
    return [
        target,
        post,
        post.media[0],
        post.tiktok,
        post.instagram,
        publication,
        postmux.PublishReport((publication,)),
        postmux.Problem("text", "too long"),
        caps,
        caps.platforms["tiktok"],
        vocabulary,
        Opt(wire="privacy_level", values={"SELF_ONLY": "private"}, on=frozenset({"video"})),
        postmux.ThreadsOptions(reply_control="everyone"),
        postmux.FacebookOptions(link="https://x"),
        postmux.YouTubeOptions(title="t"),
        FetchPolicy(),
        RetryPolicy(),
        Route(target, "acc-1"),
        Account(
            id="a1",
            platform="tiktok",
            provider="wahdx",
            username="u",
            status=AccountStatus.ACTIVE,
            raw={"x": 1},
        ),
        CreatorInfo(
            account_id="a1",
            privacy_options=("SELF_ONLY",),
            comments_disabled=False,
            duets_disabled=True,
            stitches_disabled=False,
        ),
        Attempt(account_id="a1", content_digest="d", sent_at=when),
    ]
