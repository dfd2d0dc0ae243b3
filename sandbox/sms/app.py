"""A local stand-in for frontdoor's SMS gateway (the contract is in `integrations/sms/client.py`).

It checks the bearer key, validates the phone and the template parameters, renders the Chinese
text a resident would receive, applies per-phone rate limits like real providers (carriers cap
verification messages per number), honours Idempotency-Key, and records every message. Under
`/sandbox/`, tests and developers read the messages (to get a code), reset the state, and make
the next sends fail. Phone numbers are never logged.
"""

from __future__ import annotations

import hmac
import itertools
import json
import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_API_KEY = "sandbox-sms-key"
SIGNATURE = "【区健康服务平台】"
# Carriers count verification messages per number per natural day, Beijing time.
CHINA_TZ = timezone(timedelta(hours=8))
IDEMPOTENCY_WINDOW = 24 * 3600

_PHONE = re.compile(r"\+(?:861[3-9]\d{9}|852[4-9]\d{7}|8536\d{7})")


@dataclass(frozen=True)
class Template:
    text: str
    params: dict[str, re.Pattern[str]]


TEMPLATES = {
    "verification_code": Template(
        SIGNATURE + "您的验证码是{code}，{minutes}分钟内有效。请勿告诉他人。",
        {"code": re.compile(r"\d{4,8}"), "minutes": re.compile(r"[1-9]\d{0,2}")},
    ),
}


class GatewayError(Exception):
    """Answered as ``{"error": {"code", "message"}}`` with `status`."""

    def __init__(
        self, status: int, code: str, message: str, *, retry_after: int | None = None
    ) -> None:
        super().__init__(code)
        self.status = status
        self.code = code
        self.message = message
        self.retry_after = retry_after


@dataclass
class SentSMS:
    message_id: str
    phone: str
    template: str
    params: dict[str, str]
    text: str
    sent_at: float

    def as_json(self) -> dict[str, Any]:
        return {
            "message_id": self.message_id,
            "phone": self.phone,
            "template": self.template,
            "params": self.params,
            "text": self.text,
            "sent_at": datetime.fromtimestamp(self.sent_at, CHINA_TZ).isoformat(),
        }


@dataclass
class Replay:
    body: dict[str, Any]
    message_id: str
    at: float


class FailureSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: int = Field(default=503, ge=400, le=599)
    code: str = "unavailable"
    count: int = Field(default=1, ge=1)


class ControlUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    fail_next: FailureSpec | None = None
    per_minute: int | None = Field(default=None, ge=1)
    per_day: int | None = Field(default=None, ge=1)


@dataclass
class SMSSandbox:
    """The state of the stand-in; `app.state.sms` in the app."""

    api_key: str
    clock: Callable[[], float]
    per_minute: int = 1
    per_day: int = 10
    messages: list[SentSMS] = field(default_factory=list)
    replays: dict[str, Replay] = field(default_factory=dict)
    failure: FailureSpec | None = None
    _seq: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def check_key(self, authorization: str | None) -> None:
        scheme, _, key = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(
            key.encode(), self.api_key.encode()
        ):
            raise GatewayError(401, "unauthorized", "missing or wrong API key")

    def send(self, body: dict[str, Any], idempotency_key: str | None) -> str:
        now = self.clock()
        replay = self._replay(idempotency_key, body, now)
        if replay is not None:
            return replay
        phone, template, params = _validate(body)
        self._take_failure()
        self._check_rate(phone, now)
        message = SentSMS(
            message_id=f"sms-{next(self._seq):06d}",
            phone=phone,
            template=template,
            params=params,
            text=TEMPLATES[template].text.format(**params),
            sent_at=now,
        )
        self.messages.append(message)
        if idempotency_key:
            self.replays[idempotency_key] = Replay(body, message.message_id, now)
        return message.message_id

    def _replay(self, key: str | None, body: dict[str, Any], now: float) -> str | None:
        previous = self.replays.get(key) if key else None
        if previous is None or now - previous.at > IDEMPOTENCY_WINDOW:
            return None
        if previous.body != body:
            raise GatewayError(400, "invalid_request", "Idempotency-Key reused for another body")
        return previous.message_id

    def _take_failure(self) -> None:
        failure = self.failure
        if failure is None:
            return
        failure.count -= 1
        if failure.count <= 0:
            self.failure = None
        raise GatewayError(failure.status, failure.code, "injected failure")

    def _check_rate(self, phone: str, now: float) -> None:
        sent = [m.sent_at for m in self.messages if m.phone == phone]
        recent = [t for t in sent if now - t < 60]
        if len(recent) >= self.per_minute:
            wait = math.ceil(60 - (now - min(recent)))
            raise GatewayError(
                429, "rate_limited", "too many messages this minute", retry_after=wait
            )
        today = datetime.fromtimestamp(now, CHINA_TZ).date()
        if sum(datetime.fromtimestamp(t, CHINA_TZ).date() == today for t in sent) >= self.per_day:
            midnight = datetime.combine(today + timedelta(days=1), datetime.min.time(), CHINA_TZ)
            wait = math.ceil(midnight.timestamp() - now)
            raise GatewayError(429, "rate_limited", "daily limit for this number", retry_after=wait)

    def latest_first(self, phone: str | None) -> list[dict[str, Any]]:
        wanted = _query_phone(phone) if phone else None
        return [m.as_json() for m in reversed(self.messages) if wanted in (None, m.phone)]

    def reset(self) -> None:
        self.messages.clear()
        self.replays.clear()
        self.failure = None


