"""Emulators and cassettes come from the same documented examples, so they cannot drift apart.

For every cassette interaction on an endpoint that creates a post or lists
accounts (and answered below 400), the documented request is replayed
against the emulator (account and media ids swapped for the sandbox's own,
times moved into the future): the emulator must accept it with the same
status, and its answer must carry every key the documented answer carries,
at every level.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
import yaml

from postmux.sandbox import Emulator, Sandbox, Timing

CASSETTES = Path(__file__).resolve().parents[2] / "cassettes"
ENDPOINTS = {
    ("POST", "/api/content/post"),
    ("GET", "/api/content/accounts"),
    ("POST", "/api/content/qr-login/request"),
    ("POST", "/api/v1/publish/tiktok"),
    ("POST", "/api/v1/publish/tiktok/carousel"),
    ("POST", "/api/v1/publish/instagram"),
    ("POST", "/api/v1/publish/instagram/carousel"),
    ("GET", "/api/v1/tiktok/accounts"),
    ("GET", "/api/v1/instagram/accounts"),
    ("POST", "/v1/posts"),
    ("POST", "/v1/posts/"),
    ("GET", "/v1/connect/integrations"),
    ("POST", "/v1/media/upload"),
}
ACCOUNT_KEYS = {"accountId": None, "tiktokAccountId": "tiktok", "instagramAccountId": "instagram"}


def _interactions() -> list[Any]:
    found = []
    for path in sorted(CASSETTES.glob("*/*.yaml")):
        for i, item in enumerate(yaml.safe_load(path.read_text()).get("interactions", [])):
            request, response = item["request"], item["response"]
            key = (request["method"], urlsplit(request["uri"]).path)
            if key in ENDPOINTS and response["status"]["code"] < 400:
                found.append(pytest.param(path.parent.name, item, id=f"{path.parent.name}/{path.stem}[{i}]"))
    return found


def _shape(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: _shape(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_shape(data[0])] if data else []
    return None


def _missing(documented: Any, emulated: Any, where: str = "") -> list[str]:
    """Keys of the documented answer that the emulator's answer lacks."""
    if isinstance(documented, dict):
        if not isinstance(emulated, dict):
            return [where or "/"]
        out = []
        for key, value in documented.items():
            if key not in emulated:
                out.append(f"{where}/{key}")
            else:
                out += _missing(value, emulated[key], f"{where}/{key}")
        return out
    if isinstance(documented, list) and documented and isinstance(emulated, list) and emulated:
        return _missing(documented[0], emulated[0], where + "[0]")
    return []


def _upload(emulator: Emulator, sandbox: Sandbox, names: list[str]) -> list[str]:
    files = [
        (f"file{i}", (n, httpx.get(sandbox.sample_url(n)).content, _mime(n))) for i, n in enumerate(names)
    ]
    answer = httpx.post(
        sandbox.url("wonda") + "/media/upload",
        files=files,
        headers={"Authorization": f"Bearer {emulator.api_key}"},
    ).json()
    return [answer["uploads"][f"file{i}"]["mediaId"] for i in range(len(names))]


def _mime(name: str) -> str:
    return "video/mp4" if name.endswith(".mp4") else "image/jpeg"


def _adapt(body: Any, emulator: Emulator, sandbox: Sandbox, platform: str | None = None) -> Any:
    """The documented body with the sandbox's accounts, media and a future time."""
    if isinstance(body, list):
        return [_adapt(v, emulator, sandbox, platform) for v in body]
    if not isinstance(body, dict):
        return body
    platform = body.get("platform", platform)
    out: dict[str, Any] = {}
    for key, value in body.items():
        if key in ACCOUNT_KEYS and isinstance(value, str):
            wanted = ACCOUNT_KEYS[key] or platform or "tiktok"
            out[key] = next(a.id for a in emulator.accounts if a.platform == wanted and a.active)
        elif key == "url" and isinstance(value, str):
            out[key] = sandbox.sample_url("clip.mp4" if value.endswith((".mp4", ".mov")) else "photo-1.jpg")
        elif key in ("scheduledAt", "scheduledFor"):
            out[key] = (sandbox.clock.datetime() + timedelta(days=1)).isoformat()
        elif key == "mediaId":
            out[key] = _upload(
                emulator, sandbox, ["photo-1.jpg" if body.get("product") == "IMAGE" else "clip.mp4"]
            )[0]
        elif key == "mediaIds":
            out[key] = _upload(emulator, sandbox, ["photo-1.jpg"] * len(value))
        else:
            out[key] = _adapt(value, emulator, sandbox, platform)
    return out


@pytest.mark.parametrize(("vendor", "interaction"), _interactions())
def test_emulator_accepts_and_answers_like_the_documented_example(vendor: str, interaction: Any) -> None:
    request, response = interaction["request"], interaction["response"]
    with Sandbox([vendor], timing=Timing.instant()) as sandbox:
        emulator = sandbox.emulator(vendor)
        path = urlsplit(request["uri"]).path
        raw = request.get("body")
        body = json.loads(raw) if raw else None
        url = sandbox.emulator(vendor).base_url + path
        query = urlsplit(request["uri"]).query
        headers = {emulator.auth_header: f"{emulator.auth_scheme} {emulator.api_key}".strip()}
        answer = httpx.request(
            request["method"],
            url + (f"?{query}" if query else ""),
            json=_adapt(body, emulator, sandbox) if body is not None else None,
            headers=headers,
        )
        assert answer.status_code == response["status"]["code"], answer.text
        documented = json.loads(response["body"]["string"])
        assert _missing(_shape(documented), _shape(answer.json())) == []


def test_there_are_cassettes_to_compare_with() -> None:
    assert len(_interactions()) >= 5
