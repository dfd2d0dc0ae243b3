"""The decision behind the NLU's red-flag check (nlu/components/red_flags.py), kept free of Rasa
so that it is tested on the modern environment.

Every message the resident types goes through the triage engine's red-flag rules, whatever DIET
thinks it means: a red flag makes the intent `report_emergency` with full confidence, so the
emergency answer comes first in any state of the dialogue (mid-booking, mid-binding, mid-triage).
The other way round, when DIET hears an emergency in a message whose only red-flag words are
plainly negated (「没有胸痛，就是咳嗽」), the message is a symptom description instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from triage.engine import TriageEngine

EMERGENCY_INTENT = "report_emergency"
SYMPTOMS_INTENT = "describe_symptoms"


@dataclass(frozen=True)
class Override:
    intent: str
    confidence: float
    red_flags: tuple[str, ...]


def decide(engine: TriageEngine, text: str, predicted_intent: str | None) -> Override | None:
    """The intent to put in place of DIET's, or None to keep DIET's."""
    if not text or text.startswith("/"):
        return None  # a tapped choice's payload, not the resident's words
    result = engine.triage(text)
    if result.red_flags:
        return Override(EMERGENCY_INTENT, 1.0, result.red_flags)
    if predicted_intent == EMERGENCY_INTENT and result.negated_red_flags:
        return Override(SYMPTOMS_INTENT, 1.0, ())
    return None
