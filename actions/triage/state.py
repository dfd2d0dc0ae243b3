"""What a triage conversation keeps in Rasa's slots, and the engine's view of it.

The words the resident said about the problem (the first message and every answer) are kept
in `triage_text`; each follow-up question has a slot holding its answer as the planner reads it
(`yes`/`no`, `severe`/`mild`, a number of days or years, or `unknown`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rasa_sdk import Tracker

from triage.followup import UNKNOWN, Question, facts_from_answers
from triage.model import Facts

TEXT_SLOT = "triage_text"
AGE_SLOT = "triage_age"  # from the bound patient (ID number) or the resident's answer
SEX_SLOT = "triage_sex"
PATIENT_SLOT = "triage_patient"  # the bound patient this is about, handed to booking
RETRY_SLOT = "triage_retry"  # the question asked once more because its answer was unclear
QUESTION_SLOTS: dict[Question, str] = {q: f"triage_{q.value}" for q in Question}
SLOT_QUESTIONS: dict[str, Question] = {slot: q for q, slot in QUESTION_SLOTS.items()}
ALL_SLOTS = (TEXT_SLOT, AGE_SLOT, SEX_SLOT, PATIENT_SLOT, RETRY_SLOT, *QUESTION_SLOTS.values())


@dataclass(frozen=True)
class TriageState:
    text: str
    age: float | None
    sex: str | None
    patient_id: str | None
    answers: dict[Question, str]

    @property
    def answered(self) -> list[Question]:
        return list(self.answers)

    @property
    def facts(self) -> Facts:
        return facts_from_answers(self.answers)


def read_state(tracker: Tracker) -> TriageState:
    slots: dict[str, Any] = tracker.current_slot_values()
    answers = {q: str(slots[s]) for q, s in QUESTION_SLOTS.items() if slots.get(s) is not None}
    who = answers.get(Question.WHO)
    age = _float(slots.get(AGE_SLOT))
    if age is None and who not in (None, UNKNOWN):
        age = _float(who)
    sex = slots.get(SEX_SLOT)
    return TriageState(
        text=str(slots.get(TEXT_SLOT) or ""),
        age=age,
        sex=str(sex) if sex in ("male", "female") else None,
        patient_id=str(slots[PATIENT_SLOT]) if slots.get(PATIENT_SLOT) else None,
        answers=answers,
    )


def _float(value: Any) -> float | None:
    try:
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None
