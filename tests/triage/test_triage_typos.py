"""Input-method slips and regional words read as the word meant (triage/data/typos.yml)."""

from __future__ import annotations

from pathlib import Path

import pytest
from triage_fixtures import small_knowledge

from triage.engine import default_engine
from triage.knowledge import KnowledgeError, load_knowledge
from triage.model import Level


@pytest.mark.parametrize(
    ("text", "flag"),
    [
        ("想自沙", "suicide_self_harm"),
        ("过敏性休可了怎么办", "severe_allergy"),
        ("我妈突然中读了，一直吐", "poisoning"),
        ("爸爸吐雪了", "gi_bleeding"),
        ("烫上面积好大，整只手起泡", "severe_burn"),
    ],
)
def test_a_slip_in_a_red_flag_still_raises_it(text: str, flag: str) -> None:
    assert flag in default_engine().triage(text).red_flags


@pytest.mark.parametrize(
    "text",
    ["又烧上38度了，喉咙痛", "我担心更多的是血压", "家中独居老人想预约体检", "过明天再去复查"],
)
def test_everyday_words_that_sound_alike_are_left_alone(text: str) -> None:
    result = default_engine().triage(text)
    assert result.red_flags == ()
    assert result.level is not Level.EMERGENCY_AMBULANCE


@pytest.mark.parametrize(
    ("text", "flag"),
    [
        ("阮阿嫲心肝头翳到好辛苦，一身冷汗", "chest_pain"),  # Chaozhou: 心肝头 is the chest
        ("阿公喘到无气，喙唇乌乌", "breathing_difficulty"),  # 喙唇: lips
        ("俺爸脑瓜子磕破了，一直犯迷糊", "head_injury"),  # northern: 脑瓜子 is the head
        ("想zisha", "suicide_self_harm"),  # pinyin left unconverted
    ],
)
def test_regional_words_and_pinyin_are_read(text: str, flag: str) -> None:
    assert flag in default_engine().triage(text).red_flags


def test_every_reading_keeps_the_length_so_offsets_hold() -> None:
    typos = default_engine().knowledge.typos
    assert typos
    assert all(len(wrong) == len(read) and wrong != read for wrong, read in typos.items())
    assert typos["脑瓜子"] == "__头"


def test_a_reading_longer_than_what_was_written_fails_loudly(tmp_path: Path) -> None:
    data = small_knowledge(tmp_path)
    (data / "typos.yml").write_text("typos:\n  自沙: 自杀了\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match="no longer"):
        load_knowledge(data)


def test_a_phrase_written_with_a_regional_word_is_read_like_the_message(tmp_path: Path) -> None:
    from triage.engine import TriageEngine

    data = small_knowledge(tmp_path)
    (data / "typos.yml").write_text("regional:\n  头壳: 头\n", encoding="utf-8")
    symptoms = (data / "symptoms.yml").read_text(encoding="utf-8")
    (data / "symptoms.yml").write_text(
        symptoms + "  - name: 头壳痛\n    phrases: [头壳痛]\n    departments: [neurology]\n",
        encoding="utf-8",
    )
    # Without reading the phrase too, 头壳痛 could never match once the message says _头痛.
    assert "头壳痛" in TriageEngine(load_knowledge(data)).triage("阿婆头壳痛").matched
