"""The NLU's red-flag check (nlu/components/red_flag_override.py) on the shipped red flags:
whatever DIET predicted, a red flag is an emergency, and a plainly negated one is not."""

from __future__ import annotations

import pytest

from nlu.components.red_flag_override import EMERGENCY_INTENT, SYMPTOMS_INTENT, decide, reranked
from triage.engine import default_engine


@pytest.mark.parametrize(
    ("text", "predicted"),
    [
        ("我阿爸心口好痛出冷汗", "describe_symptoms"),
        ("帮我约明天的号，我妈突然讲嘢唔清楚，口角歪咗", "book_appointment"),
        ("透唔到气", "lookup_report"),
        ("我唔想活了", "out_of_scope"),
        ("宝宝抽筋唔停", None),
    ],
)
def test_a_red_flag_is_an_emergency_whatever_diet_thought(text: str, predicted: str | None):
    override = decide(default_engine(), text, predicted)
    assert override is not None
    assert (override.intent, override.confidence) == (EMERGENCY_INTENT, 1.0)
    assert override.red_flags


@pytest.mark.parametrize("text", ["没有胸痛，就是咳嗽", "胸口唔痛，有啲咳", "冇透唔到气"])
def test_a_negated_red_flag_heard_as_an_emergency_is_a_symptom(text: str):
    override = decide(default_engine(), text, EMERGENCY_INTENT)
    assert override is not None
    assert override.intent == SYMPTOMS_INTENT
    assert override.red_flags == ()


@pytest.mark.parametrize(
    ("text", "predicted"),
    [
        ("帮我约儿科", "book_appointment"),
        ("头疼三天了", "describe_symptoms"),
        ("没有胸痛，就是咳嗽", "describe_symptoms"),  # DIET already right
        ("呢个唔知系咩", EMERGENCY_INTENT),  # DIET's emergency without any flag words: kept
        ('/book_appointment{"department": "急诊科"}', "book_appointment"),
        ("", None),
    ],
)
def test_otherwise_diet_decides(text: str, predicted: str | None):
    assert decide(default_engine(), text, predicted) is None


def test_symptoms_diet_is_unsure_of_go_to_triage_not_to_a_shrug():
    override = decide(default_engine(), "手麻到手肘", "deny", confidence=0.16)
    assert override is not None
    assert override.intent == SYMPTOMS_INTENT and 0.55 < override.confidence < 1.0
    # Sure of something else, or unsure of words that name no symptom: DIET decides.
    assert decide(default_engine(), "手麻到手肘", "book_appointment", confidence=0.9) is None
    assert decide(default_engine(), "今晚吃什么好", "out_of_scope", confidence=0.3) is None


def test_an_override_leaves_no_close_second_for_the_fallback_to_call_ambiguous():
    # 「孩子抽风好几分钟了还没停」 with DIET sure it was describe_symptoms: the override alone
    # must stand out, or FallbackClassifier (ambiguity 0.1) turns it into nlu_fallback.
    override = decide(default_engine(), "孩子抽风好几分钟了还没停", "describe_symptoms", 0.95)
    assert override is not None
    ranking = reranked(
        override,
        [
            {"name": "describe_symptoms", "confidence": 0.95},
            {"name": EMERGENCY_INTENT, "confidence": 0.04},
        ],
    )
    assert ranking[0] == {"name": EMERGENCY_INTENT, "confidence": 1.0}
    assert [r["name"] for r in ranking] == [EMERGENCY_INTENT, "describe_symptoms"]
    assert ranking[0]["confidence"] - ranking[1]["confidence"] > 0.1
