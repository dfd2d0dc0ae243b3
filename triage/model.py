"""The engine's vocabulary: urgency levels (ordered by caution) and the result."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Level(StrEnum):
    """Product levels, from the most to the least urgent (BRIEF §3: I, II, III, IV, advice)."""

    EMERGENCY_AMBULANCE = "emergency_ambulance"
    EMERGENCY = "emergency"
    URGENT = "urgent"
    ROUTINE = "routine"
    SELF_CARE = "self_care"

    @property
    def rank(self) -> int:
        """0 is the most urgent; a smaller rank is more cautious."""
        return _ORDER.index(self)

    def at_least(self, other: Level) -> Level:
        """The more cautious of the two."""
        return self if self.rank <= other.rank else other


_ORDER = list(Level)


@dataclass(frozen=True)
class TriageResult:
    department: str  # a code of the catalogue (triage/data/departments.yml)
    level: Level
    red_flags: tuple[str, ...]  # names of the matched red flags, most urgent first
    reason: str  # one sentence, Simplified Chinese
    alternatives: tuple[str, ...]  # other departments, best first
    matched: tuple[str, ...] = field(default=())  # what was recognised (canonical names)
    advice: str | None = None  # what to do now, for red flags

    def as_json(self) -> dict[str, Any]:
        return {
            "department": self.department,
            "level": self.level.value,
            "red_flags": list(self.red_flags),
            "reason": self.reason,
            "alternatives": list(self.alternatives),
            "matched": list(self.matched),
            "advice": self.advice,
        }
