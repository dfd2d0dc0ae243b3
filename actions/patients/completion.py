"""What happens after the binding form: announce the new patient and hand back to booking, or
forget the half-filled answers when the binding was refused, stopped or interrupted."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.hospital_identity import IdentityMismatch, link_hospital_record
from actions.patients import choices, parsing, tracking
from actions.patients.slots import (
    BINDING_FORM,
    BINDING_HELPERS,
    BOOKING_FORM,
    BOUND_PATIENT,
    OUTCOME,
    REMOVAL_FORM,
    RESUME_BOOKING,
    Outcome,
)
from actions.services import patient_services
from actions.tasks import form_slots
from integrations.his import HISError
from patients.service import PatientView

logger = logging.getLogger(__name__)

DomainDict = dict[str, Any]
Events = list[dict[str, Any]]


def forget_answers(domain: DomainDict) -> Events:
    """Empty every slot of both patient forms and the binding's helper slots."""
    slots = [*form_slots(domain, BINDING_FORM), *form_slots(domain, REMOVAL_FORM)]
    return [SlotSet(slot, None) for slot in (*slots, *BINDING_HELPERS)]


class ActionFinishPatientBinding(Action):
    def name(self) -> str:
        return "action_finish_patient_binding"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Events:
        resume = bool(tracker.get_slot(RESUME_BOOKING))
        # Always set (the rules after this action say so): nothing waits for a binding now.
        events = [*forget_answers(domain), SlotSet(RESUME_BOOKING, False)]
        if tracker.get_slot(OUTCOME) != Outcome.BOUND:
            return events  # refused: the form already said why
        patients = await patient_services().book.list_patients(tracking.openid(tracker))
        patient = choices.by_id(patients, parsing.patient_id(tracker.get_slot(BOUND_PATIENT)))
        if patient is not None:
            await _link_hospital_record(tracking.openid(tracker), patient)
            dispatcher.utter_message(
                response="utter_patient_bound",
                name=patient.masked_name,
                relation=patient.relation_label,
                document=patient.masked_document,
                phone=patient.masked_phone,
            )
        if resume:
            dispatcher.utter_message(response="utter_resume_booking")
            return [*events, FollowupAction(BOOKING_FORM)]
        dispatcher.utter_message(response="utter_after_patient_bound")
        return events


async def _link_hospital_record(openid: str, patient: PatientView) -> None:
    """Link the hospital's record now, so report-ready notices reach the user from the start;
    best effort: lookup and booking try again, and refuse a mismatch to the user's face."""
    try:
        await link_hospital_record(openid, patient)
    except IdentityMismatch:
        pass  # logged by the check; the next lookup or booking says so and audits it
    except HISError as exc:
        logger.warning("hospital record not linked at binding: %s", exc)


class ActionCancelPatientTask(Action):
    """Silent: ends a patient form after 「算了」 or an emergency, forgetting its answers. A
    booking waiting for the binding is not resumed."""

    def name(self) -> str:
        return "action_cancel_patient_task"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Events:
        # A half-finished binding leaves nothing behind: its encrypted draft is voided now.
        await patient_services().book.cancel_binding(tracker.sender_id)
        return [
            ActiveLoop(None),
            SlotSet(tracking.REQUESTED_SLOT, None),
            *forget_answers(domain),
            SlotSet(RESUME_BOOKING, False),
        ]
