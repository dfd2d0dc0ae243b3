"""Booking end to end through the WeChat endpoint, exactly as WeChat would deliver it: bind a
patient (consent, ID, phone, SMS code from the SMS stand-in), book, list, cancel."""

from __future__ import annotations

import re

import httpx
import pytest
from e2e_chat import say, sms_code

from sandbox.wechat.sender import WeChatSender, random_openid
from scripts.launcher import System

pytestmark = pytest.mark.e2e

ID_NUMBER = "11010519491231002X"  # the published sample resident ID
PHONE = "13912345678"


def numbered(reply: str) -> list[str]:
    return re.findall(r"^\d+\. (.+)$", reply, flags=re.MULTILINE)


async def test_bind_book_list_cancel(wechat: WeChatSender, system: System):
    user = random_openid()

    reply = await say(wechat, user, "帮我约明天上午儿科的号")
    assert "就诊人" in reply and "同意" in reply  # no patient yet: consent first

    reply = await say(wechat, user, "1")  # 1. 同意
    assert "本人" in reply
    reply = await say(wechat, user, "1")  # 1. 本人
    assert "姓名" in reply
    reply = await say(wechat, user, "陈大文")
    assert "证件" in reply or "身份证" in reply
    reply = await say(wechat, user, ID_NUMBER)
    assert ID_NUMBER not in reply and "手机" in reply
    reply = await say(wechat, user, PHONE)
    assert "139****5678" in reply  # the code went to the masked number
    reply = await say(wechat, user, await sms_code(system, PHONE))

    # Bound, and straight back to the booking: 儿科 tomorrow morning, or the nearest slots.
    assert "陈*文" in reply
    choices = numbered(reply)
    assert choices, reply
    assert "儿科" in reply

    reply = await say(wechat, user, "1")
    assert "请确认预约" in reply and "陈*文" in reply
    chosen_time = choices[0].split(" ")[0]
    assert chosen_time in reply

    reply = await say(wechat, user, "1")  # 1. 确认预约
    assert "预约成功" in reply and chosen_time in reply
    assert "身份证" in reply  # what to bring

    reply = await say(wechat, user, "我约了哪些号")
    assert chosen_time in reply and "儿科" in reply

    reply = await say(wechat, user, "取消预约")
    assert "确认取消" in reply and chosen_time in reply
    reply = await say(wechat, user, "1")  # 1. 确认取消
    assert "已取消" in reply

    reply = await say(wechat, user, "我约了哪些号")
    assert "没有预约" in reply


async def test_an_id_number_never_reaches_rasa(wechat: WeChatSender, system: System):
    user = random_openid()
    await say(wechat, user, f"我的身份证是{ID_NUMBER}")
    rasa = system.env["RASA_URL"]
    token = system.env["RASA_TOKEN"]
    async with httpx.AsyncClient() as client:
        tracker = (
            await client.get(f"{rasa}/conversations/{user}/tracker", params={"token": token})
        ).text
    assert ID_NUMBER not in tracker
    assert "PII-ID-" in tracker
