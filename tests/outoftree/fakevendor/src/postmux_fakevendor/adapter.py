"""FakeVendor's adapter: ``POST /v1/videos`` per target, ``GET /v1/videos/{id}``, ``GET /v1/accounts``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from postmux import (
    Account,
    AccountStatus,
    Adapter,
    Capabilities,
    InstagramOptions,
    PlatformSupport,
    Post,
    Publication,
    Route,
    Secret,
    Status,
    TikTokOptions,
)
from postmux.flow import Flow
from postmux.wire import read_json

__all__ = ["CAPABILITIES", "FakeVendorAdapter"]

CAPABILITIES = Capabilities(
    platforms={
        "tiktok": PlatformSupport(
            photos=False, target_text=True, options=frozenset({"privacy", "allow_comment", "ai_generated"})
        ),
        "instagram": PlatformSupport(photos=False, target_text=True, options=frozenset({"share_to_feed"})),
    },
)
"""Videos only, by URL, each target with its own text if it likes; a few options."""

CONFORMANCE_LIMITS = {
    "test_every_seeded_platform_is_listed_and_a_lapsed_account_is_not_active": (
        "FakeVendor unlinks an account whose token lapses, so it never lists an expired one"
    ),
}
"""What FakeVendor cannot do that its capabilities cannot say: these suite cases skip, saying why."""

_STATUSES = {"processing": Status.PROCESSING, "live": Status.PUBLISHED, "failed": Status.FAILED}


class FakeVendorAdapter(Adapter):
    """``Authorization: Token KEY``; one platform and account per request."""

    name: ClassVar[str] = "fakevendor"
    env_var: ClassVar[str] = "FAKEVENDOR_API_KEY"
    default_base_url: ClassVar[str] = "https://api.fakevendor.invalid"
    capabilities = CAPABILITIES
    conformance_limits: ClassVar[Mapping[str, str]] = CONFORMANCE_LIMITS
    poll_interval: ClassVar[float] = 3.0

    def auth_headers(self, key: Secret) -> Mapping[str, str]:
        return {"Authorization": f"Token {key.reveal()}"}

    def publish(self, post: Post, routes: Sequence[Route], media: tuple[str, ...]) -> Flow[list[Publication]]:
        (route,) = routes
        body: dict[str, Any] = {
            "network": route.platform,
            "account": route.account_id,
            "caption": route.target.text if route.target.text is not None else post.text,
            "video": media[0],
        }
        if route.platform == "tiktok":  # every option sent, unset ones as postmux's neutral defaults
            tiktok = (post.tiktok or TikTokOptions()).resolved_for(photos=False)
            body["options"] = {
                "privacy": tiktok.privacy,
                "comments": tiktok.allow_comment,
                "ai": tiktok.ai_generated,
            }
        elif route.platform == "instagram":
            body["options"] = {"feed": (post.instagram or InstagramOptions()).resolved().share_to_feed}
        response = yield self.request("POST", "/v1/videos", json=body)
        data = read_json(response, provider=self.name)
        return [self._publication(route.target, route.account_id, data)]

    def status(self, publication: Publication) -> Flow[Publication]:
        response = yield self.request("GET", f"/v1/videos/{publication.id}")
        data = read_json(response, provider=self.name)
        return self._publication(publication.target, publication.account_id, data)

    def _publication(self, target: Any, account_id: str | None, data: Mapping[str, Any]) -> Publication:
        status = _STATUSES.get(str(data.get("state")), Status.PROCESSING)
        return Publication(
            target=target,
            provider=self.name,
            status=status,
            id=str(data["id"]),
            url=data.get("link") if status is Status.PUBLISHED else None,
            error=data.get("reason") if status is Status.FAILED else None,
            account_id=account_id,
            raw=data,
        )

    def accounts(self) -> Flow[list[Account]]:
        response = yield self.request("GET", "/v1/accounts")
        data = read_json(response, provider=self.name)
        return [
            Account(
                id=str(a["id"]),
                platform=str(a["network"]),
                provider=self.name,
                username=str(a["handle"]),
                status=AccountStatus.ACTIVE,
                raw=a,
            )
            for a in data["accounts"]
        ]
