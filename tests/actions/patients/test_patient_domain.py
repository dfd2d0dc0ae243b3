"""The patient actions and `bot/domain/patients.yml` agree: every response the code can choose
exists, every action is declared, and the form slots are filled by the actions (custom)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rasa_sdk import Action

from actions.patients import binding, completion, management, removal, replies

ACTIONS_DIR = Path(binding.__file__).resolve().parent
MODULES = (binding, completion, management, removal)


def action_classes() -> list[type[Action]]:
    return [
        value
        for module in MODULES
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, Action)
        and value.__module__ == module.__name__
    ]


def test_every_response_the_code_names_is_in_the_domain(domain):
    literal = set()
    for source in ACTIONS_DIR.glob("*.py"):
        literal |= set(re.findall(r'response="(utter_[a-z0-9_]+)"', source.read_text()))
    named = literal | set(replies.every_response())
    assert len(named) > 50  # the scan found them (the regex still matches the code)
    assert sorted(named - set(domain["responses"])) == []


def test_every_action_is_declared(domain):
    names = {cls().name() for cls in action_classes()}
    assert len(names) == 10
    assert names == set(domain["actions"])


@pytest.mark.parametrize("form", ["patient_form", "patient_removal_form"])
def test_form_slots_are_filled_by_the_actions(domain, form):
    for slot in domain["forms"][form]["required_slots"]:
        assert domain["slots"][slot]["mappings"] == [{"type": "custom"}]
        assert domain["slots"][slot]["influence_conversation"] is False


def test_resume_booking_is_the_agreed_slot(domain):
    spec = domain["slots"]["resume_booking"]
    assert spec == {
        "type": "bool",
        "influence_conversation": True,
        "mappings": [{"type": "custom"}],
    }


def test_the_consent_text_says_what_why_how_and_the_right_to_delete(domain):
    [variant] = domain["responses"]["utter_ask_patient_consent"]
    text = variant["text"]
    for part in ("证件号码", "手机号码", "挂号", "报告", "医院", "加密", "删除"):
        assert part in text
    assert [b["payload"] for b in variant["buttons"]] == ["/affirm", "/deny"]


def test_responses_with_values_get_them(domain):
    """Each {placeholder} in a response text is a value some action passes."""
    sources = "\n".join(p.read_text() for p in ACTIONS_DIR.glob("*.py"))
    for name, variants in domain["responses"].items():
        if not name.startswith(("utter_patient", "utter_ask_patient", "utter_only")):
            continue
        for placeholder in re.findall(r"\{(\w+)\}", variants[0]["text"]):
            assert re.search(rf"\b{placeholder}=", sources) or f'"{placeholder}"' in sources, (
                name,
                placeholder,
            )
