"""The shipped knowledge (`triage/data/`): it loads, every red flag and its colloquial and
Cantonese variants trigger (tests/triage/red_flag_phrases.yml, written apart from the phrase
lists), negations and everyday complaints do not, and the NLU's non-emergency training lines
never raise a false alarm."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from triage.engine import default_engine
from triage.knowledge import load_knowledge
from triage.model import Level

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
PHRASES = yaml.safe_load((HERE / "red_flag_phrases.yml").read_text(encoding="utf-8"))
MUST_TRIGGER = [
    (flag, sentence)
    for flag, sentences in PHRASES["must_trigger"].items()
    for sentence in sentences
]
EMERGENCIES = (Level.EMERGENCY_AMBULANCE, Level.EMERGENCY)


def test_the_shipped_knowledge_loads_and_covers_the_brief() -> None:
    knowledge = load_knowledge()
    assert len(knowledge.departments) == 30
    names = {flag.name for flag in knowledge.red_flags}
    brief = {
        "chest_pain",
        "breathing_difficulty",
        "stroke_signs",
        "fainting_unconscious",
        "sudden_confusion",
        "seizure",
        "heavy_bleeding",
        "severe_allergy",
        "severe_burn",
        "head_injury",
        "severe_abdominal_pain",
        "floppy_child",
        "poisoning",
        "suicide_self_harm",
    }
    assert brief <= names
    assert len(knowledge.entries) >= 450  # symptoms and named conditions
    suicide = next(flag for flag in knowledge.red_flags if flag.name == "suicide_self_harm")
    assert "12356" in suicide.advice and "120" in suicide.advice


@pytest.mark.parametrize(("flag", "sentence"), MUST_TRIGGER)
def test_every_red_flag_and_its_variants_trigger(flag: str, sentence: str) -> None:
    result = default_engine().triage(sentence)
    assert flag in result.red_flags, (sentence, result.red_flags)
    assert result.level in EMERGENCIES and result.department == "emergency"
    assert result.advice


@pytest.mark.parametrize("sentence", PHRASES["must_not_trigger"])
def test_negations_and_everyday_complaints_do_not(sentence: str) -> None:
    result = default_engine().triage(sentence)
    assert result.red_flags == (), (sentence, result.red_flags)


def test_the_nlu_training_lines_raise_no_false_alarm() -> None:
    """Every non-emergency training line of the NLU (booking, reports, patients …)."""
    alarms = []
    for path in sorted((REPO / "nlu" / "data").glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in data.get("nlu") or []:
            if "intent" not in block or block["intent"] == "report_emergency":
                continue
            for line in str(block.get("examples") or "").splitlines():
                text = line.strip().removeprefix("- ")
                if text and default_engine().triage(_plain(text)).red_flags:
                    alarms.append(f"{block['intent']}: {text}")
    assert alarms == []


def _plain(example: str) -> str:
    """A training line without its entity annotations: [血常规]{...} → 血常规."""
    return re.sub(r"\[([^\]]+)\](\{[^}]*\}|\([^)]*\))", r"\1", example)
