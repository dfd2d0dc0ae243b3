"""Sends messages to a gateway exactly as WeChat's servers do: signed URL, XML body.

Used by the end-to-end tests and the load benchmark; the browser simulator does the same in JS.
https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Receiving_standard_messages.html
"""

from __future__ import annotations

import itertools
import random
import time
from dataclasses import dataclass

import httpx
from defusedxml.ElementTree import fromstring

from integrations.wechat.signature import compute_signature

_msg_ids = itertools.count(int(time.time() * 1000) * 1000)


@dataclass(frozen=True)
class GatewayReply:
    status: int
    body: str

    @property
    def content(self) -> str | None:
        """The text of a passive text reply, or None for `success`/empty/non-XML answers."""
        if self.status != 200 or not self.body.startswith("<xml>"):
            return None
        content: str | None = fromstring(self.body).findtext("Content")
        return content


class WeChatSender:
    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        token: str,
        account_id: str = "gh_frontdoor",
        path: str = "/wechat",
    ) -> None:
        self._client = client
        self._token = token
        self._account_id = account_id
        self._path = path

    def signed_params(
        self, openid: str | None = None, *, token: str | None = None
    ) -> dict[str, str]:
        timestamp = str(int(time.time()))
        nonce = str(random.randint(10**8, 10**10))
        params = {
            "signature": compute_signature(token or self._token, timestamp, nonce),
            "timestamp": timestamp,
            "nonce": nonce,
        }
        if openid:
            params["openid"] = openid
        return params

    async def verify(self, echostr: str) -> GatewayReply:
        response = await self._client.get(
            self._path, params={**self.signed_params(), "echostr": echostr}
        )
        return GatewayReply(response.status_code, response.text)

    async def text(
        self, openid: str, content: str, *, msg_id: int | None = None, token: str | None = None
    ) -> GatewayReply:
        msg_id = next(_msg_ids) if msg_id is None else msg_id
        body = self._envelope(openid, "text") + (
            f"<Content>{_cdata(content)}</Content><MsgId>{msg_id}</MsgId></xml>"
        )
        return await self.post(openid, body.encode("utf-8"), token=token)

    async def event(self, openid: str, event: str, key: str = "") -> GatewayReply:
        body = self._envelope(openid, "event") + (
            f"<Event>{_cdata(event)}</Event><EventKey>{_cdata(key)}</EventKey></xml>"
        )
        return await self.post(openid, body.encode("utf-8"))

    async def post(self, openid: str, body: bytes, *, token: str | None = None) -> GatewayReply:
        response = await self._client.post(
            self._path,
            params=self.signed_params(openid, token=token),
            content=body,
            headers={"Content-Type": "text/xml"},
        )
        return GatewayReply(response.status_code, response.text)

    def _envelope(self, openid: str, msg_type: str) -> str:
        return (
            f"<xml><ToUserName>{_cdata(self._account_id)}</ToUserName>"
            f"<FromUserName>{_cdata(openid)}</FromUserName>"
            f"<CreateTime>{int(time.time())}</CreateTime>"
            f"<MsgType>{_cdata(msg_type)}</MsgType>"
        )


def _cdata(value: str) -> str:
    return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def random_openid() -> str:
    """A WeChat-shaped OpenID (28 characters starting with 'o')."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    return "o" + "".join(random.choice(alphabet) for _ in range(27))
