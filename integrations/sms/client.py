"""Async client for frontdoor's SMS gateway contract.

China has no single SMS API, so frontdoor defines its own; a production deployment puts an
adapter for its provider behind it, and `sandbox/sms` implements it locally.

    POST {SMS_BASE_URL}/v1/messages
    Authorization: Bearer {SMS_API_KEY}
    Idempotency-Key: <opaque, optional>   # the same key again returns the first answer and
                                          # sends nothing new (kept at least 24 hours)
    {"phone": "+8613812345678",           # E.164: mainland, Hong Kong or Macau mobile
     "template": "verification_code",
     "params": {"code": "123456", "minutes": "5"}}

    200 {"message_id": "..."}             # accepted for delivery
    4xx {"error": {"code": "...", "message": "..."}}
        400 invalid_phone | invalid_template | invalid_params | invalid_request
        401 unauthorized
        429 rate_limited, with a Retry-After header (seconds)
    5xx: the gateway failed; the message may or may not have gone out.

Templates: ``verification_code`` (params ``code``, ``minutes``). The gateway owns the wording
and the signature (【…】) because providers must register both with the carriers.

A resident must never get the same code twice because of us, so a send is retried only when the
request certainly did not leave (the connection could not be opened), always with the same
Idempotency-Key. Phone numbers and codes are never logged.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from types import TracebackType
from typing import Any

import httpx

from integrations.sms.errors import (
    SMSError,
    SMSInvalidPhone,
    SMSRateLimited,
    SMSRejected,
    SMSUnauthorized,
    SMSUnavailable,
)

logger = logging.getLogger(__name__)

VERIFICATION_TEMPLATE = "verification_code"
# Failures that happen before any byte of the request is sent.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


class SMSClient:
    """Sends templated text messages through the gateway at `base_url`."""

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        timeout: float = 5.0,
        retries: int = 2,
        backoff: float = 0.2,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._retries = retries
        self._backoff = backoff
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip("/") + "/",
            timeout=httpx.Timeout(timeout),
            headers={"Authorization": f"Bearer {api_key}", "Accept": "application/json"},
            transport=transport,
        )

    async def __aenter__(self) -> SMSClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def send_verification_code(self, phone_e164: str, code: str, minutes: int) -> str:
        """Send a one-time code valid for `minutes`; returns the gateway's message id."""
        params = {"code": code, "minutes": str(minutes)}
        return await self.send(phone_e164, VERIFICATION_TEMPLATE, params)

    async def send(self, phone_e164: str, template: str, params: dict[str, str]) -> str:
        body = {"phone": phone_e164, "template": template, "params": params}
        headers = {"Idempotency-Key": uuid.uuid4().hex}
        response = await self._post(body, headers)
        message_id = _json(response).get("message_id")
        if response.status_code != 200 or not isinstance(message_id, str) or not message_id:
            raise _error_from(response)
        logger.info("SMS %s accepted as %s", template, message_id)
        return message_id

    async def _post(self, body: dict[str, Any], headers: dict[str, str]) -> httpx.Response:
        last: Exception | None = None
        for attempt in range(self._retries + 1):
            if attempt:
                await asyncio.sleep(self._backoff * 2 ** (attempt - 1))
            try:
                return await self._http.post("v1/messages", json=body, headers=headers)
            except _NOT_SENT as exc:
                logger.warning(
                    "SMS gateway unreachable (%s), attempt %d", type(exc).__name__, attempt + 1
                )
                last = exc
            except httpx.HTTPError as exc:
                # The request may have reached the gateway: sending again could mean two SMS.
                raise SMSUnavailable("transport_error", type(exc).__name__) from exc
        raise SMSUnavailable("unreachable", type(last).__name__) from last


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _error_from(response: httpx.Response) -> SMSError:
    status = response.status_code
    error = _json(response).get("error")
    code = str(error.get("code", "")) if isinstance(error, dict) else ""
    message = str(error.get("message", "")) if isinstance(error, dict) else ""
    if status >= 500 or status < 400:
        return SMSUnavailable(code or f"http_{status}", message)
    if status == 401 or code == "unauthorized":
        return SMSUnauthorized(code or "unauthorized", message)
    if status == 429 or code == "rate_limited":
        return SMSRateLimited(code or "rate_limited", message, _retry_after(response))
    if code == "invalid_phone":
        return SMSInvalidPhone(code, message)
    return SMSRejected(code or f"http_{status}", message)


def _retry_after(response: httpx.Response) -> float | None:
    try:
        return float(response.headers["Retry-After"])
    except (KeyError, ValueError):
        return None
