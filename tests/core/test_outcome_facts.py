"""Every error a publish meets leaves its facts on its publication (issue 10).

Status code and vendor code for every HTTP error, 5xx and 401 included; a
``503`` with ``Retry-After`` that outlasts the retries is ``failed`` like a
``429`` (the vendor said it did nothing), a bare ``503`` stays ``unknown``.
"""

from __future__ import annotations

import httpx
import pytest

import postmux
from postmux import Publication, Status
from postmux.results import error_facts

from .fakes import Vendor, video_post
from .test_publisher import amake, by_account, make

ANSWERS: dict[str, httpx.Response | Exception] = {
    "a401": httpx.Response(401, json={"message": "bad key", "code": "unauthorized"}),
    "a500": httpx.Response(500, json={"message": "internal", "code": "boom"}),
    "a503ra": httpx.Response(503, headers={"Retry-After": "1"}, json={"message": "down", "code": "maint"}),
    "a503": httpx.Response(503, json={"message": "down"}),
    "a429": httpx.Response(429, headers={"Retry-After": "1"}, json={"message": "slow"}),
    "a422": httpx.Response(422, json={"message": "caption refused", "code": "bad_caption"}),
    "net": httpx.ReadTimeout("read timed out"),
}
EXPECTED = {
    "a401": (Status.FAILED, 401, "unauthorized", postmux.AuthenticationError),
    "a500": (Status.UNKNOWN, 500, "boom", postmux.ServerError),
    "a503ra": (Status.FAILED, 503, "maint", postmux.ServerError),
    "a503": (Status.UNKNOWN, 503, None, postmux.ServerError),
    "a429": (Status.FAILED, 429, None, postmux.RateLimitError),
    "a422": (Status.FAILED, 422, "bad_caption", postmux.InvalidRequestError),
    "net": (Status.UNKNOWN, None, None, postmux.TransportError),
}
TARGETS = [f"tiktok:{name}" for name in ANSWERS]


def check(results: tuple[Publication, ...]) -> None:
    for p in results:
        status, code, vendor_code, cls = EXPECTED[p.target.account]
        assert (p.target.account, p.status, p.status_code, p.error_code) == (
            p.target.account,
            status,
            code,
            vendor_code,
        )
        assert isinstance(p.exception, cls)
        back = Publication.from_dict(p.to_dict())
        assert (back.status_code, back.error_code) == (code, vendor_code)


def test_every_error_leaves_its_facts() -> None:
    vendor = Vendor({"POST /posts": by_account(ANSWERS)})
    with make(vendor, retry=postmux.RetryPolicy(max_retries=1, jitter=0)) as pub:
        check(pub.publish(video_post(*TARGETS)).results)
    # 503 + Retry-After and 429 were retried (the vendor said it did nothing), the rest not
    assert vendor.count("POST /posts") == len(TARGETS) + 2


async def test_async_every_error_leaves_its_facts() -> None:
    vendor = Vendor({"POST /posts": by_account(ANSWERS)})
    async with amake(vendor, retry=postmux.RetryPolicy(max_retries=1, jitter=0)) as pub:
        check((await pub.publish(video_post(*TARGETS))).results)


def test_error_facts_reads_a_request_id_where_an_error_has_one() -> None:
    exc = postmux.ServerError("down", provider="x", status_code=502, code="gw")
    exc.request_id = "req-7"
    assert error_facts(exc) == {"status_code": 502, "error_code": "gw", "request_id": "req-7"}
    assert error_facts(postmux.TransportError("x", request_sent=True)) == {
        "status_code": None,
        "error_code": None,
        "request_id": None,
    }


@pytest.mark.parametrize("hint", [None, 2.0])
def test_a_503_knows_whether_it_said_nothing_was_done(hint: float | None) -> None:
    exc = postmux.errors.error_for_status(503, "down", provider="x", retry_after=hint)
    assert isinstance(exc, postmux.ServerError)
    assert exc.nothing_done is (hint is not None)
