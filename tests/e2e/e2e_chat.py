"""Helpers of the end-to-end dialogues: say something as a WeChat user, read an SMS code, ask
the admin endpoints."""

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


async def admin(system: System, path: str, **params: str) -> list[dict]:
    """A list from an admin endpoint (`GET`, the system's admin bearer token)."""
    async with httpx.AsyncClient(base_url=system.gateway_url) as client:
        answer = await client.get(
            path, params=params, headers={"Authorization": f"Bearer {system.env['ADMIN_TOKEN']}"}
        )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    return body if isinstance(body, list) else body["items"]
