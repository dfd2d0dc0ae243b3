"""Patients as buttons and list lines (pure). Only masked values: bot messages are stored in
Rasa's tracker.

WeChat shows buttons numbered, so a resident answers 「2」 instead of typing a name.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from actions.patients.slots import PATIENT_ID_ENTITY
from patients.relations import Relation
from patients.service import PatientView

# Marks the current patient in lists; the response text says what it means.
CURRENT_MARK = "★"


def title(patient: PatientView) -> str:
    """张*丰（父母）"""
    return f"{patient.masked_name}（{patient.relation_label}）"


def buttons(patients: Sequence[PatientView], intent: str) -> list[dict[str, str]]:
    """One button per patient whose payload names it: /switch_patient{"patient_id": "3"}."""
    return [
        {
            "title": title(patient),
            "payload": f"/{intent}" + json.dumps({PATIENT_ID_ENTITY: str(patient.id)}),
        }
        for patient in patients
    ]


def lines(patients: Sequence[PatientView]) -> str:
    """One entry per patient: name, relation, masked document and phone. Bullets, not numbers:
    the numbers a resident answers with belong to the buttons under the list."""
    entries = []
    for patient in patients:
        mark = CURRENT_MARK if patient.is_selected else ""
        entries.append(
            f"· {title(patient)}{mark}\n"
            f"  {patient.document_label} {patient.masked_document}\n"
            f"  {patient.masked_phone}"
        )
    return "\n".join(entries)


def selected(patients: Sequence[PatientView]) -> PatientView | None:
    return next((patient for patient in patients if patient.is_selected), None)


def with_relation(patients: Sequence[PatientView], relation: Relation) -> list[PatientView]:
    return [patient for patient in patients if patient.relation is relation]


def by_id(patients: Sequence[PatientView], patient_id: int | None) -> PatientView | None:
    return next((patient for patient in patients if patient.id == patient_id), None)
