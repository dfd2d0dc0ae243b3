"""How the WeChat API client talks HTTP: JSON encoding, reading answers, retrying failures.

Shared by `client.WeChatAPIClient` and `token.AccessTokenProvider`. WeChat answers HTTP 200 with
`{"errcode": N, "errmsg": ...}` on failure; anything that is not that protocol is our bug or a
wrong base URL and fails loudly. URLs carry the access_token as a query parameter, so messages
here name the path only.
API overview: https://developers.weixin.qq.com/doc/offiaccount/Getting_Started/Overview.html
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from integrations.wechat.api.errors import UnexpectedResponse, WeChatUnavailable, error_for

JSON_CONTENT_TYPE = "application/json; charset=utf-8"

# Failures where the request never left this machine: retrying cannot send anything twice.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


@dataclass(frozen=True)
class RetryPolicy:
    """How often an idempotent call is retried after transport errors, 5xx or errcode -1."""

    retries: int = 2
    backoff: float = 0.2  # seconds before the first retry, doubled for each further one

    def delay(self, attempt: int) -> float:
        return self.backoff * 2.0**attempt


def encode_json(payload: Mapping[str, Any]) -> bytes:
    """UTF-8 JSON without \\uXXXX escapes: some WeChat APIs show escapes to users literally."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def decode_answer(response: httpx.Response) -> dict[str, Any]:
    """The JSON object of a successful answer; raises the mapped error for a non-zero errcode."""
    path = response.request.url.path
    if response.status_code != 200:
        raise UnexpectedResponse(f"{path}: HTTP {response.status_code}, not the WeChat protocol")
    try:
        data = response.json()
    except ValueError as exc:
        raise UnexpectedResponse(f"{path}: answer is not JSON") from exc
    if not isinstance(data, dict):
        raise UnexpectedResponse(f"{path}: answer is not a JSON object")
    errcode = data.get("errcode", 0)
    if not isinstance(errcode, int):
        raise UnexpectedResponse(f"{path}: errcode is not a number")
    if errcode != 0:
        raise error_for(errcode, str(data.get("errmsg", "")))
    return data


async def send(
    http: httpx.AsyncClient,
    method: str,
    path: str,
    *,
    policy: RetryPolicy,
    idempotent: bool,
    **request: Any,
) -> httpx.Response:
    """One HTTP exchange, retried on transport errors and 5xx only where that is safe.

    A non-idempotent call (a message send) is retried only when the connection was never made:
    after a timeout or a 5xx WeChat may have delivered the message, and a user must not get the
    same message twice.
    """
    attempt = 0
    while True:
        try:
            response = await http.request(method, path, **request)
        except httpx.TransportError as exc:
            if not (idempotent or isinstance(exc, _NOT_SENT)) or attempt >= policy.retries:
                raise WeChatUnavailable(f"{method} {path}: {type(exc).__name__}: {exc}") from exc
        else:
            if response.status_code < 500:
                return response
            if not idempotent or attempt >= policy.retries:
                raise WeChatUnavailable(f"{method} {path}: HTTP {response.status_code}")
        await asyncio.sleep(policy.delay(attempt))
        attempt += 1
