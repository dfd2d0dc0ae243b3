"""Drives the whole system through its WeChat endpoint exactly as WeChat would."""

from __future__ import annotations

import json

import pytest
import redis

from sandbox.wechat.sender import WeChatSender, random_openid

pytestmark = pytest.mark.e2e


async def test_server_verification_echoes(wechat: WeChatSender):
    reply = await wechat.verify("e2e-echo-123")
    assert (reply.status, reply.body) == (200, "e2e-echo-123")


async def test_forged_signature_is_rejected(wechat: WeChatSender):
    reply = await wechat.text(random_openid(), "你好", token="not-the-token")
    assert reply.status == 403


async def test_subscribe_gets_welcome(wechat: WeChatSender):
    reply = await wechat.event(random_openid(), "subscribe")
    assert reply.content is not None
    assert "欢迎关注" in reply.content


async def test_greeting_says_what_the_bot_can_do(wechat: WeChatSender):
    reply = await wechat.text(random_openid(), "你好")
    assert reply.content is not None
    assert "查" in reply.content and "医院" in reply.content


@pytest.mark.parametrize("question", ["荔湾有哪些医院", "荔灣區有哪些醫院"])
async def test_district_hospitals_come_from_the_hospital_api(wechat: WeChatSender, question):
    reply = await wechat.text(random_openid(), question)
    content = reply.content or ""
    # Names exist only in the sandbox hospital's seed data, so they prove the FHIR round trip.
    assert "荔枝湾中心医院" in content
    assert "榕荫街社区卫生服务中心" in content
    assert "越秀云山医院" not in content  # another district


async def test_community_departments(wechat: WeChatSender):
    reply = await wechat.text(random_openid(), "社区医院有哪些科室")
    content = reply.content or ""
    assert "全科医学科" in content
    assert "预防接种门诊" in content


async def test_departments_of_a_named_hospital_then_a_follow_up(wechat: WeChatSender):
    user = random_openid()
    first = (await wechat.text(user, "荔枝湾中心医院有哪些科室")).content or ""
    assert first.startswith("荔枝湾中心医院的科室")
    assert "急诊科" in first
    # "有哪些科室" without a name means the hospital just discussed.
    follow_up = (await wechat.text(user, "有哪些科室")).content or ""
    assert follow_up.startswith("荔枝湾中心医院的科室")


async def test_red_flag_gets_the_emergency_answer(wechat: WeChatSender):
    reply = await wechat.text(random_openid(), "我爸胸口好痛，出冷汗，喘不过气")
    assert "120" in (reply.content or "")


@pytest.mark.parametrize("gibberish", ["阿巴阿巴", "今天天气怎么样"])
async def test_not_understood_gets_a_polite_answer_never_silence(wechat: WeChatSender, gibberish):
    reply = await wechat.text(random_openid(), gibberish)
    content = reply.content or ""
    assert content, reply.body
    assert "120" not in content  # nonsense is not an emergency
    assert "荔湾有哪些医院" in content  # says what the bot can do


async def test_conversation_is_kept_in_redis(wechat: WeChatSender, redis_client: redis.Redis):
    user = random_openid()
    await wechat.text(user, "你好")
    stored = redis_client.get(f"frontdoor:tracker:{user}")
    assert stored is not None, "the tracker store should be Redis when REDIS_URL is set"
    events = json.loads(stored)["events"]
    assert any(e.get("event") == "user" and e.get("text") == "你好" for e in events)


async def test_qr_code_at_a_clinic_desk_welcomes_to_that_clinic(wechat: WeChatSender):
    user = random_openid()
    welcome = (await wechat.event(user, "subscribe", "qrscene_lw-rongyin-chc")).content or ""
    assert "欢迎来到榕荫街社区卫生服务中心" in welcome
    # "有哪些科室" now means that clinic.
    follow_up = (await wechat.text(user, "有哪些科室")).content or ""
    assert follow_up.startswith("榕荫街社区卫生服务中心的科室")


async def test_menu_click_works_like_asking(wechat: WeChatSender):
    reply = await wechat.event(random_openid(), "CLICK", "LIST_COMMUNITY_CENTRES")
    content = reply.content or ""
    assert "社区卫生服务中心共有5家" in content


async def test_answering_a_list_with_a_number(wechat: WeChatSender):
    user = random_openid()
    listing = (await wechat.text(user, "荔湾有哪些医院")).content or ""
    first_line = next(line for line in listing.splitlines() if line.startswith("1. "))
    picked = first_line.removeprefix("1. ").split("（")[0]
    departments = (await wechat.text(user, "1")).content or ""
    assert departments.startswith(f"{picked}的科室")
