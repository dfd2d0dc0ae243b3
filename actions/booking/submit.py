"""Booking the confirmed slot at the hospital, and moving an appointment (reschedule).

The patient is registered with the hospital (建档) on their first booking. The booking request
carries an idempotency key made from the confirming message, so a repeated action run or a
retried request never books twice. A reschedule books the new slot first and only then cancels
the old appointment; if that cancellation fails, the new booking is cancelled again, so the
resident keeps exactly one of the two.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.booking.calendar import day_text, when_text
from actions.booking.filters import BOOKING_SLOTS
from actions.booking.offers import doctor_text, place_text
from actions.booking.patients import patient_label, pick_patient
from actions.hospital_identity import IdentityMismatch, check_hospital_patient, registration_for
from actions.services import his_client, patient_services
from integrations.his import HISError
from integrations.his.errors import BookingRefused, CancellationRefused, SlotTaken
from integrations.his.models import Appointment
from patients.service import PatientView

logger = logging.getLogger(__name__)

DomainDict = dict[str, Any]
Events = list[dict[str, Any]]


def idempotency_key(tracker: Tracker, slot_id: str, patient_id: str) -> str:
    """One key per decision to book: the confirming message, the slot and the patient."""
    message_id = tracker.latest_message.get("message_id") or ""
    raw = f"{tracker.sender_id}|{message_id}|{slot_id}|{patient_id}"
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:32]


async def his_patient_id(openid: str, patient: PatientView) -> str:
    """The hospital's id for the patient, registering them (建档) the first time."""
    if patient.his_patient_id:
        return patient.his_patient_id
    book = patient_services().book
    identity = await book.identity_for_registration(openid, patient.id)
    his_id = await his_client().register_patient(registration_for(identity))
    # Registration returns an existing record for a known ID number, whoever typed it.
    await check_hospital_patient(his_id, identity)
    await book.set_his_patient_id(openid, patient.id, his_id)
    return his_id


def appointment_fields(appointment: Appointment) -> dict[str, str]:
    return {
        "when": when_text(appointment.start),
        "place": place_text(appointment),
        "department": appointment.department_name,
        "doctor": doctor_text(appointment),
        "instruction": appointment.patient_instruction or "",
    }


def done_events() -> Events:
    return [SlotSet(slot, None) for slot in (*BOOKING_SLOTS, "booking_offers")]


class ActionBookAppointment(Action):
    def name(self) -> str:
        return "action_book_appointment"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Events:
        openid = tracker.sender_id
        slot_id = str(tracker.get_slot("booking_slot") or "")
        patients = await patient_services().book.list_patients(openid)
        patient = pick_patient(
            patients, patient_id=tracker.get_slot("booking_patient"), relation=None
        )
        if patient is None or not slot_id:
            dispatcher.utter_message(response="utter_booking_failed")
            return done_events()
        try:
            his_id = await his_patient_id(openid, patient)
            appointment = await his_client().book_appointment(
                slot_id, his_id, idempotency_key(tracker, slot_id, str(patient.id))
            )
        except SlotTaken:
            # Someone was faster: offer the next slots for the same wishes.
            dispatcher.utter_message(response="utter_booking_slot_taken")
            return [
                SlotSet("booking_slot", None),
                SlotSet("booking_confirmed", None),
                FollowupAction("booking_form"),
            ]
        except BookingRefused as refusal:
            self._explain_refusal(dispatcher, refusal, patient)
            return done_events()
        except IdentityMismatch:
            dispatcher.utter_message(response="utter_hospital_identity_mismatch")
            return done_events()
        except HISError:
            logger.exception("booking failed")
            dispatcher.utter_message(response="utter_booking_failed")
            return done_events()

        moved_from = tracker.get_slot("reschedule_from")
        if moved_from:
            return await self._finish_reschedule(dispatcher, str(moved_from), appointment)
        dispatcher.utter_message(
            response="utter_booking_done",
            patient=patient_label(patient),
            **appointment_fields(appointment),
        )
        return done_events()

    @staticmethod
    def _explain_refusal(
        dispatcher: CollectingDispatcher, refusal: BookingRefused, patient: PatientView
    ) -> None:
        if refusal.reason == "patient-blocked" and refusal.blocked_until:
            dispatcher.utter_message(
                response="utter_booking_blocked",
                patient=patient_label(patient),
                until=day_text(refusal.blocked_until),
            )
        else:
            dispatcher.utter_message(response="utter_booking_refused", detail=refusal.detail)

    @staticmethod
    async def _finish_reschedule(
        dispatcher: CollectingDispatcher, old_id: str, new: Appointment
    ) -> Events:
        his = his_client()
        try:
            old = await his.cancel_appointment(old_id, reason_text="改约")
        except (CancellationRefused, HISError) as exc:
            logger.warning("reschedule: cancelling the old appointment failed (%s)", exc)
            try:
                await his.cancel_appointment(new.id, reason_text="改约失败，撤回新预约")
            except HISError:
                logger.exception("reschedule: could not withdraw the new appointment %s", new.id)
            if isinstance(exc, CancellationRefused):
                dispatcher.utter_message(response="utter_cancel_too_late", phone="医院")
            else:
                dispatcher.utter_message(response="utter_booking_failed")
            return done_events()
        dispatcher.utter_message(
            response="utter_rescheduled", old_when=when_text(old.start), **appointment_fields(new)
        )
        return done_events()
