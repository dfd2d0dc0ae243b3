"""Starting a triage: forget the last one, keep the resident's words, and find whom they are
about among the user's bound patients (their age and sex then need no question)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.booking.patients import pick_patient
from actions.services import patient_services
from actions.triage.state import AGE_SLOT, ALL_SLOTS, PATIENT_SLOT, SEX_SLOT, TEXT_SLOT
from patients.relations import Relation
from patients.service import PatientView
from triage.engine import default_engine

DomainDict = dict[str, Any]
Events = list[dict[str, Any]]


def patient_meant(
    patients: list[PatientView], text: str, relation: str | None
) -> PatientView | None:
    """The bound patient the words are about: the relative named (「我妈头晕」), or the user
    themself when the words name nobody else; None when it is not clear."""
    if relation is not None:
        return pick_patient(patients, patient_id=None, relation=relation)
    if default_engine().names_someone_else(text):
        return None
    return next((p for p in patients if p.relation == Relation.SELF), None)


class ActionStartTriage(Action):
    def name(self) -> str:
        return "action_start_triage"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Events:
        text = str(tracker.latest_message.get("text") or "")
        if text.startswith("/"):
            text = ""  # the menu's 智能导诊: no words yet, so the form asks what is wrong
        events: Events = [SlotSet(slot, None) for slot in ALL_SLOTS]
        events.append(SlotSet(TEXT_SLOT, text))
        relation = next(tracker.get_latest_entity_values("relation"), None)
        patients = await patient_services().book.list_patients(tracker.sender_id)
        patient = patient_meant(patients, text, str(relation) if relation else None)
        if patient is not None:
            events.append(SlotSet(PATIENT_SLOT, str(patient.id)))
            if patient.age is not None:
                events.append(SlotSet(AGE_SLOT, float(patient.age)))
            if patient.sex is not None:
                events.append(SlotSet(SEX_SLOT, patient.sex.value))
        return events
