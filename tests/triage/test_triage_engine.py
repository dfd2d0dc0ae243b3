"""The engine's rules on a small knowledge base: red flags first, negation, co-occurrence,
age-limited flags, the longest reading, ranking, children, pregnancy, sex, fever, elderly."""

from __future__ import annotations

from pathlib import Path

import pytest
from triage_fixtures import small_knowledge

from triage.engine import TriageEngine
from triage.knowledge import KnowledgeError, load_knowledge
from triage.model import Level
from triage.profile import oxygen_in_text


@pytest.fixture
def engine(tmp_path: Path) -> TriageEngine:
    return TriageEngine(load_knowledge(small_knowledge(tmp_path)))


def test_a_red_flag_wins_over_everything(engine: TriageEngine) -> None:
    result = engine.triage("咳嗽两天，今天心口好痛")
    assert (result.department, result.level) == ("emergency", Level.EMERGENCY_AMBULANCE)
    assert result.red_flags == ("chest_pain",)
    assert result.advice == "立即拨打120。"
    assert "respiratory" in result.alternatives
    assert "120" in result.reason


@pytest.mark.parametrize(
    "text", ["没有胸痛，就是咳嗽", "冇胸痛", "胸口唔痛", "胸口不痛了", "否认胸痛"]
)
def test_negated_red_flags_do_not_trigger(engine: TriageEngine, text: str) -> None:
    result = engine.triage(text)
    assert result.red_flags == ()
    assert result.level is not Level.EMERGENCY_AMBULANCE


def test_co_occurrence_flags_need_every_group(engine: TriageEngine) -> None:
    assert engine.triage("头痛三天").red_flags == ()
    assert engine.triage("突然头痛得好犀利").red_flags == ("thunderclap_headache",)


def test_a_childrens_flag_needs_a_child(engine: TriageEngine) -> None:
    assert engine.triage("宝宝软绵绵的").red_flags == ("floppy_child",)  # unknown age, a child
    assert engine.triage("软绵绵", age=3).red_flags == ("floppy_child",)
    assert engine.triage("成日觉得软绵绵", age=40).red_flags == ()


def test_the_longest_reading_wins(engine: TriageEngine) -> None:
    result = engine.triage("我糖化血红蛋白有点高")
    assert result.department == "endocrinology" and result.matched == ("糖化血红蛋白高",)


def test_departments_are_ranked_across_symptoms(engine: TriageEngine) -> None:
    result = engine.triage("头痛又咳嗽")
    # Each symptom's second choice is 全科: together it outranks either specialty.
    assert result.department == "general_medicine"
    assert result.alternatives == ("neurology", "respiratory")
    assert result.level is Level.ROUTINE


def test_children_go_to_pediatrics_unless_the_problem_keeps_them(engine: TriageEngine) -> None:
    assert engine.triage("咳嗽", age=5).department == "pediatrics"
    assert engine.triage("孩子咳嗽").department == "pediatrics"
    assert engine.triage("牙痛", age=5).department == "stomatology"
    assert engine.triage("咳嗽", age=30).department == "respiratory"


def test_pregnancy_goes_to_obstetrics(engine: TriageEngine) -> None:
    assert engine.triage("怀孕20周，肚子有点痛").department == "obstetrics"
    assert engine.triage("怀孕了牙痛").department == "stomatology"  # teeth stay


def test_womens_complaints_only_for_women(engine: TriageEngine) -> None:
    assert engine.triage("月经不调", sex="female").department == "gynecology"
    assert engine.triage("月经不调", sex="male").matched == ()


def test_a_high_fever_is_urgent_and_an_infants_fever_an_emergency(engine: TriageEngine) -> None:
    assert engine.triage("发烧37度8").level is Level.ROUTINE
    assert engine.triage("发烧39度5，全身痛").level is Level.URGENT
    assert engine.triage("发高烧三十九度半").level is Level.URGENT
    infant = engine.triage("BB两个月大，发烧38度")
    assert (infant.department, infant.level) == ("emergency", Level.EMERGENCY)
    assert infant.red_flags == ("infant_fever",)


def test_an_elderly_person_newly_confused_goes_to_the_emergency_department(
    engine: TriageEngine,
) -> None:
    result = engine.triage("我阿爸今年80岁，今日突然糊涂认不出人")
    assert result.level is Level.EMERGENCY and result.red_flags == ("elderly_confusion",)
    assert engine.triage("有点糊涂", age=30).red_flags == ()


