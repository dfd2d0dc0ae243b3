"""Removing a patient: `patient_removal_form` asks which one (only when there is more than one)
and for confirmation; `action_remove_patient` then deletes the patient's personal data."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction

from actions.patients import choices, parsing, tracking
from actions.patients.slots import (
    PATIENT_ID_ENTITY,
    RELATION_ENTITY,
    REMOVAL_CONFIRMED,
    REMOVAL_FORM,
    TO_REMOVE,
)
from actions.services import patient_services
from patients.errors import PatientNotFound
from patients.relations import RELATION_LABELS, Relation, parse_relation
from patients.service import PatientView

DomainDict = dict[str, Any]
Events = list[dict[str, Any]]
SlotUpdates = dict[str, Any]

CHOICE_INTENT = "inform"
_RELATION_PREFIX = "relation:"
_UNCLEAR = "unclear"
# Typed 「确认删除」 is understood as remove_patient: saying it again at this question means yes.
_CONFIRMING_INTENTS = {"affirm": True, "remove_patient": True, "deny": False}


class ValidatePatientRemovalForm(FormValidationAction):
    def name(self) -> str:
        return f"validate_{REMOVAL_FORM}"

    async def extract_patient_to_remove(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotUpdates:
        chosen = tracking.latest_entity(tracker, PATIENT_ID_ENTITY)
        if chosen is not None:
            return {TO_REMOVE: chosen}
        relation = tracking.latest_entity(tracker, RELATION_ENTITY)
        if relation is not None:
            return {TO_REMOVE: _RELATION_PREFIX + relation}
        if tracking.asked(tracker, TO_REMOVE):
            text = tracking.answer_text(tracker)
            return {TO_REMOVE: _RELATION_PREFIX + text} if text else {}
        if tracker.get_slot(tracking.REQUESTED_SLOT) is None and not tracker.get_slot(TO_REMOVE):
            # The form is starting: with a single patient there is nobody to choose between.
            patients = await patient_services().book.list_patients(tracking.openid(tracker))
            if len(patients) == 1:
                return {TO_REMOVE: str(patients[0].id)}
        return {}

    async def extract_patient_removal_confirmed(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotUpdates:
        if not tracking.asked(tracker, REMOVAL_CONFIRMED) or not tracking.is_answer(tracker):
            return {}
        if any(tracking.latest_entity(tracker, e) for e in (PATIENT_ID_ENTITY, RELATION_ENTITY)):
            return {}  # another patient chosen: that one gets its own confirmation question
        intent = tracking.latest_intent(tracker) or ""
        return {REMOVAL_CONFIRMED: _CONFIRMING_INTENTS.get(intent, _UNCLEAR)}

    async def validate_patient_to_remove(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotUpdates:
        patients = await patient_services().book.list_patients(tracking.openid(tracker))
        answer = str(value)
        if not answer.startswith(_RELATION_PREFIX):
            patient = choices.by_id(patients, parsing.patient_id(answer))
            if patient is None:
                dispatcher.utter_message(response="utter_patient_error_patient_not_found")
                return {TO_REMOVE: None}
            return {TO_REMOVE: str(patient.id)}
        relation = parse_relation(answer.removeprefix(_RELATION_PREFIX))
        if relation is None:
            dispatcher.utter_message(response="utter_patient_choice_unclear")
            return {TO_REMOVE: None}
        matching = choices.with_relation(patients, relation)
        if len(matching) == 1:
            return {TO_REMOVE: str(matching[0].id)}
        if not matching:
            dispatcher.utter_message(
                response="utter_patient_relation_not_found", relation=RELATION_LABELS[relation]
            )
        # Several match: the question that follows offers just those.
        return {TO_REMOVE: None}

    async def validate_patient_removal_confirmed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotUpdates:
        if isinstance(value, bool):
            return {REMOVAL_CONFIRMED: value}
        dispatcher.utter_message(response="utter_patient_removal_unclear")
        return {REMOVAL_CONFIRMED: None}


class ActionAskPatientToRemove(Action):
    def name(self) -> str:
        return f"action_ask_{TO_REMOVE}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Events:
        patients = await patient_services().book.list_patients(tracking.openid(tracker))
        said = tracking.latest_entity(tracker, RELATION_ENTITY)
        _ask_which(dispatcher, patients, parse_relation(said) if said else None)
        return []


class ActionAskPatientRemovalConfirmed(Action):
    def name(self) -> str:
        return f"action_ask_{REMOVAL_CONFIRMED}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Events:
        patients = await patient_services().book.list_patients(tracking.openid(tracker))
        patient = choices.by_id(patients, parsing.patient_id(tracker.get_slot(TO_REMOVE)))
        if patient is None:  # removed meanwhile (another device): choose again
            dispatcher.utter_message(response="utter_patient_error_patient_not_found")
            _ask_which(dispatcher, patients, None)
            return [SlotSet(TO_REMOVE, None), SlotSet(tracking.REQUESTED_SLOT, TO_REMOVE)]
        dispatcher.utter_message(
            response="utter_ask_patient_removal_confirmed",
            name=patient.masked_name,
            relation=patient.relation_label,
            document=patient.masked_document,
        )
        return []


class ActionRemovePatient(Action):
    def name(self) -> str:
        return "action_remove_patient"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Events:
        events: Events = [SlotSet(TO_REMOVE, None), SlotSet(REMOVAL_CONFIRMED, None)]
        patient_id = parsing.patient_id(tracker.get_slot(TO_REMOVE))
        if tracker.get_slot(REMOVAL_CONFIRMED) is not True or patient_id is None:
            dispatcher.utter_message(response="utter_patient_kept")
            return events
        book = patient_services().book
        user = tracking.openid(tracker)
        before = await book.list_patients(user)
        removed = choices.by_id(before, patient_id)
        try:
            await book.remove_patient(user, patient_id)
        except PatientNotFound:
            dispatcher.utter_message(response="utter_patient_error_patient_not_found")
            return events
        dispatcher.utter_message(
            response="utter_patient_removed", name=removed.masked_name if removed else ""
        )
        if removed is not None and removed.is_selected:
            current = choices.selected(await book.list_patients(user))
            if current is not None:
                dispatcher.utter_message(
                    response="utter_patient_switched",
                    name=current.masked_name,
                    relation=current.relation_label,
                )
        return events


def _ask_which(
    dispatcher: CollectingDispatcher, patients: list[PatientView], relation: Relation | None
) -> None:
    """Offer the patients as buttons: only those with the relation said, when it names more
    than one of them."""
    matching = choices.with_relation(patients, relation) if relation else []
    offered = matching if len(matching) > 1 else patients
    dispatcher.utter_message(
        response="utter_ask_patient_to_remove", buttons=choices.buttons(offered, CHOICE_INTENT)
    )
