"""Triage end to end through the WeChat endpoint, exactly as WeChat would deliver it: red flags
first (Mandarin, Cantonese, suicidal talk) with what to do while waiting; a negated red flag is
not an emergency; symptoms → at most three questions → department, urgency and reason → the
offer to book → the booking form for that department and patient; a red flag mid-booking gets
the emergency answer and ends the booking, and admins see both answers in the triage trail."""

from __future__ import annotations

import re

import pytest
from e2e_chat import admin, say, sms_code

from sandbox.wechat.sender import WeChatSender, random_openid
from scripts.launcher import System

pytestmark = pytest.mark.e2e

# A man born in 1980 (GB 11643 check character computed), bound as the user himself.
NAME, ID_NUMBER, PHONE = "黄志强", "440103198001011231", "13923456780"
ANSWERS = (  # a resident's plain answers to the follow-up questions
    ("多大", "35岁"),
    ("怀孕", "没有"),
    ("发烧", "没有发烧"),
    ("痛得厉害", "还能忍受"),
    ("多久", "三天"),
)


def numbered(reply: str) -> list[str]:
    return re.findall(r"^\d+\. (.+)$", reply, flags=re.MULTILINE)


async def answer_questions(wechat: WeChatSender, user: str, reply: str) -> tuple[str, int]:
    """Answers the follow-up questions until the triage answer; (that answer, questions)."""
    for asked in range(4):
        answer = next((a for cue, a in ANSWERS if cue in reply), None)
        if answer is None:
            return reply, asked
        reply = await say(wechat, user, answer)
    raise AssertionError(f"more than three follow-up questions: {reply}")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我阿爸心口好痛，出晒冷汗", ("【紧急】", "120", "不要自己开车")),
        ("阿妈突然讲嘢唔清楚，口角歪咗", ("【紧急】", "120", "发病的时间")),
        ("我个仔抽筋抽咗五分钟都未停", ("120", "侧卧")),
        ("我真系唔想活了", ("12356", "120")),
    ],
)
async def test_red_flags_get_the_emergency_answer_first(
    wechat: WeChatSender, system: System, text: str, expected: tuple[str, ...]
):
    reply = await say(wechat, random_openid(), text)
    for needle in expected:
        assert needle in reply, reply
    assert "预约" not in reply.split("\n")[0]


async def test_a_negated_red_flag_is_not_an_emergency(wechat: WeChatSender, system: System):
    user = random_openid()
    reply = await say(wechat, user, "没有胸痛，就是咳嗽咗几日")
    assert "【紧急】" not in reply and "120" not in reply.split("\n")[0], reply
    reply, _ = await answer_questions(wechat, user, reply)
    assert "呼吸内科" in reply or "全科" in reply, reply


async def test_which_department_for_a_named_problem(wechat: WeChatSender, system: System):
    user = random_openid()
    reply = await say(wechat, user, "皮肤过敏起红疹看哪个科")
    reply, asked = await answer_questions(wechat, user, reply)
    assert asked <= 3
    assert "皮肤科" in reply, reply
    assert "不是诊断" in reply
    assert any(choice.startswith("预约") for choice in numbered(reply)), reply


async def test_a_child_goes_to_paediatrics_without_questions_the_words_answer(
    wechat: WeChatSender, system: System
):
    reply = await say(wechat, random_openid(), "我个仔三岁，发烧咳嗽两日，烧到38度5")
    assert "儿科" in reply, reply
    assert "预约儿科" in reply


async def bind_self(wechat: WeChatSender, system: System, user: str) -> None:
    reply = await say(wechat, user, "添加就诊人")
    assert "同意" in reply, reply
    reply = await say(wechat, user, "1")  # 1. 同意
    reply = await say(wechat, user, "1")  # 1. 本人
    assert "姓名" in reply
    await say(wechat, user, NAME)
    reply = await say(wechat, user, ID_NUMBER)
    assert "手机" in reply, reply
    await say(wechat, user, PHONE)
    reply = await say(wechat, user, await sms_code(system, PHONE))
    assert "黄*强" in reply, reply


async def test_symptoms_to_a_booking_and_a_red_flag_mid_booking(
    wechat: WeChatSender, system: System
):
    user = random_openid()
    await bind_self(wechat, system, user)

    # The bound ID says who and how old: no question about it.
    reply = await say(wechat, user, "我头疼三天了")
    assert "多大" not in reply, reply
    reply, asked = await answer_questions(wechat, user, reply)
    assert 1 <= asked <= 3
    assert "神经内科" in reply and "不是诊断" in reply, reply
    offer = numbered(reply)
    assert offer and offer[0].startswith("预约"), reply

    # 「1」: the booking form for that department and that patient, with real free slots.
    reply = await say(wechat, user, "1")
    slots = numbered(reply)
    assert slots and "神经内科" in reply and "黄*强" in reply, reply

    # A red flag in the middle of the booking: the emergency answer, and the booking ends.
    reply = await say(wechat, user, "等等，我而家突然心口好痛，透唔到气")
    assert "【紧急】" in reply and "120" in reply, reply
    reply = await say(wechat, user, "我约了哪些号")
    assert "神经内科" not in reply, reply

    # Admins see what was routed: the emergency with its red flag, then the advice with the
    # booking offer, for this user's bound patient; no words, and the OpenID masked.
    trail = await admin(system, "/admin/triage", openid=user)
    assert [row["kind"] for row in trail] == ["emergency", "advice"], trail
    emergency, advice = trail
    assert "chest_pain" in emergency["red_flags"], emergency
    assert emergency["level"] == "emergency_ambulance" and not emergency["booking_offered"]
    assert advice["department"] == "neurology" and advice["booking_offered"] is True, advice
    assert advice["patient_id"] is not None and advice["followup_questions"] == asked
    assert emergency["account_id"] == advice["account_id"] is not None
    assert user not in str(trail) and "头疼" not in str(trail) and "心口" not in str(trail)
    flagged = await admin(system, "/admin/triage", red_flag="chest_pain", kind="emergency")
    assert emergency["id"] in {row["id"] for row in flagged}
