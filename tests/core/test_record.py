"""The plain slotted records (:mod:`postmux._record`) that replaced the internal NamedTuples.

They keep what the NamedTuples gave the code and its tests: keyword and
positional construction with the same defaults, equality by class and fields,
and a ``Name(field=value, …)`` repr in field order.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from postmux.environment import Configured
from postmux.fetch import FetchPolicy, MediaDownload, Pinned
from postmux.media import MediaKind
from postmux.plan import Concurrently, DropHosted, Pause, RunFlow


def test_equality_is_by_class_and_fields() -> None:
    assert Pause(0.5) == Pause(seconds=0.5)
    assert Pause(0.5) != Pause(1.0)
    assert DropHosted(()) != Concurrently(())  # same fields, another class
    assert Pause(0.5) != (0.5,)  # no longer a tuple, and not equal to one
    video = MediaKind.VIDEO
    assert MediaDownload("media[0]", video) == MediaDownload(medium="media[0]", kind=video)
    assert MediaDownload("media[0]", MediaKind.VIDEO) != MediaDownload("media[1]", MediaKind.VIDEO)


def test_the_repr_names_each_field_in_order() -> None:
    flow: Any = iter(())
    assert repr(RunFlow(flow)) == f"RunFlow(flow={flow!r}, fetch=None)"
    assert repr(MediaDownload("media[0]", None)) == "MediaDownload(medium='media[0]', kind=None)"
    policy = FetchPolicy()
    assert repr(Configured("https://x", None, policy)) == (
        f"Configured(base_url='https://x', api_key=None, media_fetch={policy!r})"
    )


def test_records_are_not_keys_and_hold_only_their_fields() -> None:
    with pytest.raises(TypeError):
        hash(Pause(1.0))
    pinned = Pinned(httpx.URL("https://127.0.0.1/a"), "cdn.example.com", "cdn.example.com")
    with pytest.raises(AttributeError):
        pinned.other = 1  # type: ignore[attr-defined]
    assert pinned.request("video/*", {}).headers["Host"] == "cdn.example.com"


def test_the_vendor_tables_keep_their_defaults_and_text() -> None:
    """The error envelope and the account fields, which every plugin makes by keyword at import."""
    from postmux.vocabulary import AccountFields, ErrorEnvelope

    envelope = ErrorEnvelope(name="Wahdx", success="success")
    assert (envelope.message, envelope.code, envelope.request_id, envelope.retry_after) == (
        ("error.message", "message", "error"),
        ("error.code", "code"),
        (),
        (),
    )
    assert envelope == ErrorEnvelope("Wahdx", success="success")
    assert envelope != ErrorEnvelope(name="Wahdx")
    assert repr(AccountFields(id="accountId")) == (
        "AccountFields(id='accountId', platform='platform', status='status', reason=None, "
        "username='username', display_name=None, avatar_url=None)"
    )


def test_the_vendor_tables_stay_frozen_and_replace_as_namedtuples_did() -> None:
    """Shared by every publisher, a declaration cannot be changed in place; ``_replace`` copies it."""
    from postmux.vocabulary import AccountFields, ErrorEnvelope

    envelope = ErrorEnvelope(name="Acme", success="success")
    with pytest.raises(AttributeError, match="frozen"):
        envelope.name = "Other"
    with pytest.raises(AttributeError, match="frozen"):
        del envelope.code
    renamed = envelope._replace(name="Other")
    assert (renamed.name, renamed.success, envelope.name) == ("Other", "success", "Acme")
    assert renamed == ErrorEnvelope(name="Other", success="success")
    fields = AccountFields(id="accountId")
    with pytest.raises(AttributeError, match="frozen"):
        fields.id = "other"
    assert fields._replace(username="handle") == AccountFields(id="accountId", username="handle")
    with pytest.raises(ValueError, match="no fields"):
        fields._replace(nickname="x")
