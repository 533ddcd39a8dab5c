"""The emulator kit: error bodies read back by the adapter's own parser; seeds; route tables."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Mapping
from typing import Any, ClassVar

import httpx
import pytest
from starlette.requests import Request
from starlette.responses import Response

from postmux import Adapter, InstagramOptions, TikTokOptions
from postmux.plugins import plugin_manager
from postmux.sandbox import Emulator, SandboxAccount
from postmux.sandbox.inprocess import InProcessTransport
from postmux.sandbox.kit import Rejected, Seed, error_payload, option_errors, refuse_options, seed_accounts
from postmux.sandbox.middleware import json_bytes
from postmux.sandbox.schema import Schema, object_schema
from postmux.vocabulary import ErrorEnvelope, Opt, OptionMap

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


# -- option_errors: what a body's options must be, from the neutral field types ----------------


TIKTOK = OptionMap(
    TikTokOptions,
    {
        "privacy": "privacy",
        "allow_comment": "!noComments",
        "cover_index": "cover",
        "draft": Opt(wire="mode", values={False: "live", True: "inbox"}),
    },
)


def test_option_errors_follow_each_neutral_field_type() -> None:
    assert (
        option_errors(TIKTOK, {"privacy": "SELF_ONLY", "noComments": True, "cover": 0, "mode": "inbox"}) == []
    )
    assert option_errors(TIKTOK, {"privacy": "ME", "noComments": "no", "cover": -1, "mode": "draft"}) == [
        ("privacy", "one of PUBLIC_TO_EVERYONE, MUTUAL_FOLLOW_FRIENDS, FOLLOWER_OF_CREATOR, SELF_ONLY"),
        ("noComments", "a boolean"),
        ("cover", "a non-negative integer"),
        ("mode", "one of live, inbox"),
    ]
    assert option_errors(TIKTOK, {"cover": True}) == [("cover", "a non-negative integer")]
    assert option_errors(TIKTOK, {"unknown": 1}) == []  # not the map's: the emulator's to check
    assert option_errors(None, {"privacy": 1}) == []


def test_refuse_options_refuses_the_first_in_the_vendors_words() -> None:
    refuse_options(TIKTOK, {"privacy": "SELF_ONLY", "noComments": True})  # nothing to refuse
    refuse_options(None, {"privacy": 1})
    with pytest.raises(Rejected, match=r"^'noComments' must be a boolean$") as caught:
        refuse_options(TIKTOK, {"privacy": "SELF_ONLY", "noComments": "no", "cover": -1})
    assert caught.value.status == 400
    with pytest.raises(Rejected, match=r"^settings\.cover must be a non-negative integer$"):
        refuse_options(TIKTOK, {"cover": -1}, refusal="settings.{key} must be {want}")


def test_option_errors_for_strings_and_lists_and_built_keys() -> None:
    instagram = OptionMap(
        InstagramOptions,
        {
            "alt_text": "alt",
            "collaborators": "with",
            "story": Opt(wire="kind", values={True: "S"}, built=True),
        },
    )
    assert option_errors(instagram, {"alt": "a cat", "with": ["a", "b"], "kind": 3}) == []
    assert option_errors(instagram, {"alt": 3, "with": ["a", 2]}) == [
        ("alt", "a string"),
        ("with", "an array of strings"),
    ]


@pytest.mark.parametrize("camel", [False, True])
def test_creator_fields_read_back_through_the_core_reader(camel: bool) -> None:
    from postmux.creator import tiktok_creator_info
    from postmux.rules import TIKTOK_PRIVACY
    from postmux.sandbox.kit import tiktok_creator_fields

    account = SandboxAccount(id="a1", platform="tiktok", username="sandbox_tiktok", display_name="Sandbox")
    fields = tiktok_creator_fields(account, camel=camel)
    assert ("privacyLevelOptions" in fields) is camel
    info = tiktok_creator_info("a1", fields, provider="v", raw=fields)
    assert set(info.privacy_options) == TIKTOK_PRIVACY
    assert (info.username, info.nickname, info.max_video_duration_s) == ("sandbox_tiktok", "Sandbox", 600)


@pytest.mark.parametrize("camel", [False, True])
def test_an_accounts_extra_changes_its_creator_settings_and_nothing_else(camel: bool) -> None:
    from postmux.sandbox.kit import tiktok_creator_fields

    extra = {"comment_disabled": True, "privacy_level_options": ["SELF_ONLY"], "user_id": "7"}
    account = SandboxAccount(id="a1", platform="tiktok", username="sandbox_tiktok", display_name="Sandbox")
    plain = tiktok_creator_fields(account)
    account.extra.update(extra)
    fields = tiktok_creator_fields(account, camel=camel)
    comment, privacy = (
        ("commentDisabled", "privacyLevelOptions") if camel else ("comment_disabled", "privacy_level_options")
    )
    assert (fields[comment], fields[privacy]) == (True, ["SELF_ONLY"])
    assert len(fields) == len(plain)  # the extra's other keys (a vendor's user id) are not settings


# -- linking: QR sessions and OAuth consent pages, vendor-neutral -----------------------------


def _bare() -> Any:
    from postmux.sandbox import Emulator
    from postmux.sandbox.oauth import OAuthLinks
    from postmux.sandbox.qr import QRLogins

    class Bare(Emulator):
        provider = "bare"
        auth_header = "X-Key"
        seeds = (Seed("tiktok"),)

        def __init__(self) -> None:
            self.qr = QRLogins(self, platform="tiktok", lifetime=300, stem="sandbox_creator")
            self.oauth = OAuthLinks(self, id_prefix="int_", user_id_digits=6)
            super().__init__()

        def routes(self) -> list[Any]:
            return [self.oauth.route()]

    return Bare()


def test_a_qr_session_moves_pending_scanned_confirmed_then_used() -> None:
    from postmux import ConnectStatus

    emulator = _bare()
    emulator.qr.issue("T1", name="s1")
    states = [emulator.qr.poll("T1") for _ in range(4)]
    assert [s[0] for s in states] == [
        ConnectStatus.PENDING,
        ConnectStatus.SCANNED,
        ConnectStatus.CONFIRMED,
        ConnectStatus.USED,
    ]
    account = states[2][1]
    assert (account.platform, account.username, account.display_name) == (
        "tiktok",
        "sandbox_creator_3",  # the seeded account and the @brand twin come first
        "Sandbox Creator 3",
    )
    assert states[2][2]["name"] == "s1"
    assert emulator.qr.poll("nope") is None
    emulator.qr.issue("T2")
    emulator.clock.advance(301)
    assert emulator.qr.poll("T2")[0] is ConnectStatus.EXPIRED


def test_approving_a_qr_session_confirms_it_on_the_next_poll() -> None:
    from postmux import ConnectStart, ConnectStatus

    emulator = _bare()
    emulator.qr.issue("T1")
    linked = emulator.qr.approve(ConnectStart(platform="tiktok", state={"token": "T1"}), "me")
    status, account, _ = emulator.qr.poll("T1")
    assert (status, account, linked.username) == (ConnectStatus.CONFIRMED, linked, "me")
    assert emulator.qr.approve(ConnectStart(platform="tiktok", state={"token": "other"})) is None


def test_an_oauth_link_consents_once_by_page_approval_or_time() -> None:
    from postmux import ConnectStart

    emulator = _bare()
    url = emulator.oauth.url("instagram")
    assert url.startswith(f"{emulator.base_url}/_sandbox/oauth/")
    account = emulator.oauth.approve(ConnectStart(platform="instagram", url=url))
    assert (account.id[:4], account.username, len(account.extra["user_id"])) == (
        "int_",
        "sandbox_instagram_1",
        6,
    )
    assert emulator.oauth.approve(ConnectStart(platform="instagram", url=url)) == account  # once
    assert emulator.oauth.approve(ConnectStart(platform="instagram", url="https://elsewhere/x")) is None
    later = emulator.oauth.url("tiktok")
    emulator.clock.advance(emulator.timing.oauth)
    emulator.oauth.settle()
    token = later.split("/")[-1].split("?")[0]
    assert emulator.oauth.sessions[token]["account"] == emulator.accounts[-1].id


class _Declared(Emulator):
    """An emulator written only of declarations: routes by table, bodies by schema."""

    provider: ClassVar[str] = "declared"
    auth_header: ClassVar[str] = "x-key"
    route_table: ClassVar[Mapping[str, str]] = {"POST /things": "make", "GET /things/{n}": "read"}
    schema = Schema(
        {
            "operations": {"POST /things": {"body": {"$ref": "#/definitions/Thing"}}},
            "definitions": {"Thing": object_schema({"name": {"type": "string", "minLength": 1}}, "name")},
        }
    )

    async def make(self, request: Request) -> Response:
        body = await self.checked_body(request, "POST /things")
        return self.json({"made": body["name"]}, status=201)

    async def read(self, request: Request) -> Response:
        return self.json({"n": request.path_params["n"]})


def test_declared_routes_and_a_schema_make_an_emulator() -> None:
    emulator = _Declared()
    transport = InProcessTransport(lambda: {"declared.test": emulator.app()})
    with httpx.Client(
        transport=transport, base_url="http://declared.test", headers={"x-key": emulator.api_key}
    ) as c:
        assert c.post("/things", json={"name": "a"}).json() == {"made": "a"}
        assert c.get("/things/7").json() == {"n": "7"}
        refused = c.post("/things", json={"name": ""})
        assert refused.status_code == 400
        assert refused.json() == {"error": "body/name must NOT have fewer than 1 characters"}
        assert c.post("/things", content=b"not json").json() == {"error": "body must be object"}
        assert c.get("/things").status_code in (404, 405)  # only what the table declares


# -- route_table: an emulator's routes as a table, checked when the class is made ----------------------


class _Tabled(Emulator):
    provider = "tabled"
    auth_header = "X-Key"
    route_roles: ClassVar[Mapping[str, tuple[str, ...]]] = {"publish": ("POST /posts",)}
    route_table: ClassVar[Mapping[str, str]] = {
        "POST /posts": "create",
        "GET /posts/{post_id}": "read",
        "DELETE /posts/{post_id}": "delete",
    }

    async def create(self, request: Request) -> Response:
        return self.json({"made": True}, 201)

    async def read(self, request: Request) -> Response:
        return self.json({"id": request.path_params["post_id"]})

    async def delete(self, request: Request) -> Response:
        raise Rejected(409, "cannot delete " + request.path_params["post_id"])


def test_a_route_table_serves_its_methods_refusals_and_the_publish_role() -> None:
    emulator = _Tabled()
    assert emulator.publish_routes == ("POST /posts",)  # the publish role, unless named apart
    headers = {"X-Key": emulator.api_key}

    async def calls() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=emulator.app())
        async with httpx.AsyncClient(transport=transport, base_url="http://e") as client:
            return [
                await client.post("/posts", headers=headers),
                await client.get("/posts/p1", headers=headers),
                await client.delete("/posts/p1", headers=headers),
                await client.put("/posts/p1", headers=headers),
                await client.get("/posts/p1"),
            ]

    made, read, refused, wrong_method, no_key = asyncio.run(calls())
    assert (made.status_code, made.json()) == (201, {"made": True})
    assert read.json() == {"id": "p1"}
    assert (refused.status_code, refused.json()) == (409, {"error": "cannot delete p1"})
    assert wrong_method.status_code == 405
    assert no_key.status_code == 401


def test_what_a_route_table_names_is_checked_when_the_class_is_made() -> None:
    with pytest.raises(TypeError, match=r"Broken.route_table\['POST /posts'\].*handler"):

        class Broken(Emulator):
            provider = "broken"
            auth_header = "X-Key"
            route_table: ClassVar[Mapping[str, str]] = {"POST /posts": "nowhere"}

    with pytest.raises(TypeError, match=r"Spelled.route_table\['post posts'\]"):

        class Spelled(_Tabled):
            route_table: ClassVar[Mapping[str, str]] = {"post posts": "create"}

    class Bare(Emulator):
        provider = "bare"
        auth_header = "X-Key"

    with pytest.raises(NotImplementedError):
        Bare().routes()


# -- linking: declared once, it approves and serves its pages ------------------------------------------


class _Linked(Emulator):
    """An emulator whose vendor links by OAuth: ``linking`` set, no ``approve`` or ``routes`` written."""

    provider = "linked"
    auth_header = "X-Key"
    public_paths = frozenset({"/_sandbox/oauth/*"})
    route_table: ClassVar[Mapping[str, str]] = {"GET /connect/{platform}": "connect"}

    def __init__(self) -> None:
        from postmux.sandbox.oauth import OAuthLinks

        self.linking: OAuthLinks = OAuthLinks(self, id_prefix="acc_")
        super().__init__()

    async def connect(self, request: Request) -> Response:
        return self.json({"url": self.linking.url(request.path_params["platform"])})


def test_a_declared_linking_approves_its_links_and_serves_its_consent_page() -> None:
    from postmux import ConnectStart
    from postmux.sandbox.qr import QRLogins

    emulator = _Linked()
    transport = InProcessTransport(lambda: {"linked.test": emulator.app()})
    emulator.base_url = "http://linked.test"
    with httpx.Client(transport=transport, base_url="http://linked.test") as c:
        first = c.get("/connect/tiktok", headers={"X-Key": emulator.api_key}).json()["url"]
        approved = emulator.approve(ConnectStart(platform="tiktok", url=first), "me")
        assert approved is not None
        assert (approved.username, approved.id[:4]) == ("me", "acc_")
        second = c.get("/connect/instagram", headers={"X-Key": emulator.api_key}).json()["url"]
        page = c.get(second.removeprefix("http://linked.test"))  # the consent page, served by linking
        assert page.status_code == 200
        assert "linked instagram account @sandbox_instagram_1" in page.text
    assert emulator.approve(ConnectStart(platform="tiktok", url="https://elsewhere/x")) is None
    qr = QRLogins(emulator, platform="tiktok", lifetime=60)
    qr.issue("T1")
    emulator.linking = qr  # type: ignore[assignment]  # QR codes: no pages of their own
    assert len(emulator.routes()) == 1
    assert emulator.approve(ConnectStart(platform="tiktok", state={"token": "T1"})) is not None
    assert _Tabled().approve(ConnectStart(platform="tiktok", state={"token": "T1"})) is None  # none declared


class _Coded(_Tabled):
    """Its error bodies show the code they were given."""

    error_codes: ClassVar[Mapping[int, str]] = {401: "access_token_invalid"}

    def error_payload(
        self, status: int, message: str, code: str | None = None, *, path: str = ""
    ) -> tuple[bytes, str]:
        return json_bytes({"code": code, "message": message}), "application/json"


def test_the_refusal_of_a_wrong_key_carries_the_vendors_401_code() -> None:
    async def refused(emulator: Emulator) -> Any:
        transport = httpx.ASGITransport(app=emulator.app())
        async with httpx.AsyncClient(transport=transport, base_url="http://e") as client:
            return (await client.get("/posts/p1", headers={"X-Key": "wrong"})).json()

    assert asyncio.run(refused(_Coded())) == {"code": "access_token_invalid", "message": "Invalid API key"}
    assert asyncio.run(refused(_Plain()))["code"] == "unauthorized"  # no 401 code of its own: the base's


class _Plain(_Coded):
    error_codes: ClassVar[Mapping[int, str]] = {}
