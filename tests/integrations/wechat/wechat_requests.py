"""What WeChat sends the gateway, for the app-level tests: signed query strings and messages."""

from __future__ import annotations

import asyncio
import time

import httpx

from integrations.wechat.signature import compute_signature


def signed(token: str, openid: str, nonce: str = "5") -> dict[str, str]:
    """The query string WeChat signs every POST with."""
    timestamp = str(int(time.time()))
    return {
        "signature": compute_signature(token, timestamp, nonce),
        "timestamp": timestamp,
        "nonce": nonce,
        "openid": openid,
    }


def text_xml(openid: str, content: str, msg_id: str) -> bytes:
    return (
        f"<xml><ToUserName>gh_x</ToUserName><FromUserName>{openid}</FromUserName>"
        f"<CreateTime>1</CreateTime><MsgType>text</MsgType><Content>{content}</Content>"
        f"<MsgId>{msg_id}</MsgId></xml>"
    ).encode()


async def sent_messages(wx: httpx.AsyncClient, expected: int, within: float = 5.0) -> list:
    """What the WeChat API stand-in was sent, once `expected` messages are there (or time is up)."""
    deadline = time.monotonic() + within
    while True:
        sent = (await wx.get("/sandbox/sent")).json()
        if len(sent) >= expected or time.monotonic() > deadline:
            return list(sent)
        await asyncio.sleep(0.05)
