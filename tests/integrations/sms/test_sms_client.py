"""The SMS client against the stand-in (real protocol, in-process): success, error mapping,
and the retry rule: only when the request certainly did not leave, never twice an SMS."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from integrations.sms.client import SMSClient
from integrations.sms.errors import (
    SMSInvalidPhone,
    SMSRateLimited,
    SMSRejected,
    SMSUnauthorized,
    SMSUnavailable,
)
from integrations.sms.settings import SMSSettings
from sandbox.sms.app import DEFAULT_API_KEY, create_app

PHONE = "+8613812345678"
BASE_URL = "http://sms.test"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


class FlakyTransport(httpx.AsyncBaseTransport):
    """Raises `errors` one by one before passing requests on; records every request."""

    def __init__(self, inner: httpx.AsyncBaseTransport, errors: list[Exception]) -> None:
        self.inner = inner
        self.errors = errors
        self.requests: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.errors:
            raise self.errors.pop(0)
        return await self.inner.handle_async_request(request)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def app(clock: FakeClock) -> FastAPI:
    return create_app(clock=clock)


@pytest.fixture
async def control(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
        yield client


def client_for(
    app: FastAPI, key: str = DEFAULT_API_KEY, errors: list[Exception] | None = None
) -> tuple[SMSClient, FlakyTransport]:
    transport = FlakyTransport(httpx.ASGITransport(app=app), errors or [])
    return SMSClient(BASE_URL, key, transport=transport, backoff=0), transport


async def sent(control: httpx.AsyncClient) -> list[dict[str, object]]:
    messages: list[dict[str, object]] = (await control.get("/sandbox/messages")).json()
    return messages


async def test_sends_a_verification_code(app: FastAPI, control: httpx.AsyncClient) -> None:
    client, _ = client_for(app)
    async with client:
        message_id = await client.send_verification_code(PHONE, "493027", 5)
    messages = await sent(control)
    assert [m["message_id"] for m in messages] == [message_id]
    assert messages[0]["phone"] == PHONE
    assert messages[0]["params"] == {"code": "493027", "minutes": "5"}
    assert (
        messages[0]["text"] == "【区健康服务平台】您的验证码是493027，5分钟内有效。请勿告诉他人。"
    )


@pytest.mark.parametrize(
    ("key", "phone", "error"),
    [
        ("wrong-key", PHONE, SMSUnauthorized),
        (DEFAULT_API_KEY, "+8612812345678", SMSInvalidPhone),
        (DEFAULT_API_KEY, "13812345678", SMSInvalidPhone),  # not E.164
    ],
)
async def test_refusals_are_typed(app: FastAPI, key: str, phone: str, error: type) -> None:
    client, _ = client_for(app, key)
    async with client:
        with pytest.raises(error):
            await client.send_verification_code(phone, "123456", 5)


async def test_bad_params_are_a_plain_rejection(app: FastAPI) -> None:
    client, _ = client_for(app)
    async with client:
        with pytest.raises(SMSRejected) as caught:
            await client.send_verification_code(PHONE, "12ab56", 5)
    assert caught.value.code == "invalid_params"
    assert not isinstance(caught.value, SMSInvalidPhone | SMSUnauthorized)


async def test_rate_limit_carries_retry_after(app: FastAPI, clock: FakeClock) -> None:
    client, _ = client_for(app)
    async with client:
        await client.send_verification_code(PHONE, "111111", 5)
        clock.now += 15
        with pytest.raises(SMSRateLimited) as caught:
            await client.send_verification_code(PHONE, "222222", 5)
    assert caught.value.retry_after == 45


async def test_server_errors_are_not_retried(app: FastAPI, control: httpx.AsyncClient) -> None:
    await control.post("/sandbox/control", json={"fail_next": {"status": 503, "count": 5}})
    client, transport = client_for(app)
    async with client:
        with pytest.raises(SMSUnavailable):
            await client.send_verification_code(PHONE, "123456", 5)
    assert len(transport.requests) == 1


async def test_timeouts_after_sending_are_not_retried(
    app: FastAPI, control: httpx.AsyncClient
) -> None:
    client, transport = client_for(app, errors=[httpx.ReadTimeout("slow")])
    async with client:
        with pytest.raises(SMSUnavailable):
            await client.send_verification_code(PHONE, "123456", 5)
    assert len(transport.requests) == 1
    assert await sent(control) == []


async def test_connection_failures_are_retried_with_one_idempotency_key(
    app: FastAPI, control: httpx.AsyncClient
) -> None:
    errors: list[Exception] = [httpx.ConnectError("refused"), httpx.ConnectTimeout("slow")]
    client, transport = client_for(app, errors=errors)
    async with client:
        message_id = await client.send_verification_code(PHONE, "123456", 5)
    keys = {r.headers["Idempotency-Key"] for r in transport.requests}
    assert len(transport.requests) == 3 and len(keys) == 1
    assert [m["message_id"] for m in await sent(control)] == [message_id]


async def test_gives_up_when_the_gateway_stays_unreachable(app: FastAPI) -> None:
    errors: list[Exception] = [httpx.ConnectError("refused") for _ in range(3)]
    client, transport = client_for(app, errors=errors)
    async with client:
        with pytest.raises(SMSUnavailable) as caught:
            await client.send_verification_code(PHONE, "123456", 5)
    assert caught.value.code == "unreachable"
    assert len(transport.requests) == 3  # the first try and two retries


async def test_nonsense_answers_are_unavailable() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, text="<html>ok</html>")

    async with SMSClient(BASE_URL, "k", transport=httpx.MockTransport(handler)) as client:
        with pytest.raises(SMSUnavailable):
            await client.send_verification_code(PHONE, "123456", 5)


async def test_request_shape_follows_the_contract() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"message_id": "m-1"})

    transport = httpx.MockTransport(handler)
    async with SMSClient(BASE_URL + "/", "secret-key", transport=transport) as client:
        assert await client.send_verification_code(PHONE, "000123", 10) == "m-1"
    request = seen[0]
    assert request.method == "POST" and request.url == f"{BASE_URL}/v1/messages"
    assert request.headers["Authorization"] == "Bearer secret-key"
    assert request.headers["Idempotency-Key"]
    assert httpx.Response(200, content=request.content).json() == {
        "phone": PHONE,
        "template": "verification_code",
        "params": {"code": "000123", "minutes": "10"},
    }


def test_settings_refuse_the_sandbox_key_in_production(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SMS_API_KEY", "SMS_BASE_URL", "FRONTDOOR_ENV"):
        monkeypatch.delenv(name, raising=False)
    assert SMSSettings().sms_base_url == "http://127.0.0.1:8083"
    with pytest.raises(ValueError, match="SMS_API_KEY"):
        SMSSettings(frontdoor_env="production")
    settings = SMSSettings(frontdoor_env="production", sms_api_key="real-provider-key")
    assert "real-provider-key" not in repr(settings)
