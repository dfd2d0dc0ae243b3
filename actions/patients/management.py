"""Listing the patients of a WeChat user and choosing the current one (切换就诊人).

The current patient is the one other flows use without asking; they ask "for whom" only when
there is more than one. Only masked values are shown.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.patients import choices, parsing, tracking
from actions.patients.slots import (
    PATIENT_ID_ENTITY,
    PATIENTS_ON_FILE,
    RELATION_ENTITY,
    PatientsOnFile,
)
from actions.services import patient_services
from patients.errors import PatientNotFound
from patients.relations import RELATION_LABELS, parse_relation
from patients.service import BindingPolicy, PatientView

DomainDict = dict[str, Any]
Events = list[dict[str, Any]]

SWITCH_INTENT = "switch_patient"
# PatientBook enforces its own limit; this one only decides what the dialogue offers.
MAX_PATIENTS = BindingPolicy().max_patients


class ActionCheckPatients(Action):
    """Silent: sets `patients_on_file` so that rules can refuse a 6th patient before asking
    anything, or say there is nobody to remove."""

    def name(self) -> str:
        return "action_check_patients"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Events:
        count = len(await patient_services().book.list_patients(tracking.openid(tracker)))
        if count == 0:
            value = PatientsOnFile.EMPTY
        elif count >= MAX_PATIENTS:
            value = PatientsOnFile.FULL
        else:
            value = PatientsOnFile.SOME
        return [SlotSet(PATIENTS_ON_FILE, value.value)]


class ActionListPatients(Action):
    def name(self) -> str:
        return "action_list_patients"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Events:
        patients = await patient_services().book.list_patients(tracking.openid(tracker))
        if not patients:
            dispatcher.utter_message(response="utter_no_patients")
            return []
        others = [patient for patient in patients if not patient.is_selected]
        dispatcher.utter_message(
            response="utter_patient_list" if others else "utter_patient_list_single",
            count=len(patients),
            limit=MAX_PATIENTS,
            lines=choices.lines(patients),
            buttons=choices.buttons(others, SWITCH_INTENT),
        )
        return []


class ActionSwitchPatient(Action):
    """Makes a patient the current one: the one named by a button, or by the relation said
    (「换成我妈」); otherwise offers the others as buttons."""

    def name(self) -> str:
        return "action_switch_patient"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Events:
        user = tracking.openid(tracker)
        patients = await patient_services().book.list_patients(user)
        if not patients:
            dispatcher.utter_message(response="utter_no_patients")
            return []
        chosen_id = parsing.patient_id(tracking.latest_entity(tracker, PATIENT_ID_ENTITY))
        candidates = patients
        if chosen_id is None:
            said = tracking.latest_entity(tracker, RELATION_ENTITY)
            relation = parse_relation(said) if said else None
            if relation is not None:
                candidates = choices.with_relation(patients, relation)
                if not candidates:
                    dispatcher.utter_message(
                        response="utter_patient_relation_not_found",
                        relation=RELATION_LABELS[relation],
                    )
                    candidates = patients
                elif len(candidates) == 1:
                    chosen_id = candidates[0].id
        if chosen_id is None and len(patients) == 1:
            only = patients[0]
            dispatcher.utter_message(
                response="utter_only_one_patient",
                name=only.masked_name,
                relation=only.relation_label,
            )
            return []
        if chosen_id is not None:
            try:
                patient = await patient_services().book.select_patient(user, chosen_id)
            except PatientNotFound:
                dispatcher.utter_message(response="utter_patient_error_patient_not_found")
            else:
                _say_current(dispatcher, patient)
                return []
        dispatcher.utter_message(
            response="utter_ask_patient_to_switch",
            buttons=choices.buttons(_unselected_first(candidates), SWITCH_INTENT),
        )
        return []


def _say_current(dispatcher: CollectingDispatcher, patient: PatientView) -> None:
    dispatcher.utter_message(
        response="utter_patient_switched",
        name=patient.masked_name,
        relation=patient.relation_label,
    )


def _unselected_first(patients: list[PatientView]) -> list[PatientView]:
    # The current patient stays offered (a resident may just want to confirm it), but last.
    return sorted(patients, key=lambda patient: patient.is_selected)
