"""Follow-up questions on the shipped knowledge: which are asked (only where the answer changes
the department or the urgency, at most three) and how residents' answers are read."""

from __future__ import annotations

import pytest

from triage.engine import default_engine
from triage.followup import (
    UNKNOWN,
    Question,
    answer_value,
    facts_from_answers,
    plan,
    read_age,
    read_duration,
    read_severity,
    read_yes_no,
)
from triage.model import Facts, Level

Q = Question


def questions(text: str, **kwargs) -> list[Question]:
    return plan(default_engine(), text, **kwargs)


def test_nothing_recognised_asks_what_is_wrong_once() -> None:
    assert questions("我唔舒服") == [Q.DETAIL]
    # After the answer, nothing more is asked about the details, whatever it said.
    assert Q.DETAIL not in questions("我唔舒服；不知道怎么讲", answered=[Q.DETAIL])[1:]


def test_a_red_flag_asks_nothing() -> None:
    assert questions("心口好痛，出冷汗") == []


def test_the_age_is_asked_when_a_child_would_go_elsewhere() -> None:
    assert questions("头疼三天了")[0] is Q.WHO
    assert Q.WHO not in questions("头疼三天了", age=40)
    # A child's skin problem stays with 皮肤科, and his age would not change it.
    assert Q.WHO not in questions("我个仔出咗好多湿疹")


def test_a_childs_fever_asks_the_age_for_babies() -> None:
    assert questions("宝宝发烧")[0] is Q.WHO
    assert Q.WHO not in questions("宝宝咳嗽有痰")  # 儿科 whatever the age; fever asked instead
    assert Q.FEVER in questions("宝宝咳嗽有痰")


def test_pregnancy_is_asked_only_of_women_who_may_be_pregnant() -> None:
    assert Q.PREGNANCY in questions("肚子痛", age=28, sex="female")
    assert Q.PREGNANCY not in questions("肚子痛", age=28, sex="male")
    assert Q.PREGNANCY not in questions("肚子痛", age=70, sex="female")
    assert Q.PREGNANCY not in questions("怀孕两个月肚子痛", age=28, sex="female")


def test_fever_is_not_asked_when_the_words_say_it_either_way() -> None:
    assert Q.FEVER in questions("咳嗽", age=40)
    assert Q.FEVER not in questions("咳嗽，冇发烧", age=40)
    assert Q.FEVER not in questions("咳嗽烧到38度", age=40)


def test_severity_is_asked_of_pains_whose_words_do_not_say() -> None:
    assert Q.SEVERITY in questions("膝盖痛", age=50)
    assert Q.SEVERITY not in questions("膝盖有点痛", age=50)
    assert Q.SEVERITY not in questions("咳嗽", age=50)


def test_duration_is_asked_when_the_answer_would_be_self_care() -> None:
    result = default_engine().triage("流鼻涕打喷嚏", age=30)
    assert result.level is Level.SELF_CARE
    assert Q.DURATION in questions("流鼻涕打喷嚏", age=30)
    assert Q.DURATION not in questions("流鼻涕打喷嚏两天", age=30)


def test_at_most_three_questions_answered_ones_first() -> None:
    assert len(questions("头疼")) <= 3
    asked = [Q.WHO, Q.FEVER, Q.SEVERITY]
    assert questions("头疼；45；没有；还好", answered=asked) == asked


def test_answers_change_the_answer() -> None:
    engine = default_engine()
    assert engine.triage("肚子痛", age=30).level is Level.ROUTINE
    severe = engine.triage("肚子痛", age=30, facts=Facts(severe=True))
    assert severe.red_flags == ("severe_abdominal_pain",)
    pregnant = engine.triage("肚子痛", age=30, sex="female", facts=Facts(pregnant=True))
    assert (pregnant.department, pregnant.level) == ("obstetrics", Level.URGENT)
    baby = engine.triage("宝宝咳嗽", age=0.15, facts=Facts(fever=True))
    assert "infant_fever" in baby.red_flags
    assert engine.triage("膝盖痛", age=50, facts=Facts(severe=True)).level is Level.URGENT
    lasting = engine.triage("流鼻涕打喷嚏", age=30, facts=Facts(duration_days=10))
    assert lasting.level is Level.ROUTINE


@pytest.mark.parametrize(
    ("text", "years"),
    [
        ("5岁", 5),
        ("45", 45),
        ("我阿妈，七十几", 70),
        ("佢八十多岁", 80),
        ("三岁半", 3),
        ("8个月", 8 / 12),
        ("三个月大", 0.25),
        ("我自己", None),
        ("唔知", None),
        ("200", None),
    ],
)
def test_reading_an_age(text: str, years: float | None) -> None:
    assert read_age(text) == (pytest.approx(years) if years is not None else None)


