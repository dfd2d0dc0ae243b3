"""Report lookup end to end through the WeChat endpoint, exactly as WeChat would deliver it:
bind a demo patient of the sandbox hospital, ask 「我的血常规出来了吗」 and see the abnormal
items; a pending report; a critical value (and the staff alert an admin sees); an attempt on a
family member who is not bound (refused and audited); and a report-ready notice pushed when the
hospital releases a pending report."""

from __future__ import annotations

import asyncio
import re

import httpx
import pytest
from e2e_chat import admin, say, sms_code

from sandbox.hospital.reports.demo import DEMO_PATIENTS
from sandbox.wechat.sender import WeChatSender, random_openid
from scripts.launcher import System

pytestmark = pytest.mark.e2e

ELDER = DEMO_PATIENTS["elder"]  # abnormal blood count, a critical potassium, pending tests


async def bind_elder(wechat: WeChatSender, system: System, user: str) -> None:
    reply = await say(wechat, user, "查报告")
    assert "绑定就诊人" in reply
    reply = await say(wechat, user, "1")  # 1. 添加就诊人
    assert "同意" in reply
    reply = await say(wechat, user, "1")  # 1. 同意
    reply = await say(wechat, user, "1")  # 1. 本人
    assert "姓名" in reply
    reply = await say(wechat, user, ELDER.name)
    reply = await say(wechat, user, ELDER.resident_id)
    assert "手机" in reply
    reply = await say(wechat, user, ELDER.phone)
    reply = await say(wechat, user, await sms_code(system, ELDER.phone))
    assert ELDER.name[0] + "*" in reply


async def pushed_to(system: System, openid: str, within: float, needle: str) -> list[dict]:
    async with httpx.AsyncClient(base_url=system.env["WECHAT_API_BASE_URL"]) as client:
        for _ in range(int(within / 0.5)):
            sent = (await client.get("/sandbox/sent", params={"touser": openid})).json()
            if any(needle in str(message["payload"]) for message in sent):
                return sent
            await asyncio.sleep(0.5)
    return []


async def test_reports_through_wechat(wechat: WeChatSender, system: System):
    """One resident, one binding (the SMS stand-in limits codes per phone), every case."""
    user = random_openid()
    await bind_elder(wechat, system, user)

    # Abnormal items first, with arrows and what the test is about.
    reply = await say(wechat, user, "我的血常规出来了吗")
    assert "【血常规】" in reply
    assert re.search(r"↑ 白细胞计数 [\d.]+", reply), reply
    assert re.search(r"↓ 血红蛋白 [\d.]+", reply), reply
    assert reply.index("异常") < reply.index("其余")
    assert "医生" in reply  # the doctor interprets results

    # A pending report says when it is expected.
    reply = await say(wechat, user, "B超结果出了没有")
    assert "还没出结果" in reply and "预计" in reply, reply

    # A critical value: to the hospital or the emergency department now; staff get an alert.
    reply = await say(wechat, user, "电解质的结果")
    assert "危急值" in reply and "急诊" in reply and "120" in reply, reply
    alerts = await admin(system, "/admin/critical-values")
    assert any(
        alert["his_patient_id"] == ELDER.id and alert["items"][0]["code"] == "K" for alert in alerts
    ), alerts

    # A family member who is not bound: refused, and the attempt is in the trail.
    reply = await say(wechat, user, "帮我查下我老婆的检验报告")
    assert "还没有绑定" in reply, reply
    refused = await admin(system, "/admin/reports/access", action="refused")
    assert any(entry["detail"].get("reason") == "relation_not_bound" for entry in refused)

    trail = await admin(system, "/admin/reports/access", his_patient_id=ELDER.id)
    assert {"list", "view"} <= {entry["action"] for entry in trail}
    assert user not in str(trail)  # OpenIDs are masked for admins

    # The hospital releases a new report: a notice arrives in the chat window.
    his = system.env["HIS_BASE_URL"].removesuffix("/fhir")
    async with httpx.AsyncClient(base_url=his) as client:
        created = await client.post(
            "/sandbox/reports",
            json={"patient_id": ELDER.id, "test": "LIPID", "status": "registered"},
        )
        assert created.status_code == 201, created.text
        released = await client.post(f"/sandbox/reports/{created.json()['id']}/release")
        assert released.status_code == 200, released.text
    sent = await pushed_to(system, user, within=20, needle="血脂")
    assert sent, "no report-ready notice"
    notice = next(m for m in sent if "血脂" in str(m["payload"]))
    assert notice["endpoint"] == "/cgi-bin/message/custom/send"
    assert "查报告" in str(notice["payload"])
