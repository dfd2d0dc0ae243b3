"""The SMS gateway stand-in: bearer key, validation, Chinese text, per-phone limits,
Idempotency-Key, and the /sandbox/ controls. Time is a fake clock, so nothing here waits."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest

from sandbox.sms.app import DEFAULT_API_KEY, StandInSettings, create_app

PHONE = "+8613812345678"
AUTH = {"Authorization": f"Bearer {DEFAULT_API_KEY}"}
BEIJING = timezone(timedelta(hours=8))


class FakeClock:
    def __init__(self) -> None:
        # 10:00 in Beijing, so a day's limit test can cross midnight on purpose.
        self.now = datetime(2026, 11, 23, 10, 0, tzinfo=BEIJING).timestamp()

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def api(clock: FakeClock) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(clock=clock))
    async with httpx.AsyncClient(transport=transport, base_url="http://sms.test") as client:
        yield client


def body(phone: str = PHONE, code: str = "123456", **changes: Any) -> dict[str, Any]:
    message = {
        "phone": phone,
        "template": "verification_code",
        "params": {"code": code, "minutes": "5"},
    }
    message.update(changes)
    return message


async def send(api: httpx.AsyncClient, payload: Any = None, **headers: str) -> httpx.Response:
    return await api.post("/v1/messages", json=payload or body(), headers={**AUTH, **headers})


def error_code(response: httpx.Response) -> str:
    code: str = response.json()["error"]["code"]
    return code


async def test_send_renders_and_records(api: httpx.AsyncClient) -> None:
    response = await send(api)
    assert response.status_code == 200
    message_id = response.json()["message_id"]
    messages = (await api.get("/sandbox/messages", params={"phone": PHONE})).json()
    assert len(messages) == 1
    assert messages[0]["message_id"] == message_id
    assert (
        messages[0]["text"] == "【区健康服务平台】您的验证码是123456，5分钟内有效。请勿告诉他人。"
    )
    assert messages[0]["sent_at"] == "2026-11-23T10:00:00+08:00"


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer nope"}, {"Authorization": DEFAULT_API_KEY}],
)
async def test_bearer_key_is_required(api: httpx.AsyncClient, headers: dict[str, str]) -> None:
    response = await api.post("/v1/messages", json=body(), headers=headers)
    assert response.status_code == 401
    assert error_code(response) == "unauthorized"
    assert (await api.get("/sandbox/messages")).json() == []


@pytest.mark.parametrize("phone", ["+8613812345678", "+85251234567", "+85366123456"])
async def test_accepted_phones(api: httpx.AsyncClient, phone: str) -> None:
    assert (await send(api, body(phone))).status_code == 200


@pytest.mark.parametrize(
    "phone",
    ["13812345678", "+8612812345678", "+852 51234567", "+85221234567", "+85326123456", 123],
)
async def test_refused_phones(api: httpx.AsyncClient, phone: Any) -> None:
    response = await send(api, body(phone))
    assert response.status_code == 400
    assert error_code(response) == "invalid_phone"


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        (body(template="marketing"), "invalid_template"),
        (body(params={"code": "123456"}), "invalid_params"),
        (body(params={"code": "123456", "minutes": "5", "x": "1"}), "invalid_params"),
        (body(code="12ab56"), "invalid_params"),
        (body(params={"code": 123456, "minutes": "5"}), "invalid_params"),
        ([1, 2, 3], "invalid_request"),
    ],
)
async def test_invalid_requests(api: httpx.AsyncClient, payload: Any, code: str) -> None:
    response = await send(api, payload)
    assert response.status_code == 400
    assert error_code(response) == code


async def test_non_json_body(api: httpx.AsyncClient) -> None:
    response = await api.post("/v1/messages", content=b"not json", headers=AUTH)
    assert response.status_code == 400 and error_code(response) == "invalid_request"


async def test_one_message_a_minute_per_phone(api: httpx.AsyncClient, clock: FakeClock) -> None:
    assert (await send(api)).status_code == 200
    clock.now += 20
    limited = await send(api, body(code="222222"))
    assert limited.status_code == 429
    assert error_code(limited) == "rate_limited"
    assert limited.headers["Retry-After"] == "40"
    assert (await send(api, body("+8613900000000"))).status_code == 200  # other phones are free
    clock.now += 40
    assert (await send(api, body(code="333333"))).status_code == 200


async def test_ten_messages_a_day_per_phone(api: httpx.AsyncClient, clock: FakeClock) -> None:
    for _ in range(10):
        assert (await send(api)).status_code == 200
        clock.now += 61
    limited = await send(api)
    assert limited.status_code == 429
    midnight = datetime(2026, 11, 24, tzinfo=BEIJING).timestamp()
    assert int(limited.headers["Retry-After"]) == int(midnight - clock.now)
    clock.now = midnight
    assert (await send(api)).status_code == 200


async def test_idempotency_key_replays_without_sending(api: httpx.AsyncClient) -> None:
    first = await send(api, body(), **{"Idempotency-Key": "k1"})
    again = await send(api, body(), **{"Idempotency-Key": "k1"})
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    assert len((await api.get("/sandbox/messages")).json()) == 1
    conflict = await send(api, body(code="999999"), **{"Idempotency-Key": "k1"})
    assert conflict.status_code == 400


async def test_messages_latest_first_filtered_and_reset(
    api: httpx.AsyncClient, clock: FakeClock
) -> None:
    await send(api, body(code="111111"))
    await send(api, body("+85251234567", code="222222"))
    clock.now += 61
    await send(api, body(code="333333"))
    everything = (await api.get("/sandbox/messages")).json()
    assert [m["params"]["code"] for m in everything] == ["333333", "222222", "111111"]
    # "+" arrives as a space when typed unencoded; a national number also finds the phone.
    for query in ("+8613812345678", " 8613812345678", "13812345678", "138-1234-5678"):
        found = (await api.get("/sandbox/messages", params={"phone": query})).json()
        assert [m["params"]["code"] for m in found] == ["333333", "111111"], query
    assert (await api.post("/sandbox/reset")).json() == {"ok": True}
    assert (await api.get("/sandbox/messages")).json() == []
    assert (await send(api)).status_code == 200  # the limits were reset too


async def test_injected_failures(api: httpx.AsyncClient) -> None:
    control = {"fail_next": {"status": 503, "code": "unavailable", "count": 2}}
    assert (await api.post("/sandbox/control", json=control)).status_code == 200
    assert (await send(api)).status_code == 503
    assert (await send(api)).status_code == 503
    assert (await send(api)).status_code == 200
    assert len((await api.get("/sandbox/messages")).json()) == 1


async def test_limits_can_be_changed(api: httpx.AsyncClient) -> None:
    answer = await api.post("/sandbox/control", json={"per_minute": 3})
    assert answer.json() == {"per_minute": 3, "per_day": 10}
    for code in ("111111", "222222", "333333"):
        assert (await send(api, body(code=code))).status_code == 200
    assert (await send(api)).status_code == 429


def test_settings_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SMS_API_KEY", "SMS_PORT"):
        monkeypatch.delenv(name, raising=False)
    assert (StandInSettings().sms_port, StandInSettings().sms_api_key) == (8083, DEFAULT_API_KEY)
    monkeypatch.setenv("SMS_PORT", "9093")
    assert StandInSettings().sms_port == 9093
