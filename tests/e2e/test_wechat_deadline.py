"""WeChat's deadline and retries against the whole system, in real time: the hospital is made
slow through its stand-in control, so a turn takes longer than WeChat waits."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import httpx
import pytest
import redis

from sandbox.wechat.sender import WeChatSender, random_openid
from scripts.launcher import System

pytestmark = pytest.mark.e2e


@pytest.fixture
async def slow_hospital(system: System) -> AsyncIterator[None]:
    his = system.env["HIS_BASE_URL"].removesuffix("/fhir")
    async with httpx.AsyncClient(base_url=his) as client:
        await client.post("/sandbox/control", json={"latency_seconds": 7})
        yield
        await client.post("/sandbox/control", json={"latency_seconds": 0})


async def pushed_to(system: System, openid: str, within: float) -> list[dict]:
    async with httpx.AsyncClient(base_url=system.env["WECHAT_API_BASE_URL"]) as client:
        for _ in range(int(within / 0.25)):
            sent = (await client.get("/sandbox/sent", params={"touser": openid})).json()
            if sent:
                await asyncio.sleep(1)  # anything more would arrive right behind
                return (await client.get("/sandbox/sent", params={"touser": openid})).json()
            await asyncio.sleep(0.25)
    return []


async def test_slow_action_reaches_the_user_through_customer_service(
    wechat: WeChatSender, system: System, slow_hospital
):
    user = random_openid()
    reply = await wechat.text(user, "荔湾有哪些医院")
    assert (reply.status, reply.body) == (200, "success")
    [pushed] = await pushed_to(system, user, within=30)
    # The list offers each institution as a choice: a tappable customer-service menu.
    assert pushed["msgtype"] == "msgmenu"
    menu = pushed["payload"]["msgmenu"]
    assert menu["head_content"].startswith("荔湾区的医疗机构共有6家")
    assert "荔枝湾中心医院" in [item["content"] for item in menu["list"]]


async def test_retry_storm_gives_one_turn_and_one_answer(
    wechat: WeChatSender, system: System, redis_client: redis.Redis, slow_hospital
):
    """The same message at 0, 5 and 10 s, as WeChat retries, while the dialogue is slow."""
    user = random_openid()
    msg_id = 880000000000000001

    async def delivery(after: float) -> str:
        await asyncio.sleep(after)
        return (await wechat.text(user, "荔湾有哪些医院", msg_id=msg_id)).body

    answers = await asyncio.gather(delivery(0), delivery(5), delivery(10))
    passive = [answer for answer in answers if answer != "success"]
    pushed = await pushed_to(system, user, within=30)
    # One answer in all: pushed, or passively to a retry that was waiting when it was ready.
    assert len(passive) + len(pushed) == 1
    assert answers[0] == "success"
    tracker = json.loads(redis_client.get(f"frontdoor:tracker:{user}"))
    user_turns = [e for e in tracker["events"] if e.get("event") == "user"]
    assert len(user_turns) == 1
