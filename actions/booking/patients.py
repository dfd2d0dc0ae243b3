"""Which of the WeChat user's patients (就诊人) a booking is for."""

from __future__ import annotations

from collections.abc import Sequence

from patients.relations import parse_relation
from patients.service import PatientView


def pick_patient(
    patients: Sequence[PatientView], *, patient_id: str | None, relation: str | None
) -> PatientView | None:
    """The patient the message names (a choice's id, or a relation such as 「给我妈」), or the
    only one when the message names nobody; None when the user must be asked."""
    if patient_id is not None:
        return next((p for p in patients if str(p.id) == str(patient_id)), None)
    if relation is not None:
        wanted = parse_relation(relation)
        matching = [p for p in patients if p.relation == wanted]
        # A relative who is not bound (「给我老婆约」 with only oneself bound) is never
        # replaced by the only patient: the user is asked instead.
        return matching[0] if len(matching) == 1 else None
    if len(patients) == 1:
        return patients[0]
    return None


def patient_label(patient: PatientView) -> str:
    """「陈*文（本人）」: names are masked in messages, which Rasa's tracker keeps."""
    return f"{patient.masked_name}（{patient.relation_label}）"
