"""The trained model on phrasings it never saw in training (held out from `nlu/data`).

Red flags must all be recognised: under-triaging an emergency is the error that matters most.
"""

from __future__ import annotations

import httpx
import pytest

from scripts.launcher import System

pytestmark = pytest.mark.e2e

RED_FLAGS = [
    "我胸口压着一样痛，左手也麻",
    "老公心口绞痛还一直冒汗",
    "奶奶突然讲话含糊，嘴角歪了",
    "我妈晕过去了叫不醒",
    "孩子抽风好几分钟了还没停",
    "手割伤了血一直流止不住",
    "吃了海鲜嘴巴和喉咙都肿了，呼吸不顺",
    "我真的不想活了",
    "喘不过气来，嘴唇发紫",
    "老人家摔倒撞到头，现在迷迷糊糊",
]

EXPECTED = {
    "greet": ["您好呀，请问在吗", "哈喽，有人在吗", "早晨呀"],
    "thank": ["太感谢你了", "唔该你呀", "多谢晒"],
    "goodbye": ["好了拜拜", "就到这里，再见啦"],
    "ask_capabilities": ["你都能帮我办什么事", "这个公众号能干什么"],
    "list_institutions": [
        "越秀区都有哪些医院啊",
        "海珠那边有什么社区医院",
        "我家在荔湾，附近医院有哪些",
        "荔灣有咩醫院",
    ],
    "list_departments": [
        "社区卫生服务中心都有什么科",
        "西关康宁医院有哪些门诊科室",
        "云山医院能看什么科",
    ],
    "out_of_scope": ["帮我订一张机票", "今晚吃什么好"],
}


async def _intent(client: httpx.AsyncClient, token: str, text: str) -> str:
    response = await client.post("/model/parse", params={"token": token}, json={"text": text})
    response.raise_for_status()
    return str(response.json()["intent"]["name"])


async def test_every_held_out_red_flag_is_an_emergency(system: System):
    async with httpx.AsyncClient(base_url=system.env["RASA_URL"], timeout=10) as client:
        missed = [
            text
            for text in RED_FLAGS
            if await _intent(client, system.env["RASA_TOKEN"], text) != "report_emergency"
        ]
    assert missed == []


async def test_held_out_accuracy(system: System):
    total = sum(len(texts) for texts in EXPECTED.values())
    wrong: list[tuple[str, str, str]] = []
    async with httpx.AsyncClient(base_url=system.env["RASA_URL"], timeout=10) as client:
        for intent, texts in EXPECTED.items():
            for text in texts:
                got = await _intent(client, system.env["RASA_TOKEN"], text)
                if got != intent:
                    wrong.append((text, intent, got))
    accuracy = 1 - len(wrong) / total
    assert accuracy >= 0.85, f"held-out accuracy {accuracy:.0%}; misses: {wrong}"
