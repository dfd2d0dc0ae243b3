"""The decision behind the NLU's red-flag check (nlu/components/red_flags.py), kept free of Rasa
so that it is tested on the modern environment.

Every message the resident types goes through the triage engine's red-flag rules, whatever DIET
thinks it means: a red flag makes the intent `report_emergency` with full confidence, so the
emergency answer comes first in any state of the dialogue (mid-booking, mid-binding, mid-triage).
The other way round, when DIET hears an emergency in a message whose only red-flag words are
plainly negated (「没有胸痛，就是咳嗽」), the message is a symptom description instead. And when
DIET is unsure (below the fallback threshold) of a message in which the engine recognises a
symptom or a named condition (「手麻到手肘」), it is a symptom description rather than "not
understood": the resident gets the triage's questions, never a shrug.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from triage.engine import TriageEngine

EMERGENCY_INTENT = "report_emergency"
SYMPTOMS_INTENT = "describe_symptoms"


@dataclass(frozen=True)
class Override:
    intent: str
    confidence: float
    red_flags: tuple[str, ...]


# FallbackClassifier's threshold (bot/config.yml): below it DIET's guess is "not understood".
UNSURE_BELOW = 0.55
SYMPTOMS_CONFIDENCE = 0.8  # above the fallback threshold, below a red flag's certainty


def decide(
    engine: TriageEngine,
    text: str,
    predicted_intent: str | None,
    confidence: float = 1.0,
    unsure_below: float = UNSURE_BELOW,
) -> Override | None:
    """The intent to put in place of DIET's, or None to keep DIET's."""
    if not text or text.startswith("/"):
        return None  # a tapped choice's payload, not the resident's words
    result = engine.triage(text)
    if result.red_flags:
        return Override(EMERGENCY_INTENT, 1.0, result.red_flags)
    if predicted_intent == EMERGENCY_INTENT and result.negated_red_flags:
        return Override(SYMPTOMS_INTENT, 1.0, ())
    if confidence < unsure_below and result.matched:
        return Override(SYMPTOMS_INTENT, SYMPTOMS_CONFIDENCE, ())
    return None


def reranked(override: Override, ranking: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The intent ranking after an override: the override first, the others sharing what is
    left of the confidence. Left at DIET's values, one close to 1.0 would make
    FallbackClassifier call the overridden message ambiguous (nlu_fallback)."""
    rest = 1.0 - override.confidence
    others = [
        {**r, "confidence": float(r.get("confidence") or 0.0) * rest}
        for r in ranking
        if r.get("name") != override.intent
    ]
    return [{"name": override.intent, "confidence": override.confidence}, *others]