def _validate(body: dict[str, Any]) -> tuple[str, str, dict[str, str]]:
    phone = body.get("phone")
    if not isinstance(phone, str) or not _PHONE.fullmatch(phone):
        raise GatewayError(400, "invalid_phone", "phone must be an E.164 mobile (+86/+852/+853)")
    name = body.get("template")
    template = TEMPLATES.get(name) if isinstance(name, str) else None
    if template is None or not isinstance(name, str):
        raise GatewayError(400, "invalid_template", "unknown template")
    params = body.get("params")
    if (
        not isinstance(params, dict)
        or set(params) != set(template.params)
        or not all(
            isinstance(params[key], str) and pattern.fullmatch(params[key])
            for key, pattern in template.params.items()
        )
    ):
        raise GatewayError(400, "invalid_params", f"expected params {sorted(template.params)}")
    return phone, name, dict(params)


def _query_phone(text: str) -> str:
    """A phone from a query string, forgiving what people type into a browser's address bar."""
    phone = text.strip().replace(" ", "").replace("-", "")
    if text.startswith(" "):  # an unencoded "+" arrives as a space
        phone = "+" + phone
    if phone.isdigit() and len(phone) == 11:
        phone = "+86" + phone
    return phone


class StandInSettings(BaseSettings):
    """`python -m sandbox.sms` configuration, from the same variables as the client."""

    model_config = SettingsConfigDict(env_file=None, extra="ignore")

    sms_api_key: str = DEFAULT_API_KEY
    sms_port: int = 8083


def create_app(
    api_key: str = DEFAULT_API_KEY,
    *,
    clock: Callable[[], float] = time.time,
    per_minute: int = 1,
    per_day: int = 10,
) -> FastAPI:
    """The stand-in; `clock` lets tests move time past rate limits."""
    state = SMSSandbox(api_key=api_key, clock=clock, per_minute=per_minute, per_day=per_day)
    app = FastAPI(title="SMS gateway stand-in", docs_url="/sandbox/docs", openapi_url=None)
    app.state.sms = state

    @app.exception_handler(GatewayError)
    async def gateway_error(_request: Request, exc: GatewayError) -> Response:
        headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after is not None else None
        body = {"error": {"code": exc.code, "message": exc.message}}
        return JSONResponse(body, status_code=exc.status, headers=headers)

    @app.post("/v1/messages")
    async def send_message(request: Request) -> dict[str, Any]:
        state.check_key(request.headers.get("authorization"))
        try:
            body = json.loads(await request.body())
        except (ValueError, UnicodeDecodeError):
            raise GatewayError(400, "invalid_request", "body must be JSON") from None
        if not isinstance(body, dict):
            raise GatewayError(400, "invalid_request", "body must be a JSON object")
        return {"message_id": state.send(body, request.headers.get("idempotency-key"))}

    app.include_router(_control_router(state))
    return app


def _control_router(state: SMSSandbox) -> APIRouter:
    """What tests and developers use to look inside and steer the stand-in."""
    router = APIRouter(prefix="/sandbox")

    @router.get("/messages")
    def list_messages(phone: str | None = None) -> list[dict[str, Any]]:
        return state.latest_first(phone)

    @router.post("/reset")
    def reset() -> dict[str, Any]:
        state.reset()
        return {"ok": True}

    @router.post("/control")
    def control(update: ControlUpdate) -> dict[str, Any]:
        if update.fail_next is not None:
            state.failure = update.fail_next
        if update.per_minute is not None:
            state.per_minute = update.per_minute
        if update.per_day is not None:
            state.per_day = update.per_day
        return {"per_minute": state.per_minute, "per_day": state.per_day}

    return router