def test_nothing_recognised_still_answers(engine: TriageEngine) -> None:
    result = engine.triage("你好")
    assert (result.department, result.level, result.matched) == (
        "general_medicine",
        Level.ROUTINE,
        (),
    )
    assert result.reason.startswith("暂时没听出具体症状")


def test_broken_data_fails_loudly(tmp_path: Path) -> None:
    data = small_knowledge(tmp_path)
    (data / "symptoms.yml").write_text(
        "entries:\n  - name: x\n    departments: [nowhere]\n", encoding="utf-8"
    )
    with pytest.raises(KnowledgeError, match="known departments"):
        load_knowledge(data)


def test_an_empty_phrase_fails_loudly(tmp_path: Path) -> None:
    data = small_knowledge(tmp_path)
    (data / "symptoms.yml").write_text(
        'entries:\n  - name: x\n    phrases: [头痛, ""]\n    departments: [neurology]\n',
        encoding="utf-8",
    )
    with pytest.raises(KnowledgeError, match="empty phrase"):
        load_knowledge(data)


def test_a_flags_words_inside_its_unless_words_do_not_count() -> None:
    from triage.engine import default_engine

    engine = default_engine()
    assert "suicide_self_harm" in engine.triage("想死").red_flags
    assert "suicide_self_harm" in engine.triage("我朋友说她吞了很多药想死").red_flags
    assert engine.triage("热到想死，有没有止汗的办法").red_flags == ()
    assert engine.triage("好耐冇见，想死你们了").red_flags == ()
    # the unless words of one flag do not hide another flag's words
    assert "chest_pain" in engine.triage("热到想死，胸口好痛").red_flags


@pytest.mark.parametrize("text", ["今朝量血压185/115，冇唔舒服", "上压一百九", "低压115，想开药"])
def test_a_very_high_blood_pressure_reading_is_same_day(engine: TriageEngine, text: str) -> None:
    result = engine.triage(text)
    assert (result.department, result.level) == ("cardiology", Level.URGENT)
    assert "血压很高" in result.matched


@pytest.mark.parametrize("text", ["血压140/90，想开药", "高血压20年", "12/25复诊"])
def test_an_ordinary_reading_or_a_date_is_not(engine: TriageEngine, text: str) -> None:
    assert "血压很高" not in engine.triage(text).matched


def test_an_unknown_blood_pressure_entry_fails_loudly(tmp_path: Path) -> None:
    data = small_knowledge(tmp_path)
    modifiers = (data / "modifiers.yml").read_text(encoding="utf-8")
    (data / "modifiers.yml").write_text(
        modifiers.replace("entry: 血压很高", "entry: 不存在"), encoding="utf-8"
    )
    with pytest.raises(KnowledgeError, match="blood_pressure"):
        load_knowledge(data)


@pytest.mark.parametrize("text", ["血压185/115，头痛得好犀利", "上压一百九，看不清东西"])
def test_a_high_reading_with_a_sign_of_damage_is_the_crisis_flag(
    engine: TriageEngine, text: str
) -> None:
    # No phrase names 185 or 一百九: the reading itself stands for the flag's first group.
    assert "hypertensive_crisis" in engine.triage(text).red_flags


def test_a_high_reading_without_a_sign_is_not_the_crisis_flag(engine: TriageEngine) -> None:
    assert engine.triage("血压185/115，冇唔舒服").red_flags == ()


def test_a_pressure_flag_that_is_no_flag_fails_loudly(tmp_path: Path) -> None:
    data = small_knowledge(tmp_path)
    modifiers = (data / "modifiers.yml").read_text(encoding="utf-8")
    (data / "modifiers.yml").write_text(
        modifiers.replace("red_flag: hypertensive_crisis", "red_flag: chest_pain"),
        encoding="utf-8",
    )
    with pytest.raises(KnowledgeError, match="no red flag with all_of"):
        load_knowledge(data)


def _with_words(data: Path, words: str, symptoms: str) -> None:
    (data / "words.yml").write_text(f"version: 1\nwords:\n{words}", encoding="utf-8")
    (data / "symptoms.yml").write_text(f"entries:\n{symptoms}", encoding="utf-8")


