"""The emulator kit: error bodies from the vocabulary read back by the adapter's own parser; seeds."""

from __future__ import annotations

import random

import httpx
import pytest

from postmux import Adapter
from postmux.plugins import plugin_manager
from postmux.sandbox.kit import Seed, error_payload, seed_accounts
from postmux.vocabulary import ErrorEnvelope

ADAPTERS = sorted(plugin_manager().providers().items())


@pytest.mark.parametrize(("name", "cls"), ADAPTERS, ids=[n for n, _ in ADAPTERS])
def test_an_emulator_error_body_reads_back_through_the_adapter(name: str, cls: type[Adapter]) -> None:
    envelope = cls.vocabulary.errors
    body, content_type = error_payload(envelope, "the title is too long", "bad_title")
    assert content_type == "application/json"
    response = httpx.Response(400, content=body, request=httpx.Request("POST", "https://vendor.test/x"))
    error = cls().error_for(response, response.text)
    assert error.message.startswith("the title is too long")
    assert error.status_code == 400


def test_a_body_puts_the_code_beside_the_message_and_flags_success() -> None:
    envelope = ErrorEnvelope(success="ok", message=("error.message",), code=("error.code",))
    assert envelope.body("nope", "E1") == {"ok": False, "error": {"message": "nope", "code": "E1"}}
    flat = ErrorEnvelope(message=("error",), code=("error.code",))
    assert flat.body("nope", "E1") == {"error": "nope"}  # no room for a code inside a string


class _Ids:
    def __init__(self) -> None:
        self.rng = random.Random(7)

    def new_id(self, prefix: str = "") -> str:
        return f"{prefix}{self.rng.randrange(10**6)}"

    def digits(self, n: int) -> str:
        return str(self.rng.randrange(10 ** (n - 1), 10**n))


def test_seeded_accounts_from_a_declaration() -> None:
    accounts = seed_accounts(
        _Ids(),
        [
            Seed("tiktok", user_id_digits=10),
            Seed("tiktok", "sandbox_expired", active=False),
            Seed("facebook", "1001"),
        ],
        id_prefix="int_",
    )
    assert [(a.platform, a.username, a.display_name, a.active) for a in accounts] == [
        ("tiktok", "sandbox_tiktok", "Sandbox Tiktok", True),
        ("tiktok", "sandbox_expired", "Sandbox Expired", False),
        ("facebook", "1001", "Sandbox Facebook", True),
    ]
    assert all(a.id.startswith("int_") for a in accounts)
    assert len(accounts[0].extra["user_id"]) == 10
    assert accounts[1].extra == {}
