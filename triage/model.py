"""The engine's vocabulary: urgency levels (ordered by caution) and the result."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any


class Level(str, Enum):  # noqa: UP042 (see below)
    """Product levels, from the most to the least urgent (BRIEF §3: I, II, III, IV, advice).

    `str, Enum` rather than StrEnum: Rasa's NLU component imports the engine on Python 3.10.
    """

    EMERGENCY_AMBULANCE = "emergency_ambulance"
    EMERGENCY = "emergency"
    URGENT = "urgent"
    ROUTINE = "routine"
    SELF_CARE = "self_care"

    def __str__(self) -> str:
        return self.value

    @property
    def rank(self) -> int:
        """0 is the most urgent; a smaller rank is more cautious."""
        return _ORDER.index(self)

    def at_least(self, other: Level) -> Level:
        """The more cautious of the two."""
        return self if self.rank <= other.rank else other


_ORDER = list(Level)


@dataclass(frozen=True)
class Facts:
    """Answers to the follow-up questions (triage/followup.py); None = not asked or unknown.
    Age and sex are passed to the engine apart, as the batch command does."""

    pregnant: bool | None = None
    fever: bool | None = None
    temperature: float | None = None  # °C, when the answer gave one and the words did not
    severe: bool | None = None  # 「好痛」「顶唔顺」: the pain or problem is severe
    duration_days: float | None = None


@dataclass(frozen=True)
class TriageResult:
    department: str  # a code of the catalogue (triage/data/departments.yml)
    level: Level
    red_flags: tuple[str, ...]  # names of the matched red flags, most urgent first
    reason: str  # one sentence, Simplified Chinese
    alternatives: tuple[str, ...]  # other departments, best first
    matched: tuple[str, ...] = field(default=())  # what was recognised (canonical names)
    advice: str | None = None  # what to do now, for red flags
    # Red flags the message names only negated (没有胸痛): never an alarm, but the NLU uses them
    # to overrule a classifier that heard an emergency.
    negated_red_flags: tuple[str, ...] = field(default=())

    def as_json(self) -> dict[str, Any]:
        return {
            "department": self.department,
            "level": self.level.value,
            "red_flags": list(self.red_flags),
            "reason": self.reason,
            "alternatives": list(self.alternatives),
            "matched": list(self.matched),
            "advice": self.advice,
            "negated_red_flags": list(self.negated_red_flags),
        }