def test_a_word_class_stands_for_each_of_its_words(tmp_path: Path) -> None:
    data = small_knowledge(tmp_path)
    _with_words(
        data,
        "  press: [按, 揿]\n  pain: [痛, 疼]\n",
        "  - name: 胸壁按压痛\n    phrases: ['{press}*胸*{pain}', 肋骨痛]\n"
        "    departments: [orthopedics]\n",
    )
    entry = next(e for e in load_knowledge(data).entries if e.name == "胸壁按压痛")
    assert entry.phrases == ("按*胸*痛", "按*胸*疼", "揿*胸*痛", "揿*胸*疼", "肋骨痛")
    engine = TriageEngine(load_knowledge(data))
    assert engine.triage("揿落胸口好疼").department == "orthopedics"


@pytest.mark.parametrize(
    ("phrase", "error"),
    [("'{ache}*胸'", "unknown word classes"), ("'{pain*胸'", "stray brace"), ("'胸}痛'", "brace")],
)
def test_a_wrong_word_class_fails_loudly(tmp_path: Path, phrase: str, error: str) -> None:
    data = small_knowledge(tmp_path)
    _with_words(
        data,
        "  pain: [痛, 疼]\n",
        f"  - name: x\n    phrases: [{phrase}]\n    departments: [orthopedics]\n",
    )
    with pytest.raises(KnowledgeError, match=error):
        load_knowledge(data)


@pytest.mark.parametrize("words", ["  Pain: [痛]\n", "  pain: []\n", "  pain: ['痛*']\n"])
def test_a_malformed_word_class_fails_loudly(tmp_path: Path, words: str) -> None:
    data = small_knowledge(tmp_path)
    _with_words(data, words, "  - name: x\n    departments: [orthopedics]\n")
    with pytest.raises(KnowledgeError, match=r"words\.yml"):
        load_knowledge(data)


_SEIZURE_FLAG = """
  - name: seizure
    label: 抽搐不止
    level: emergency_ambulance
    or_all_of:
      - - [抽筋]
        - [白沫, 白泡]
      - - [抽筋]
        - [分钟]
        - [未停, 仲未停]
    advice: chest_pain
"""


def _with_flag(data: Path, flag: str) -> None:
    red_flags = (data / "red_flags.yml").read_text(encoding="utf-8")
    (data / "red_flags.yml").write_text(
        red_flags.replace("red_flags:\n", "red_flags:" + flag, 1), encoding="utf-8"
    )


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("突然抽筋，口水白泡泡", True),
        ("抽筋 全身硬晒 已经五分钟仲未停", True),
        ("小腿抽筋了几分钟", False),  # a cramp: one set's groups only in part
        ("口水白泡泡", False),
    ],
)
def test_a_flag_counts_when_every_group_of_one_set_matches(
    tmp_path: Path, text: str, flagged: bool
) -> None:
    data = small_knowledge(tmp_path)
    _with_flag(data, _SEIZURE_FLAG)
    result = TriageEngine(load_knowledge(data)).triage(text)
    assert ("seizure" in result.red_flags) is flagged


def test_an_or_all_of_set_of_one_group_fails_loudly(tmp_path: Path) -> None:
    data = small_knowledge(tmp_path)
    _with_flag(data, _SEIZURE_FLAG.replace("        - [白沫, 白泡]\n", ""))
    with pytest.raises(KnowledgeError, match="two groups"):
        load_knowledge(data)


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("指夹血氧89，没人陪我", True),
        ("血氧饱和度只有88%", True),
        ("肺炎，血氧仪显示90", True),
        ("血氧98，正常吗", False),
        ("血氧92", False),
    ],
)
def test_a_low_oxygen_reading_is_the_breathing_flag(
    engine: TriageEngine, text: str, flagged: bool
) -> None:
    assert ("breathing_difficulty" in engine.triage(text).red_flags) is flagged


@pytest.mark.parametrize(
    ("text", "reading"),
    [("血氧89", 89), ("spo2 87", 87), ("指脉氧显示90%", 90), ("血氧正常", None), ("血氧2", None)],
)
def test_oxygen_readings(text: str, reading: int | None) -> None:
    assert oxygen_in_text(text) == reading


def test_an_unknown_oxygen_flag_fails_loudly(tmp_path: Path) -> None:
    data = small_knowledge(tmp_path)
    modifiers = (data / "modifiers.yml").read_text(encoding="utf-8")
    (data / "modifiers.yml").write_text(
        modifiers.replace("red_flag: breathing_difficulty", "red_flag: no_such_flag"),
        encoding="utf-8",
    )
    with pytest.raises(KnowledgeError, match="oxygen"):
        load_knowledge(data)
