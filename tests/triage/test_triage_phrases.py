"""Phrase matching and negation (triage/phrases.py), on small hand-made indexes."""

from __future__ import annotations

import pytest

from triage.phrases import PhraseIndex, normalise


def _hits(phrases: list[tuple[str, str]], text: str) -> set[str]:
    index = PhraseIndex(phrases)
    return {m.key for m in index.find(normalise(text)) if not m.negated}


def test_one_character_and_multi_part_phrases_are_found() -> None:
    phrases = [("vomit", "呕"), ("chest", "胸口*痛"), ("ache", "头痛"), ("stop", "抽筋*分钟")]
    assert _hits(phrases, "佢一直呕") == {"vomit"}
    assert _hits(phrases, "胸口好似好痛") == {"chest"}
    assert _hits(phrases, "抽筋抽了五分钟") == {"stop"}
    assert _hits(phrases, "头痛，胸口有啲痛") == {"ache", "chest"}


@pytest.mark.parametrize(
    "text",
    ["没有胸痛", "冇胸痛", "唔系胸痛", "否认胸痛", "胸口唔痛", "胸口不痛", "无明显胸痛"],
)
def test_a_cue_negates(text: str) -> None:
    assert _hits([("chest", "胸痛"), ("chest", "胸口*痛")], text) == set()


@pytest.mark.parametrize(
    "text",
    [
        "我好唔舒服胸口痛",  # 唔舒服 is a complaint, not a denial
        "成个人冇晒力，胸口痛",
        "冇力胸痛",
        "讲唔清，胸口痛",
        "唔知点解胸口痛",
        "无缘无故胸口痛",
        "是不是胸口痛",
        "唔小心饮咗，胸口痛",  # by accident: 唔 denies nothing here
    ],
)
def test_a_symptom_holding_a_cue_negates_nothing(text: str) -> None:
    assert _hits([("chest", "胸口痛"), ("chest", "胸痛")], text) == {"chest"}


def test_a_symptom_word_is_still_negated_itself() -> None:
    phrases = [("weak", "冇晒力"), ("fever", "发烧")]
    assert _hits(phrases, "冇晒力，冇发烧") == {"weak"}
    assert _hits(phrases, "没有冇晒力") == set()


@pytest.mark.parametrize(
    "text",
    ["胸口有啲唔妥，闷闷地", "胸口有点不对劲很闷", "胸口不舒服好闷", "胸口闷得受不了"],
)
def test_a_complaint_inside_a_gap_does_not_negate(text: str) -> None:
    assert _hits([("tight", "胸口*闷")], text) == {"tight"}


def test_a_plain_not_inside_a_gap_still_negates() -> None:
    assert _hits([("tight", "胸口*闷")], "胸口一点都不闷") == set()


def test_spoken_fillers_between_spaces_are_dropped() -> None:
    spoken = "嗯 那个 就是 我 胸口 然后 一阵一阵 紧"
    assert normalise(spoken) == "我胸口一阵一阵紧"
    assert _hits([("tight", "胸口*紧")], "嗯 那个 胸口 然后 那个 就是 好 紧") == {"tight"}


def test_fillers_inside_words_are_kept() -> None:
    assert normalise("就是胸口痛，然后呢") == "就是胸口痛然后呢"
    assert normalise("那个药 吃完 头晕") == "那个药吃完头晕"


def test_clause_breaks_follow_the_dropped_fillers() -> None:
    from triage.phrases import clause_breaks

    text = "嗯 冇发烧， 胸口 痛"
    assert normalise(text) == "冇发烧胸口痛"
    assert clause_breaks(text) == frozenset({3})
    index = PhraseIndex([("chest", "胸口*痛"), ("fever", "发烧")])
    found = index.find(normalise(text), clause_breaks(text))
    assert {m.key for m in found if not m.negated} == {"chest"}


def test_the_look_alike_of_mouth_is_read_as_mouth() -> None:
    assert normalise("胸囗痛") == "胸口痛"
