"""Engine rules on the shipped knowledge that are not in the phrase lists: past events, clause
breaks for negation, children never left to self-care, fever in the elderly, a baby's months."""

from __future__ import annotations

import pytest

from triage.engine import default_engine
from triage.model import Level
from triage.profile import age_in_text, temperature_in_text


@pytest.mark.parametrize("text", ["中风后遗症，想做康复", "心梗后复查", "脑出血术后半年想复诊"])
def test_a_past_event_named_is_no_alarm(text: str) -> None:
    result = default_engine().triage(text)
    assert result.red_flags == ()
    assert result.level is not Level.EMERGENCY_AMBULANCE


def test_new_symptoms_after_a_past_event_still_are() -> None:
    result = default_engine().triage("我阿爸中风后遗症，今朝突然讲嘢唔清楚，口角歪咗")
    assert "stroke_signs" in result.red_flags


def test_negation_stops_at_the_end_of_a_clause() -> None:
    engine = default_engine()
    assert engine.triage("冇发烧，胸口好痛").red_flags  # the 冇 is about the fever
    assert engine.triage("没有胸痛，就是咳嗽").red_flags == ()


def test_a_child_is_never_left_to_self_care() -> None:
    engine = default_engine()
    assert engine.triage("流鼻涕打喷嚏", age=30).level is Level.SELF_CARE
    assert engine.triage("流鼻涕打喷嚏", age=4).level is Level.ROUTINE


def test_fever_in_the_elderly_is_same_day() -> None:
    engine = default_engine()
    assert engine.triage("咳嗽发烧", age=40).level is not Level.URGENT
    assert engine.triage("咳嗽发烧", age=80).level is Level.URGENT


@pytest.mark.parametrize(
    ("text", "months"),
    [
        ("宝宝两个月，发烧", 2),
        ("出世两个月", 2),
        ("bb三个月大", 3),
        ("咳嗽两个月", None),
        ("宝宝出生50天", 2),
        ("bb才20日", 1),
        ("50天大嘅bb", 2),
        ("two-month-old baby", 2),
        ("6 weeks old", 1),
        ("咳嗽20天", None),
        ("发烧3天", None),
        ("小腿红肿一日大过一日", None),
    ],
)
def test_a_babys_months(text: str, months: int | None) -> None:
    age = age_in_text(text)
    assert (None if age is None else round(age * 12)) == months


@pytest.mark.parametrize(
    "text", ["宝宝两个月，发烧", "宝宝出生50天 耳温38.5 吃奶还行", "two-month-old baby 发烧38度"]
)
def test_a_baby_under_three_months_with_fever_is_an_emergency(text: str) -> None:
    assert "infant_fever" in default_engine().triage(text).red_flags


@pytest.mark.parametrize(
    ("text", "degrees"),
    [("耳温38.5", 38.5), ("体温39", 39), ("量了37.8", 37.8), ("38度5", 38.5), ("体温正常", None)],
)
def test_a_temperature_after_its_word_needs_no_unit(text: str, degrees: float | None) -> None:
    assert temperature_in_text(text) == degrees


@pytest.mark.parametrize("text", ["怀孕35周，胎动好少", "我怀孕32周，感觉胎动减少了"])
def test_fewer_fetal_movements_are_seen_the_same_day(text: str) -> None:
    # Decided with two independent label sets: fewer movements are same-day (urgent, 产科);
    # no movement at all stays a red flag.
    result = default_engine().triage(text)
    assert (result.department, result.level, result.red_flags) == (
        "obstetrics",
        Level.URGENT,
        (),
    )


def test_no_fetal_movement_at_all_is_an_emergency() -> None:
    assert (
        "pregnancy_emergency" in default_engine().triage("怀孕30周，今天完全感觉不到胎动").red_flags
    )


def test_a_very_high_blood_pressure_with_only_dizziness_is_same_day() -> None:
    # Hypertensive urgency without signs of organ damage (dev2 and dev3 labels agree).
    result = default_engine().triage("量血压180/110，有点头晕，没有其他不舒服")
    assert (result.level, result.red_flags) == (Level.URGENT, ())


@pytest.mark.parametrize("text", ["血压190，看东西模糊", "血压180多，头晕得天旋地转站不稳"])
def test_a_very_high_blood_pressure_with_signs_of_damage_is_an_emergency(text: str) -> None:
    assert "hypertensive_crisis" in default_engine().triage(text).red_flags


@pytest.mark.parametrize(
    ("text", "reading"),
    [
        ("今朝量血压185/115", (185, 115)),
        ("上压一百九", (190, None)),
        ("高压一百八十五低压一百一", (185, 110)),
        ("血压两百", (200, None)),
        ("低压115", (None, 115)),
        ("高血压20年", (None, None)),
        ("体温38.5", (None, None)),
        ("12/25复诊", (None, None)),
    ],
)
def test_blood_pressure_readings(text: str, reading: tuple[int | None, int | None]) -> None:
    from triage.profile import blood_pressure_in_text

    assert blood_pressure_in_text(text) == reading


def test_a_high_sugar_with_only_thirst_is_same_day_and_with_vomiting_an_emergency() -> None:
    engine = default_engine()
    thirsty = engine.triage("糖尿病，测血糖25，口干尿多，人清醒")
    assert (thirsty.level, thirsty.red_flags) == (Level.URGENT, ())
    assert "blood_sugar_crisis" in engine.triage("血糖28，一直呕，人迷迷糊糊").red_flags


def test_an_elderly_person_hard_to_wake_goes_to_the_emergency_department() -> None:
    result = default_engine().triage("护工话阿婆今日好渴瞓，摇佢先至擘下眼")
    assert result.level in (Level.EMERGENCY, Level.EMERGENCY_AMBULANCE)
