"""Free slots offered to the resident, as kept in the conversation between turns.

The offered choices are remembered in a slot (no personal data: times, places, doctors), so the
confirmation can show the chosen one without asking the hospital again.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from actions.booking.calendar import when_text
from integrations.his.models import SlotDetails

MAX_OFFERS = 5


def doctor_text(details: SlotDetails) -> str:
    """「 · 陈明 主任医师」, or empty for clinic-level slots (e.g. vaccination)."""
    if not details.practitioner_name:
        return ""
    title = f" {details.practitioner_title}" if details.practitioner_title else ""
    return f" · {details.practitioner_name}{title}"


def place_text(details: SlotDetails) -> str:
    where = details.location_name or details.address
    return f"{details.institution_name}（{where}）" if where else details.institution_name


def offer(details: SlotDetails) -> dict[str, Any]:
    """What the dialogue remembers of one offered slot."""
    return {
        "slot_id": details.slot_id,
        "when": when_text(details.start),
        "start": details.start.isoformat(),
        "place": place_text(details),
        "institution": details.institution_name,
        "department": details.department_name,
        "doctor": doctor_text(details),
    }


def offer_title(remembered: dict[str, Any]) -> str:
    """One line per choice: 「11月24日（周二）09:30 荔枝湾中心医院 · 陈明 主任医师」"""
    return f"{remembered['when']} {remembered['institution']}{remembered['doctor']}"


def find_offer(offers: Sequence[dict[str, Any]] | None, slot_id: str) -> dict[str, Any] | None:
    return next((o for o in offers or () if o.get("slot_id") == slot_id), None)
