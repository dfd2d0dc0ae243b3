"""The resident's upcoming appointments: list them, cancel one, or move one (reschedule).

Appointments are looked up only through the user's own bound patients, so nobody can see or
touch another person's booking by guessing an id.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.booking.calendar import china_today, when_text
from actions.booking.filters import BOOKING_SLOTS
from actions.booking.form import latest_entity
from actions.booking.offers import doctor_text, place_text
from actions.booking.patients import patient_label
from actions.booking.when import parse_when
from actions.services import his_client, patient_services
from integrations.his import HISError
from integrations.his.errors import CancellationRefused
from integrations.his.models import Appointment
from patients.service import PatientView

logger = logging.getLogger(__name__)

DomainDict = dict[str, Any]
Events = list[dict[str, Any]]
MAX_LISTED = 10


@dataclass(frozen=True)
class Booked:
    patient: PatientView
    appointment: Appointment

    def summary(self) -> str:
        a = self.appointment
        return (
            f"{patient_label(self.patient)} {when_text(a.start)} "
            f"{a.institution_name} {a.department_name}{doctor_text(a)}"
        )


async def upcoming(openid: str) -> list[Booked]:
    """The user's patients' booked appointments from today on, soonest first."""
    today = china_today()
    found: list[Booked] = []
    for patient in await patient_services().book.list_patients(openid):
        if not patient.his_patient_id:
            continue  # never booked: the hospital does not know them yet
        for appointment in await his_client().list_appointments(
            patient.his_patient_id, from_date=today
        ):
            found.append(Booked(patient, appointment))
    return sorted(found, key=lambda b: b.appointment.start)


def narrowed(booked: list[Booked], tracker: Tracker) -> list[Booked]:
    """The appointments the message points at: by a choice's id, or by day and department."""
    chosen = latest_entity(tracker, "appointment_id")
    if chosen is not None:
        return [b for b in booked if b.appointment.id == chosen]
    day = parse_when(str(tracker.latest_message.get("text") or ""), china_today()).date
    department = latest_entity(tracker, "department")
    matching = [
        b
        for b in booked
        if (day is None or b.appointment.start.date() == day)
        and (department is None or b.appointment.department_name == department)
    ]
    return matching if (day or department) and matching else booked


def choice_buttons(booked: list[Booked], intent: str) -> list[dict[str, str]]:
    return [
        {"title": b.summary(), "payload": f'/{intent}{{"appointment_id": "{b.appointment.id}"}}'}
        for b in booked[:MAX_LISTED]
    ]


def can_still_change(appointment: Appointment, today: date) -> bool:
    """Cancelling or moving is allowed until the end of the day before (hospital rule)."""
    return appointment.start.date() > today


class ActionMyAppointments(Action):
    def name(self) -> str:
        return "action_my_appointments"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Events:
        if not await patient_services().book.list_patients(tracker.sender_id):
            dispatcher.utter_message(response="utter_no_patients_for_appointments")
            return []
        try:
            booked = await upcoming(tracker.sender_id)
        except HISError:
            logger.exception("listing appointments failed")
            dispatcher.utter_message(response="utter_booking_failed")
            return []
        if not booked:
            dispatcher.utter_message(response="utter_no_appointments")
            return []
        lines = []
        for n, b in enumerate(booked[:MAX_LISTED], start=1):
            lines.append(f"{n}. {b.summary()}\n   地点：{place_text(b.appointment)}")
            if b.appointment.patient_instruction:
                lines.append(f"   {b.appointment.patient_instruction}")
        dispatcher.utter_message(
            response="utter_my_appointments", count=len(booked), lines="\n".join(lines)
        )
        return []


class ActionStartCancel(Action):
    def name(self) -> str:
        return "action_start_cancel"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Events:
        # The rules run the cancel form when `task_ready` is true.
        reset: Events = [SlotSet("cancel_appointment_id", None), SlotSet("cancel_confirmed", None)]
        not_ready = [*reset, SlotSet("task_ready", False)]
        try:
            booked = narrowed(await upcoming(tracker.sender_id), tracker)
        except HISError:
            logger.exception("listing appointments failed")
            dispatcher.utter_message(response="utter_booking_failed")
            return not_ready
        if not booked:
            dispatcher.utter_message(response="utter_nothing_to_cancel")
            return not_ready
        if len(booked) == 1:
            reset[0] = SlotSet("cancel_appointment_id", booked[0].appointment.id)
        return [*reset, SlotSet("task_ready", True)]


