"""Helpers of the end-to-end dialogues: say something as a WeChat user, read an SMS code."""

from __future__ import annotations

import httpx

from sandbox.wechat.sender import WeChatSender
from scripts.launcher import System


async def say(wechat: WeChatSender, user: str, text: str) -> str:
    """Send `text` as `user` through the WeChat endpoint; the passive reply's text."""
    reply = await wechat.text(user, text)
    assert reply.status == 200
    return reply.content or ""


async def sms_code(system: System, phone: str) -> str:
    """The newest one-time code the SMS stand-in "sent" to a mainland mobile number."""
    async with httpx.AsyncClient(base_url=system.env["SMS_BASE_URL"]) as sms:
        messages = (await sms.get("/sandbox/messages", params={"phone": f"+86{phone}"})).json()
    return str(messages[-1]["params"]["code"])
