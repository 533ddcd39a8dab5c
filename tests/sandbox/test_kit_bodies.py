"""The kit's body readers (form files, ids, strings, times, time zones) and status codes by error class."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from postmux import ConflictError, InvalidRequestError, NotFoundError, RateLimitError, ServerError
from postmux.sandbox.bodies import form_files, identifier, text, time_ahead, time_zone
from postmux.sandbox.derived import status_codes
from postmux.sandbox.kit import Rejected

NOW = datetime(2026, 6, 20, 12, 0, tzinfo=UTC)


async def _files(request: Request) -> Response:
    try:
        parts = await form_files(request, code="bad_form")
    except Rejected as exc:
        return JSONResponse({"status": exc.status, "message": exc.message, "code": exc.code}, 400)
    return JSONResponse([[p.field, p.filename, p.mime_type, p.data.decode()] for p in parts])


def _post(**kwargs: Any) -> httpx.Response:
    app = Starlette(routes=[Route("/upload", _files, methods=["POST"])])
    transport = httpx.ASGITransport(app=app)

    async def go() -> httpx.Response:
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            return await client.post("/upload", **kwargs)

    return asyncio.run(go())


def test_form_files_are_read_in_order_with_names_types_and_bytes() -> None:
    files = [("file0", ("a.jpg", b"AAA", "image/jpeg")), ("file1", ("b.mp4", b"BB", "video/mp4"))]
    answer = _post(files=files, data={"note": "x"})
    assert answer.json() == [
        ["note", "upload", "text/plain", "x"],  # a plain field is a part too, named "upload"
        ["file0", "a.jpg", "image/jpeg", "AAA"],
        ["file1", "b.mp4", "video/mp4", "BB"],
    ]


def test_a_body_that_is_not_a_form_is_refused_with_the_vendors_code() -> None:
    answer = _post(json={"file": "a.jpg"})
    assert answer.json() == {"status": 400, "message": "Expected multipart/form-data", "code": "bad_form"}


def test_text_reads_a_string_within_its_limit() -> None:
    assert text({"caption": "hi"}, "caption", 2) == "hi"
    assert text({}, "caption", 2) == ""
    assert text({"caption": None}, "caption") == ""
    with pytest.raises(Rejected, match="'caption' must be at most 2 characters"):
        text({"caption": "hey"}, "caption", 2)
    with pytest.raises(Rejected, match="'caption' must be a string") as caught:
        text({"caption": 3}, "caption")
    assert caught.value.status == 400


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (1781956800, "'at' must be an ISO 8601 string"),
        ("tomorrow", "'at' must be an ISO 8601 timestamp"),
        ("2026-06-20T13:00:00", "'at' must include a timezone offset"),
        ("2026-06-20T12:04:00Z", "'at' must be between 5 minutes and 29 days in the future"),
        ("2026-07-19T12:00:01Z", "'at' must be between 5 minutes and 29 days in the future"),
    ],
)
def test_time_ahead_refuses_what_is_not_a_time_in_the_window(value: object, message: str) -> None:
    with pytest.raises(Rejected, match=message):
        time_ahead(value, "at", NOW, timedelta(minutes=5), timedelta(days=29))


def test_time_ahead_reads_z_and_offsets_and_keeps_the_offset() -> None:
    window = (NOW, timedelta(minutes=5), timedelta(days=29))
    assert time_ahead("2026-06-20T12:05:00Z", "at", *window) == NOW + timedelta(minutes=5)
    when = time_ahead("2026-06-20T16:00:00+02:00", "at", *window)
    assert (when, when.utcoffset()) == (NOW + timedelta(hours=2), timedelta(hours=2))
    with pytest.raises(Rejected, match="between 1 hour and 2 hours"):
        time_ahead("2026-06-20T12:30:00Z", "at", NOW, timedelta(hours=1), timedelta(hours=2))


def test_time_ahead_without_a_window_takes_any_later_time_and_words_a_refusal_as_told() -> None:
    assert time_ahead("2026-06-20T12:00:01Z", "at", NOW) == NOW + timedelta(seconds=1)
    for now_or_past in ("2026-06-20T12:00:00Z", "2026-06-20T11:00:00Z"):
        with pytest.raises(Rejected, match=r"^'at' must be in the future$"):
            time_ahead(now_or_past, "at", NOW)
        with pytest.raises(Rejected, match=r"^at must be in the future$"):
            time_ahead(now_or_past, "at", NOW, refusal="{field} must be in the future")
    with pytest.raises(Rejected, match=r"^'at' must be at least 1 hour in the future$"):
        time_ahead("2026-06-20T12:30:00Z", "at", NOW, timedelta(hours=1))
    assert time_ahead("2026-07-20T12:00:00Z", "at", NOW, timedelta(hours=1)) == NOW + timedelta(days=30)
    with pytest.raises(Rejected, match=r"^no: at, 5 minutes, 29 days$"):
        time_ahead("2026-06-20T12:01:00Z", "at", NOW, *WINDOW, refusal="no: {field}, {earliest}, {latest}")


WINDOW = (timedelta(minutes=5), timedelta(days=29))


def test_time_zone_is_an_iana_name_or_the_default_else_the_vendors_refusal() -> None:
    assert time_zone({"tz": "Europe/Paris"}, "tz") == "Europe/Paris"
    assert time_zone({}, "tz") == "UTC"
    assert time_zone({}, "tz", "America/New_York") == "America/New_York"
    for bad in ("Mars/Olympus", "../etc/passwd", ""):
        with pytest.raises(Rejected, match=r"^Invalid tz: ") as caught:
            time_zone({"tz": bad}, "tz")
        assert caught.value.status == 400
    with pytest.raises(Rejected, match=r"^tz Nowhere is unknown$"):
        time_zone({"tz": "Nowhere"}, "tz", refusal="{field} {value} is unknown")


def test_identifier_is_a_non_empty_string_else_refused_in_the_vendors_words() -> None:
    assert identifier("acc_1", "accountId") == "acc_1"
    for bad in (None, "", 7, ["acc_1"]):
        with pytest.raises(Rejected, match=r"^'accountId' is required$") as caught:
            identifier(bad, "accountId")
        assert caught.value.status == 400
    with pytest.raises(Rejected, match=r"^token is required$"):
        identifier(None, "token", refusal="{field} is required")


def test_status_codes_are_the_first_code_of_the_class_each_status_is_read_as() -> None:
    classes = {
        "validation_error": InvalidRequestError,
        "bad_request": InvalidRequestError,
        "not_found": NotFoundError,
        "gone": NotFoundError,
        "conflict": ConflictError,
        "slow_down": RateLimitError,
        "oops": ServerError,
    }
    codes = status_codes(classes)
    assert codes == {
        400: "validation_error",
        404: "not_found",
        409: "conflict",
        410: "not_found",  # a 410 is read as a NotFoundError too
        422: "validation_error",
        429: "slow_down",
        500: "oops",
        502: "oops",
        503: "oops",
        504: "oops",
    }
    assert status_codes(classes, [401]) == {}  # no code of that class: the emulator sends none
