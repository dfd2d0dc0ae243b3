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
    ],
)
def test_a_symptom_holding_a_cue_negates_nothing(text: str) -> None:
    assert _hits([("chest", "胸口痛"), ("chest", "胸痛")], text) == {"chest"}


def test_a_symptom_word_is_still_negated_itself() -> None:
    phrases = [("weak", "冇晒力"), ("fever", "发烧")]
    assert _hits(phrases, "冇晒力，冇发烧") == {"weak"}
    assert _hits(phrases, "没有冇晒力") == set()
