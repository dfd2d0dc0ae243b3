"""Starting a booking: forget the last booking's answers, keep what this message says, and
make sure there is a patient to book for (binding one first when there is none; the rules in
`bot/data/rules/booking.yml` branch on `resume_booking`)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.booking.calendar import china_today, last_bookable_day
from actions.booking.filters import BOOKING_SLOTS, when_slots
from actions.services import patient_services
from actions.settings import get_settings

DomainDict = dict[str, Any]
Events = list[dict[str, Any]]
# Kept across bookings: the clinic a resident came from (a QR code at its desk) stays the default.
_KEPT = {"institution"}
_FROM_ENTITIES = {"department", "doctor", "doctor_title", "institution"}


def fresh_booking_events(tracker: Tracker) -> Events:
    """Reset the booking slots, then set what the latest message itself says."""
    said = {e.get("entity") for e in tracker.latest_message.get("entities", [])}
    events: Events = [
        SlotSet(slot, None)
        for slot in BOOKING_SLOTS
        if slot not in _KEPT and not (slot in _FROM_ENTITIES and slot in said)
    ]
    today = china_today()
    window = last_bookable_day(today, get_settings().booking_window_days)
    found = when_slots(str(tracker.latest_message.get("text") or ""), today, window)
    events += [SlotSet(slot, value) for slot, value in found.values.items()]
    # The date problem, if any, is explained by the form when it reads this message.
    return events + _triage_offer_events(tracker)


def _triage_offer_events(tracker: Tracker) -> Events:
    """A plain 「好」 to the booking a triage answer offered books that department, for the
    patient the triage was about (a tapped offer carries both in its payload instead)."""
    offered = tracker.get_slot("triage_offer")
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    if not offered or intent != "affirm":
        return []
    events: Events = [SlotSet("department", offered), SlotSet("triage_offer", None)]
    if patient := tracker.get_slot("triage_patient"):
        events.append(SlotSet("booking_patient", str(patient)))
    return events


class ActionStartBooking(Action):
    def name(self) -> str:
        return "action_start_booking"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Events:
        events = fresh_booking_events(tracker)
        patients = await patient_services().book.list_patients(tracker.sender_id)
        # The rules branch on `resume_booking`: bind a patient first, or book now.
        if not patients:
            dispatcher.utter_message(response="utter_booking_need_patient")
            return [*events, SlotSet("resume_booking", True)]
        return [*events, SlotSet("resume_booking", False)]
