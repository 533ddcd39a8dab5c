"""FakeVendor's emulator, on postmux's sandbox kit: three routes, each named for its role."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from postmux.sandbox import Emulator, Phase, SandboxAccount

__all__ = ["FakeVendorEmulator"]

STATES = {Phase.PUBLISHED: "live", Phase.FAILED: "failed"}
NEUTRAL = {"privacy": "privacy", "comments": "allow_comment", "ai": "ai_generated", "feed": "share_to_feed"}
"""FakeVendor's option names in postmux's neutral ones, for :attr:`Record.options`."""


class FakeVendorEmulator(Emulator):
    """Videos are ``processing`` for the sandbox's timing, then ``live``."""

    provider: ClassVar[str] = "fakevendor"
    auth_header: ClassVar[str] = "Authorization"
    auth_scheme: ClassVar[str] = "Token"
    route_roles: ClassVar[Mapping[str, tuple[str, ...]]] = {
        "publish": ("POST /v1/videos",),
        "status": ("GET /v1/videos/*",),
        "accounts": ("GET /v1/accounts",),
    }
    publish_routes: ClassVar[tuple[str, ...]] = route_roles["publish"]

    def seed_accounts(self) -> Sequence[SandboxAccount]:
        return [
            SandboxAccount(id=self.new_id("acc_"), platform=p, username=f"sandbox_{p}", display_name=p)
            for p in ("tiktok", "instagram")
        ]

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/v1/videos", self.create, methods=["POST"]),
            Route("/v1/videos/{video_id}", self.get, methods=["GET"]),
            Route("/v1/accounts", self.list_accounts, methods=["GET"]),
        ]

    async def create(self, request: Request) -> Response:
        body = await self.body(request)
        if not isinstance(body, dict):
            return self.error(400, "a JSON object is needed")
        account = self.account(str(body.get("account")))
        if account is None or account.platform != body.get("network"):
            return self.error(404, "no such account on that network")
        sent = body.get("options")
        options = {NEUTRAL[k]: v for k, v in sent.items() if k in NEUTRAL} if isinstance(sent, dict) else {}
        record = self.new_record(
            request,
            id=self.new_id("vid_"),
            account_id=account.id,
            platform=account.platform,
            kind="video",
            text=str(body.get("caption", "")),
            media=(str(body.get("video")),),
            url=f"https://{account.platform}.example/{account.username}/{self.digits(12)}",
            options=options,
        )
        return self.json(self._video(record.id), status=201)

    async def get(self, request: Request) -> Response:
        if self.records.get(request.path_params["video_id"]) is None:
            return self.error(404, "no such video")
        return self.json(self._video(request.path_params["video_id"]))

    def _video(self, video_id: str) -> dict[str, Any]:
        record = self.records.get(video_id)
        assert record is not None
        phase = self.phase(record)
        return {
            "id": record.id,
            "state": STATES.get(phase, "processing"),
            "link": record.url if phase is Phase.PUBLISHED else None,
            "reason": record.fail_reason,
        }

    async def list_accounts(self, request: Request) -> Response:
        with self.lock:
            accounts = list(self.accounts)
        return self.json(
            {"accounts": [{"id": a.id, "network": a.platform, "handle": a.username} for a in accounts]}
        )