@pytest.mark.parametrize(
    ("text", "intent", "answer"),
    [
        ("有可能", None, True),
        ("系", None, True),
        ("应该有", None, True),
        ("没有", None, False),
        ("冇", None, False),
        ("唔系", None, False),
        ("应该冇", None, False),
        ("不知道", None, None),
        ("唔清楚", None, None),
        ("/affirm", "affirm", True),
        ("/deny", "deny", False),
        ("/inform", "inform", None),
        ("乜嘢", "out_of_scope", None),
    ],
)
def test_reading_yes_and_no(text: str, intent: str | None, answer: bool | None) -> None:
    assert read_yes_no(text, intent) is answer


@pytest.mark.parametrize(
    ("text", "severe"),
    [
        ("好痛", True),
        ("痛到瞓唔着", True),
        ("8分", True),
        ("3分左右", False),
        ("有点痛", False),
        ("还好", False),
        ("不厉害", False),
        ("/affirm", True),
    ],
)
def test_reading_how_bad(text: str, severe: bool) -> None:
    intent = "affirm" if text == "/affirm" else None
    assert read_severity(text, intent) is severe


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("三天", 3),
        ("两个星期", 14),
        ("一个多月", 30),
        ("半个月", 15),
        ("好几天", 4),
        ("10天", 10),
        ("两年", 730),
        ("刚刚开始", 0),
        ("琴日开始", 1),
        ("好耐喇", 30),
        ("唔记得", None),
    ],
)
def test_reading_how_long(text: str, days: float | None) -> None:
    assert read_duration(text) == days


def test_answers_as_the_dialogue_keeps_them() -> None:
    assert answer_value(Q.FEVER, "38度5") == "38.5"
    assert answer_value(Q.FEVER, "39.5") == "39.5"  # a bare number answers "多少度？"
    assert answer_value(Q.FEVER, "冇") == "no"
    assert answer_value(Q.FEVER, "有") == "yes"
    assert answer_value(Q.FEVER, "30岁") is None  # an age, not a temperature
    assert answer_value(Q.WHO, "我阿爸，七十几") == "70"
    assert answer_value(Q.DURATION, "两个礼拜") == "14"
    assert answer_value(Q.SEVERITY, "/deny", "deny") == "mild"
    assert answer_value(Q.PREGNANCY, "唔知") is None
    facts = facts_from_answers(
        {Q.PREGNANCY: "yes", Q.FEVER: UNKNOWN, Q.SEVERITY: "severe", Q.DURATION: "14"}
    )
    assert facts == Facts(pregnant=True, fever=None, severe=True, duration_days=14)
    assert facts_from_answers({Q.FEVER: "36.8"}) == Facts(fever=False, temperature=36.8)
    hot = facts_from_answers({Q.FEVER: "39.5"})
    assert hot == Facts(fever=True, temperature=39.5)
    assert default_engine().triage("喉咙痛", age=30, facts=hot).level is Level.URGENT


def test_whether_the_words_are_about_someone_else() -> None:
    engine = default_engine()
    assert not engine.names_someone_else("我头疼")
    assert not engine.names_someone_else("我是女的，肚子痛")
    assert engine.names_someone_else("我阿妈成日头晕")
    assert engine.names_someone_else("宝宝发烧")


def test_negated_red_flags_are_reported_apart() -> None:
    result = default_engine().triage("没有胸痛，就是咳嗽")
    assert result.red_flags == ()
    assert "chest_pain" in result.negated_red_flags
    assert default_engine().triage("心口好痛").negated_red_flags == ()


def test_advice_has_no_spaces_from_folded_yaml() -> None:
    for flag in default_engine().knowledge.red_flags:
        assert "， " not in flag.advice and "。 " not in flag.advice, flag.name


def test_a_follow_up_file_naming_an_unknown_entry_fails_loudly(tmp_path) -> None:
    from triage_fixtures import small_knowledge

    from triage.knowledge import KnowledgeError, load_knowledge

    data = small_knowledge(tmp_path)
    (data / "followup.yml").write_text(
        "version: 1\nfever:\n  ask_when: [不存在的症状]\n", encoding="utf-8"
    )
    with pytest.raises(KnowledgeError, match="不存在的症状"):
        load_knowledge(data)
    (data / "followup.yml").write_text(
        "version: 1\nseverity:\n  red_flag_when:\n    no_such_flag: [头痛]\n", encoding="utf-8"
    )
    with pytest.raises(KnowledgeError, match="no_such_flag"):
        load_knowledge(data)
