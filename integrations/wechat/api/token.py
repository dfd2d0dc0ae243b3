"""The account's access_token, shared by every gateway process through the state store.

Every WeChat API call needs the access_token (7200 s). Each process fetching its own would burn
the daily quota and, with getAccessToken, invalidate the others' tokens; so one token lives in the
shared store, fetched with getStableAccessToken (the same token while it is valid) by whichever
process holds a short lock, while the others wait for it to appear. A token WeChat rejects is
replaced once, however many processes saw it fail.
https://developers.weixin.qq.com/doc/service/api/base/api_getstableaccesstoken.html
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from integrations.wechat.api.errors import (
    SystemBusy,
    UnexpectedResponse,
    WeChatAPIError,
    WeChatUnavailable,
    error_for,
)
from integrations.wechat.api.protocol import (
    JSON_CONTENT_TYPE,
    RetryPolicy,
    decode_answer,
    encode_json,
    send,
)
from integrations.wechat.state import Store

logger = logging.getLogger(__name__)

STABLE_TOKEN_PATH = "/cgi-bin/stable_token"


@dataclass(frozen=True)
class CachedToken:
    value: str
    expires_at: float  # by `clock`, which every process shares (wall time by default)

    def dumps(self) -> str:
        return json.dumps({"access_token": self.value, "expires_at": self.expires_at})

    @classmethod
    def loads(cls, raw: str) -> CachedToken | None:
        try:
            data = json.loads(raw)
            return cls(str(data["access_token"]), float(data["expires_at"]))
        except (ValueError, TypeError, KeyError):
            return None  # written by an older version: fetch anew rather than fail


class AccessTokenProvider:
    """Hands out the account's current access_token, fetching it at most once for all processes.

    `clock` dates tokens (expiry and the safety margin); tests pass a fake one to move time.
    Waiting for another process's refresh is measured on the event loop's own clock.
    """

    def __init__(
        self,
        store: Store,
        http: httpx.AsyncClient,
        app_id: str,
        app_secret: str,
        *,
        clock: Callable[[], float] = time.time,
        safety_margin: float = 300.0,
        lock_ttl: float = 30.0,
        wait_timeout: float = 35.0,
        poll_interval: float = 0.05,
        failure_ttl: float = 10.0,
        retry: RetryPolicy | None = None,
    ) -> None:
        self._store = store
        self._http = http
        self._app_id = app_id
        self._app_secret = app_secret
        self._clock = clock
        # WeChat hands out the next token in the last 5 minutes of the current one's life and
        # keeps both valid meanwhile, so refreshing 5 minutes early never uses a dying token.
        self._margin = safety_margin
        # Longer than a fetch can take (about 20 s with a 5 s timeout and the default retries),
        # so a live holder keeps it; a crashed holder delays the others by at most this much.
        self._lock_ttl = lock_ttl
        self._wait_timeout = wait_timeout
        self._poll_interval = poll_interval
        self._failure_ttl = failure_ttl
        self._retry = retry or RetryPolicy()
        self._token_key = f"wechat:access_token:{app_id}"
        self._lock_key = f"wechat:access_token:{app_id}:lock"
        self._failure_key = f"wechat:access_token:{app_id}:failure"
        # Coroutines of this process queue here, so only one of them polls the shared lock.
        self._local = asyncio.Lock()

    async def get(self) -> str:
        """The current token, from the store, or fetched if nobody has one."""
        token = await self._cached(rejected=None)
        if token is not None:
            return token
        async with self._local:
            return await self._obtain(rejected=None)

    async def invalidate(self, token: str) -> str:
        """Replace `token`, which WeChat has just rejected, and return its successor.

        When several processes see the same token fail at once, the first to take the lock
        replaces it and the others find the successor already in the store.
        """
        async with self._local:
            return await self._obtain(rejected=token)

    async def _cached(self, rejected: str | None) -> str | None:
        raw = await self._store.get(self._token_key)
        cached = None if raw is None else CachedToken.loads(raw)
        if cached is None or cached.value == rejected:
            return None
        if self._clock() >= cached.expires_at - self._margin:
            return None
        return cached.value

    async def _obtain(self, rejected: str | None) -> str:
        deadline = asyncio.get_running_loop().time() + self._wait_timeout
        while True:
            token = await self._cached(rejected)
            if token is not None:
                return token
            await self._raise_recent_failure()
            owner = uuid.uuid4().hex
            if await self._store.set_nx(self._lock_key, owner, self._lock_ttl):
                try:
                    return await self._refresh(rejected)
                finally:
                    await self._store.delete_if_equals(self._lock_key, owner)
            if asyncio.get_running_loop().time() >= deadline:
                raise WeChatUnavailable("timed out waiting for another process's token refresh")
            await asyncio.sleep(self._poll_interval)

    async def _refresh(self, rejected: str | None) -> str:
        """Fetch a token; the caller holds the lock."""
        # The previous holder may have stored a token between our read and our lock.
        token = await self._cached(rejected)
        if token is not None:
            return token
        await self._raise_recent_failure()
        try:
            value, expires_in = await self._fetch(force_refresh=False)
            if value == rejected:
                # WeChat still hands out the token it has just refused: only a forced refresh
                # replaces it. Forcing is limited (20 a day, 30 s apart), hence never by default.
                logger.warning("access_token rejected while still current; forcing a refresh")
                value, expires_in = await self._fetch(force_refresh=True)
        except SystemBusy:
            raise
        except WeChatAPIError as exc:
            # Wrong secret or quota exhausted: let the other processes fail fast for a while
            # instead of each spending a fetch on the same answer.
            failure = json.dumps({"errcode": exc.errcode, "errmsg": exc.errmsg})
            await self._store.set(self._failure_key, failure, ttl=self._failure_ttl)
            raise
        cached = CachedToken(value, self._clock() + expires_in)
        ttl = max(expires_in - self._margin, 1.0)
        await self._store.set(self._token_key, cached.dumps(), ttl=ttl)
        return value

    async def _raise_recent_failure(self) -> None:
        raw = await self._store.get(self._failure_key)
        if raw is None:
            return
        try:
            data = json.loads(raw)
            errcode, errmsg = int(data["errcode"]), str(data["errmsg"])
        except (ValueError, TypeError, KeyError):
            return
        raise error_for(errcode, errmsg)

    async def _fetch(self, *, force_refresh: bool) -> tuple[str, float]:
        body = {
            "grant_type": "client_credential",
            "appid": self._app_id,
            "secret": self._app_secret,
            "force_refresh": force_refresh,
        }
        response = await send(
            self._http,
            "POST",
            STABLE_TOKEN_PATH,
            policy=self._retry,
            # A normal-mode fetch returns the same token when repeated; a forced one does not.
            idempotent=not force_refresh,
            content=encode_json(body),
            headers={"Content-Type": JSON_CONTENT_TYPE},
        )
        data = decode_answer(response)
        value, expires_in = data.get("access_token"), data.get("expires_in")
        if not isinstance(value, str) or not value or not isinstance(expires_in, int | float):
            raise UnexpectedResponse(f"{STABLE_TOKEN_PATH}: no access_token/expires_in")
        logger.info(
            "fetched access_token (force_refresh=%s, expires_in=%s)", force_refresh, expires_in
        )
        return value, float(expires_in)
