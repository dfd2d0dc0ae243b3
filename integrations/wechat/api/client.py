"""Async client for the WeChat Official Account API: messages pushed to users, menus, media.

One `WeChatAPIClient` owns one `httpx.AsyncClient` (base URL, timeout) and the shared
access_token (`token.AccessTokenProvider`). Every call adds the token, maps errcodes to
`errors`, replaces a rejected token and repeats the call once, and retries idempotent reads
on transport errors, 5xx and "system busy". The dialogue code calls the typed methods here and
never sees HTTP. `base_url` is https://api.weixin.qq.com in production, the stand-in
(`sandbox.wechat.api_server`) locally.
- customer-service messages: https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Service_Center_messages.html
- template messages: https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Template_Message_Interface.html
- subscription messages: https://developers.weixin.qq.com/doc/offiaccount/Subscription_Messages/api.html
- menus: https://developers.weixin.qq.com/doc/offiaccount/Custom_Menus/Creating_Custom-Defined_Menu.html
- temporary media: https://developers.weixin.qq.com/doc/offiaccount/Asset_Management/New_temporary_materials.html
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from types import TracebackType
from typing import Any, Literal, TypeVar

import httpx

from integrations.wechat.api.errors import (
    AccessTokenError,
    SystemBusy,
    UnexpectedResponse,
    WeChatAPIError,
)
from integrations.wechat.api.protocol import (
    JSON_CONTENT_TYPE,
    RetryPolicy,
    decode_answer,
    encode_json,
    send,
)
from integrations.wechat.api.token import AccessTokenProvider
from integrations.wechat.state import Store

logger = logging.getLogger(__name__)

MediaKind = Literal["image", "voice", "video", "thumb"]
T = TypeVar("T")

_MENU_DOES_NOT_EXIST = 46003


class WeChatAPIClient:
    """The account's side of the WeChat API, for one AppID."""

    def __init__(
        self,
        base_url: str,
        app_id: str,
        app_secret: str,
        store: Store,
        *,
        timeout: float = 5.0,
        transport: httpx.AsyncBaseTransport | None = None,
        retry: RetryPolicy | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._retry = retry or RetryPolicy()
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip("/"), timeout=httpx.Timeout(timeout), transport=transport
        )
        self.access_tokens = AccessTokenProvider(
            store, self._http, app_id, app_secret, clock=clock, retry=self._retry
        )

    async def __aenter__(self) -> WeChatAPIClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the HTTP connections; the store belongs to the caller and stays open."""
        await self._http.aclose()

    # --- customer-service messages (within 48 h of the user's last message) --------------------

    async def send_text(self, openid: str, content: str) -> None:
        """Push a text; over 2048 bytes raises `ContentTooLong` (split before sending)."""
        await self._send_custom(openid, "text", {"content": content})

    async def send_menu(
        self, openid: str, head: str, options: Sequence[tuple[str, str]], tail: str = ""
    ) -> None:
        """Push choices the user taps instead of typing; `options` are (id, label) pairs.

        A tap comes back as a text message whose content is the label.
        """
        await self._send_custom(
            openid,
            "msgmenu",
            {
                "head_content": head,
                "list": [{"id": option_id, "content": label} for option_id, label in options],
                "tail_content": tail,
            },
        )

    async def send_image(self, openid: str, media_id: str) -> None:
        await self._send_custom(openid, "image", {"media_id": media_id})

    async def send_voice(self, openid: str, media_id: str) -> None:
        """Push an uploaded voice media (AMR or MP3, at most 60 s)."""
        await self._send_custom(openid, "voice", {"media_id": media_id})

    async def _send_custom(self, openid: str, msgtype: str, body: dict[str, Any]) -> None:
        payload = {"touser": openid, "msgtype": msgtype, msgtype: body}
        await self.call("POST", "/cgi-bin/message/custom/send", payload=payload)

    # --- notifications (outside the 48 h window; the user must have subscribed) --------------

    async def send_template(
        self, openid: str, template_id: str, data: Mapping[str, str], url: str | None = None
    ) -> int:
        """Send a template message; returns WeChat's msgid. `data` maps field names to values."""
        payload: dict[str, Any] = {
            "touser": openid,
            "template_id": template_id,
            "data": {name: {"value": value} for name, value in data.items()},
        }
        if url:
            payload["url"] = url
        answer = await self.call("POST", "/cgi-bin/message/template/send", payload=payload)
        msgid = answer.get("msgid")
        if not isinstance(msgid, int):
            raise UnexpectedResponse("/cgi-bin/message/template/send: no msgid")
        return msgid

    async def send_subscription(
        self, openid: str, template_id: str, data: Mapping[str, str], page: str | None = None
    ) -> None:
        """Send a subscription message (订阅通知) the user agreed to receive."""
        payload: dict[str, Any] = {
            "touser": openid,
            "template_id": template_id,
            "data": {name: {"value": value} for name, value in data.items()},
        }
        if page:
            payload["page"] = page
        await self.call("POST", "/cgi-bin/message/subscribe/bizsend", payload=payload)

    # --- menus --------------------------------------------------------------------------------

    async def create_menu(self, menu: Mapping[str, Any]) -> None:
        """Replace the account's menu: `{"button": [...]}` as on the menu/create page."""
        await self.call("POST", "/cgi-bin/menu/create", payload=menu)

    async def get_menu(self) -> dict[str, Any] | None:
        """The account's menu (`{"button": [...]}`), or None when it has none."""
        try:
            answer = await self.call("GET", "/cgi-bin/menu/get")
        except WeChatAPIError as exc:
            if exc.errcode == _MENU_DOES_NOT_EXIST:
                return None
            raise
        menu = answer.get("menu")
        if not isinstance(menu, dict):
            raise UnexpectedResponse("/cgi-bin/menu/get: no menu")
        return menu

    # --- temporary media (kept 3 days by WeChat) ------------------------------------------------

    async def download_media(self, media_id: str) -> bytes:
        """The bytes of a media, e.g. a user's voice message (AMR-NB, 8 kHz)."""
        return await self._request(
            "GET", "/cgi-bin/media/get", _media_bytes, params={"media_id": media_id}
        )

    async def upload_media(self, kind: MediaKind, filename: str, data: bytes) -> str:
        """Upload a temporary media (voice: AMR/MP3, at most 2 MB) and return its media_id."""
        answer = await self._request(
            "POST",
            "/cgi-bin/media/upload",
            decode_answer,
            params={"type": kind},
            files={"media": (filename, data)},
        )
        media_id = answer.get("thumb_media_id" if kind == "thumb" else "media_id")
        if not isinstance(media_id, str) or not media_id:
            raise UnexpectedResponse("/cgi-bin/media/upload: no media_id")
        return media_id

    # --- any API ------------------------------------------------------------------------------

    async def call(
        self,
        method: Literal["GET", "POST"],
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        payload: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Call an API by path (adding the access_token) and return its JSON answer."""
        request: dict[str, Any] = {}
        if payload is not None:
            request["content"] = encode_json(payload)
            request["headers"] = {"Content-Type": JSON_CONTENT_TYPE}
        return await self._request(method, path, decode_answer, params=params, **request)

    async def _request(
        self,
        method: Literal["GET", "POST"],
        path: str,
        decode: Callable[[httpx.Response], T],
        *,
        params: Mapping[str, str] | None = None,
        **request: Any,
    ) -> T:
        # Only reads are idempotent: repeating a send after a timeout could deliver it twice.
        idempotent = method == "GET"
        token = await self.access_tokens.get()
        token_replaced = False
        busy_retries = 0
        while True:
            response = await send(
                self._http,
                method,
                path,
                policy=self._retry,
                idempotent=idempotent,
                params={**(params or {}), "access_token": token},
                **request,
            )
            try:
                return decode(response)
            except AccessTokenError as exc:
                # WeChat refused the call before doing anything, so repeating it is safe.
                if token_replaced:
                    raise
                logger.info(
                    "%s: access_token refused (errcode %s), replacing it", path, exc.errcode
                )
                token = await self.access_tokens.invalidate(token)
                token_replaced = True
            except SystemBusy:
                if not idempotent or busy_retries >= self._retry.retries:
                    raise
                await asyncio.sleep(self._retry.delay(busy_retries))
                busy_retries += 1


def _media_bytes(response: httpx.Response) -> bytes:
    """media/get answers the file itself, or an errcode as JSON labelled text/plain."""
    content_type = response.headers.get("content-type", "")
    if response.status_code == 200 and content_type.startswith(("text/plain", "application/json")):
        decode_answer(response)  # raises the errcode's exception
        raise UnexpectedResponse("/cgi-bin/media/get: JSON instead of media (a video's URL?)")
    if response.status_code != 200:
        raise UnexpectedResponse(f"/cgi-bin/media/get: HTTP {response.status_code}")
    return response.content