class ValidateCancelForm(FormValidationAction):
    def name(self) -> str:
        return "validate_cancel_form"

    async def extract_cancel_appointment_id(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        chosen = latest_entity(tracker, "appointment_id")
        return {"cancel_appointment_id": chosen} if chosen else {}

    async def extract_cancel_confirmed(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") != "cancel_confirmed":
            return {}
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        return (
            {"cancel_confirmed": {"affirm": True, "deny": False}[intent]}
            if intent
            in (
                "affirm",
                "deny",
            )
            else {}
        )

    async def validate_cancel_appointment_id(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        booked = await upcoming(tracker.sender_id)
        if any(b.appointment.id == value for b in booked):
            return {"cancel_appointment_id": value}
        return {"cancel_appointment_id": None}


class ActionAskCancelAppointmentId(Action):
    def name(self) -> str:
        return "action_ask_cancel_appointment_id"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Events:
        booked = await upcoming(tracker.sender_id)
        dispatcher.utter_message(
            response="utter_ask_cancel_appointment_id",
            buttons=choice_buttons(booked, "inform"),
        )
        return []


class ActionAskCancelConfirmed(Action):
    def name(self) -> str:
        return "action_ask_cancel_confirmed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Events:
        chosen = tracker.get_slot("cancel_appointment_id")
        booked = [b for b in await upcoming(tracker.sender_id) if b.appointment.id == chosen]
        if not booked:
            return [SlotSet("cancel_appointment_id", None)]
        dispatcher.utter_message(response="utter_ask_cancel_confirmed", summary=booked[0].summary())
        return []


class ActionCancelAppointment(Action):
    def name(self) -> str:
        return "action_cancel_appointment"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Events:
        reset: Events = [SlotSet("cancel_appointment_id", None), SlotSet("cancel_confirmed", None)]
        if tracker.get_slot("cancel_confirmed") is not True:
            dispatcher.utter_message(response="utter_cancel_kept")
            return reset
        chosen = tracker.get_slot("cancel_appointment_id")
        try:
            booked = [b for b in await upcoming(tracker.sender_id) if b.appointment.id == chosen]
            if not booked:
                dispatcher.utter_message(response="utter_nothing_to_cancel")
                return reset
            cancelled = await his_client().cancel_appointment(str(chosen), reason_text="患者取消")
        except CancellationRefused:
            dispatcher.utter_message(
                response="utter_cancel_too_late", phone=await _phone(booked[0].appointment)
            )
            return reset
        except HISError:
            logger.exception("cancelling failed")
            dispatcher.utter_message(response="utter_booking_failed")
            return reset
        dispatcher.utter_message(
            response="utter_cancel_done", summary=Booked(booked[0].patient, cancelled).summary()
        )
        return reset


class ActionStartReschedule(Action):
    """Moves an appointment: the booking form runs again for the same patient, department,
    place and doctor, and booking the new slot cancels the old one (see `submit`)."""

    def name(self) -> str:
        return "action_start_reschedule"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Events:
        # The rules run the booking form when `task_ready` is true.
        not_ready: Events = [SlotSet("task_ready", False)]
        try:
            booked = await upcoming(tracker.sender_id)
        except HISError:
            logger.exception("listing appointments failed")
            dispatcher.utter_message(response="utter_booking_failed")
            return not_ready
        chosen_id = latest_entity(tracker, "appointment_id")
        candidates = [b for b in booked if b.appointment.id == chosen_id] if chosen_id else booked
        if not candidates:
            dispatcher.utter_message(response="utter_nothing_to_cancel")
            return not_ready
        if len(candidates) > 1:
            dispatcher.utter_message(
                response="utter_ask_reschedule_which",
                buttons=choice_buttons(candidates, "reschedule_appointment"),
            )
            return not_ready
        moving = candidates[0]
        if not can_still_change(moving.appointment, china_today()):
            dispatcher.utter_message(
                response="utter_cancel_too_late", phone=await _phone(moving.appointment)
            )
            return not_ready
        a = moving.appointment
        events: Events = [SlotSet(slot, None) for slot in BOOKING_SLOTS]
        events += [
            SlotSet("reschedule_from", a.id),
            SlotSet("booking_patient", str(moving.patient.id)),
            SlotSet("department", a.department_name),
            SlotSet("institution", a.institution_name),
            SlotSet("doctor", a.practitioner_name),
            SlotSet("task_ready", True),
        ]
        return events


async def _phone(appointment: Appointment) -> str:
    try:
        institution = await his_client().get_institution(appointment.institution_id)
    except HISError:
        return appointment.institution_name
    return f"{institution.name} {institution.phone}" if institution.phone else institution.name
