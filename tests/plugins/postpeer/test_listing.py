"""PostPeer's list endpoints in the emulator take the filters PostPeer's OpenAPI defines.

``GET /v1/posts``: ``status``, ``platform`` (repeatable, OR), ``profileId``,
``createdAfter``/``createdBefore``, ``scheduledAfter``/``scheduledBefore``,
``limit`` (1–100), ``offset``, ``sort``. ``GET /v1/connect/integrations``:
``platform``, ``profileId``, ``q``, ``limit``, ``offset``, ``sort``.
``GET /v1/posts/scheduled``: ``limit``, ``offset``, ``sort``. A value the spec
does not allow is a 400 in the route's error shape (``{"success": false, "message": …}``
for posts, ``{"error": …}`` under ``/v1/connect``).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from postmux.sandbox import Sandbox, Timing


@pytest.fixture
def sandbox() -> Sandbox:
    return Sandbox(["postpeer"], timing=Timing.instant())


@pytest.fixture
def client(sandbox: Sandbox) -> Iterator[httpx.Client]:
    headers = {"x-access-key": sandbox.key("postpeer")}
    with httpx.Client(
        transport=sandbox.transport("postpeer"), base_url=sandbox.url("postpeer"), headers=headers
    ) as c:
        yield c


def _account(sandbox: Sandbox, platform: str) -> str:
    return next(a.id for a in sandbox.emulator("postpeer").accounts if a.platform == platform and a.active)


def _create(sandbox: Sandbox, client: httpx.Client, platforms: list[str], **more: Any) -> str:
    body = {
        "content": "listed",
        "platforms": [{"platform": p, "accountId": _account(sandbox, p)} for p in platforms],
        "mediaItems": [{"type": "video", "url": sandbox.sample_url("clip.mp4")}],
        **({"publishNow": True} if "scheduledFor" not in more else {}),
        **more,
    }
    answer = client.post("/v1/posts", json=body)
    assert answer.status_code == 202, answer.text
    return str(answer.json()["postId"])


def _ids(client: httpx.Client, path: str = "/v1/posts", **params: Any) -> list[str]:
    answer = client.get(path, params=params)
    assert answer.status_code == 200, answer.text
    data = answer.json()
    assert set(data) == {"success", "total", "posts"}
    return [p["postId"] for p in data["posts"]]


def _at(sandbox: Sandbox, seconds: float = 0) -> str:
    return (sandbox.clock.datetime() + timedelta(seconds=seconds)).isoformat()


def test_created_after_and_before_bound_the_creation_time(sandbox: Sandbox, client: httpx.Client) -> None:
    first = _create(sandbox, client, ["tiktok"])
    sandbox.advance(3600)
    middle = _at(sandbox)
    sandbox.advance(1)
    second = _create(sandbox, client, ["instagram"])
    assert _ids(client) == [first, second]
    assert _ids(client, createdAfter=middle) == [second]
    assert _ids(client, createdBefore=middle) == [first]
    assert _ids(client, createdAfter=_at(sandbox, -7200), createdBefore=_at(sandbox, 60)) == [first, second]
    assert _ids(client, createdAfter=middle.replace("+00:00", "Z")) == [second]  # Z is an offset too


def test_platform_is_repeatable_and_ors(sandbox: Sandbox, client: httpx.Client) -> None:
    tiktok = _create(sandbox, client, ["tiktok"])
    instagram = _create(sandbox, client, ["instagram"])
    both = _create(sandbox, client, ["tiktok", "instagram"])
    threads = _create(sandbox, client, ["threads"])
    assert _ids(client, platform="tiktok") == [tiktok, both]
    assert _ids(client, platform=["instagram", "threads"]) == [instagram, both, threads]
    assert _ids(client, platform="youtube") == []


def test_status_and_scheduled_bounds(sandbox: Sandbox, client: httpx.Client) -> None:
    now = _create(sandbox, client, ["tiktok"])
    when = sandbox.clock.datetime() + timedelta(days=2)
    later = _create(sandbox, client, ["tiktok"], scheduledFor=when.isoformat(), timezone="UTC")
    assert _ids(client, status="scheduled") == [later]
    assert _ids(client, status="published") == [now]
    assert _ids(client, status="failed") == []
    assert _ids(client, scheduledAfter=_at(sandbox, 86400)) == [later]  # unscheduled posts are not in range
    assert _ids(client, scheduledBefore=_at(sandbox, 86400)) == []
    assert _ids(client, scheduledBefore=(when + timedelta(minutes=1)).isoformat()) == [later]


def test_profile_id_filters_by_the_integrations_profile(sandbox: Sandbox, client: httpx.Client) -> None:
    post = _create(sandbox, client, ["tiktok"])
    profile = client.get("/v1/connect/integrations").json()["integrations"][0]["profileId"]
    assert _ids(client, profileId=profile) == [post]
    assert _ids(client, profileId="null") == []  # posts whose integrations have no profile
    assert _ids(client, profileId="profile_other") == []


def test_limit_offset_total_and_sort(sandbox: Sandbox, client: httpx.Client) -> None:
    made = [_create(sandbox, client, ["tiktok"]) for _ in range(5)]
    answer = client.get("/v1/posts", params={"limit": 2, "offset": 1}).json()
    assert answer["total"] == 5
    assert [p["postId"] for p in answer["posts"]] == made[1:3]
    assert _ids(client, limit=2, offset=4) == made[4:]
    assert _ids(client, offset=9) == []
    assert _ids(client, sort="desc") == made[::-1]
    assert _ids(client, sort="asc") == made
    assert client.get("/v1/posts", params={"limit": 1, "platform": "tiktok"}).json()["total"] == 5


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"limit": 0}, "querystring/limit must be >= 1"),
        ({"limit": 101}, "querystring/limit must be <= 100"),
        ({"limit": "ten"}, "querystring/limit must be integer"),
        ({"offset": -1}, "querystring/offset must be >= 0"),
        ({"status": "live"}, "querystring/status must be equal to one of the allowed values"),
        (
            {"platform": ["tiktok", "myspace"]},
            "querystring/platform must be equal to one of the allowed values",
        ),
        ({"sort": "newest"}, "querystring/sort must be equal to one of the allowed values"),
        ({"createdAfter": "yesterday"}, 'querystring/createdAfter must match format "date-time"'),
        (
            {"scheduledBefore": "2026-01-01T00:00:00"},
            'querystring/scheduledBefore must match format "date-time"',
        ),
    ],
)
def test_values_the_spec_does_not_allow_are_400s(
    client: httpx.Client, params: dict[str, Any], message: str
) -> None:
    answer = client.get("/v1/posts", params=params)
    assert answer.status_code == 400
    assert answer.json() == {"success": False, "message": message}


def test_the_scheduled_list_pages_and_sorts(sandbox: Sandbox, client: httpx.Client) -> None:
    base = sandbox.clock.datetime()
    made = [
        _create(
            sandbox, client, ["tiktok"], scheduledFor=(base + timedelta(days=d)).isoformat(), timezone="UTC"
        )
        for d in (3, 1, 2)
    ]
    by_time = [made[1], made[2], made[0]]
    assert _ids(client, "/v1/posts/scheduled") == by_time
    assert _ids(client, "/v1/posts/scheduled", sort="desc") == by_time[::-1]
    assert _ids(client, "/v1/posts/scheduled", limit=1, offset=1) == by_time[1:2]
    assert client.get("/v1/posts/scheduled", params={"limit": 500}).status_code == 400
    assert client.get("/v1/posts/scheduled", params={"sort": "up"}).status_code == 400


def _integrations(client: httpx.Client, **params: Any) -> list[dict[str, Any]]:
    answer = client.get("/v1/connect/integrations", params=params)
    assert answer.status_code == 200, answer.text
    data = answer.json()
    assert data["total"] >= len(data["integrations"])
    return list(data["integrations"])


def test_integrations_take_platform_q_profile_and_a_page(sandbox: Sandbox, client: httpx.Client) -> None:
    every = _integrations(client)
    assert {i["platform"] for i in _integrations(client, platform="tiktok")} == {"tiktok"}
    (found,) = _integrations(client, q="SANDBOX_THREADS")  # case-insensitive, on the username
    assert found["platform"] == "threads"
    by_name = _integrations(client, q=found["displayName"][-5:].lower())
    assert found["id"] in {i["id"] for i in by_name}
    assert [i["id"] for i in _integrations(client, q=found["id"])] == [found["id"]]  # a complete id matches
    by_user_id = _integrations(client, q=found["platformUserId"])
    assert found["id"] in {i["id"] for i in by_user_id}
    assert {i["platformUserId"] for i in by_user_id} == {found["platformUserId"]}
    assert _integrations(client, q="nobody-here") == []
    assert len(_integrations(client, profileId=every[0]["profileId"])) == len(every)
    assert _integrations(client, profileId="null") == []
    assert [i["id"] for i in _integrations(client, sort="desc")] == [i["id"] for i in every][::-1]
    assert [i["id"] for i in _integrations(client, limit=2, offset=1)] == [i["id"] for i in every][1:3]
    for bad in ({"platform": "myspace"}, {"limit": 0}, {"sort": "x"}):
        answer = client.get("/v1/connect/integrations", params=bad)
        assert answer.status_code == 400
        assert "querystring/" in answer.json()["error"]  # /v1/connect errors are {"error": …}


def test_the_adapter_still_reads_every_page(sandbox: Sandbox) -> None:
    """The plugin pages through ``total``: more posts than one page are all listed."""
    pub = sandbox.publisher("postpeer")
    account = _account(sandbox, "tiktok")
    from postmux import Post, Target

    when = datetime.now(sandbox.clock.datetime().tzinfo) + timedelta(days=1)
    for _ in range(3):
        pub.publish(
            Post(
                text="x",
                media=[sandbox.sample_url("clip.mp4")],
                targets=[Target("tiktok", account)],
                schedule_at=when,
            )
        )
    assert len(pub.scheduled()) == 3
