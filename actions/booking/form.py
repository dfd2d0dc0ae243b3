"""The booking form: for whom, which department, which free slot, and a confirmation.

The resident may give any subset in any order, in one message or over several, and change
their mind mid-form (「换成后天」「换个医生」). Every message is read for filters (dates from the
raw text, the rest from NLU entities); a changed filter drops the chosen slot, so the next
question offers slots that match. Choices come from the hospital's real free slots, nearest
first.
"""

from __future__ import annotations

import logging
from datetime import date, time
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.booking.calendar import china_today, day_text, last_bookable_day
from actions.booking.filters import FILTER_SLOTS, DateProblem, when_slots
from actions.booking.offers import MAX_OFFERS, find_offer, offer, offer_title
from actions.booking.patients import patient_label, pick_patient
from actions.services import his_client, patient_services
from actions.settings import get_settings
from integrations.his import HISError
from integrations.his.models import DayPeriod, PractitionerTitle, SlotQuery

logger = logging.getLogger(__name__)

DomainDict = dict[str, Any]
Events = list[dict[str, Any]]

TITLES = {
    "主任医师": PractitionerTitle.CHIEF_PHYSICIAN,
    "副主任医师": PractitionerTitle.ASSOCIATE_CHIEF_PHYSICIAN,
    "主治医师": PractitionerTitle.ATTENDING_PHYSICIAN,
    "医师": PractitionerTitle.RESIDENT_PHYSICIAN,
}
# 中午 has no clinic session of its own: it means around noon (late morning, early afternoon).
PERIOD_HOURS = {
    "morning": (None, time(12)),
    "noon": (time(11), time(14)),
    "afternoon": (time(12), time(18)),
    "evening": (time(18), None),
}
_PERIOD_WORDS = {"morning": "上午", "noon": "中午", "afternoon": "下午", "evening": "晚上"}


def latest_entity(tracker: Tracker, name: str) -> str | None:
    value = next(tracker.get_latest_entity_values(name), None)
    return str(value) if value else None


def slot_query(slots: dict[str, Any], *, relaxed: bool = False) -> SlotQuery:
    """The search for free slots matching what the resident said; `relaxed` keeps only where
    and with whom (for "nothing then; the nearest is…")."""
    title = TITLES.get(str(slots.get("doctor_title") or ""))
    query: dict[str, Any] = {
        "department_name": slots.get("department"),
        "practitioner_name": slots.get("doctor"),
        "practitioner_title": title,
        "limit": MAX_OFFERS,
    }
    day = slots.get("booking_date")
    if day and not relaxed:
        query.update(date_from=date.fromisoformat(day), date_to=date.fromisoformat(day))
        period = slots.get("booking_period")
        clock = slots.get("booking_time")
        if clock:
            query["time_from"] = time.fromisoformat(clock)
        elif period in ("morning", "afternoon", "evening"):
            query["period"] = DayPeriod(period)
        elif period == "noon":
            query["time_from"], query["time_to"] = PERIOD_HOURS["noon"]
    elif not relaxed and slots.get("booking_period") in ("morning", "afternoon", "evening"):
        query["period"] = DayPeriod(slots["booking_period"])
    return SlotQuery(**query)


def what_text(slots: dict[str, Any]) -> str:
    """「明天上午儿科（陈医生）」: what the resident asked for, for the bot's sentences."""
    parts: list[str] = []
    day = slots.get("booking_date")
    if day:
        parts.append(day_text(date.fromisoformat(day)))
    period = slots.get("booking_period")
    if period:
        parts.append(_PERIOD_WORDS.get(str(period), ""))
    if slots.get("booking_time"):
        parts.append(f"{slots['booking_time']}以后")
    if slots.get("institution"):
        parts.append(str(slots["institution"]))
    parts.append(str(slots.get("department") or ""))
    who = " ".join(str(s) for s in (slots.get("doctor"), slots.get("doctor_title")) if s)
    return "".join(parts) + (f"（{who}）" if who else "")


async def institution_ids(name: str | None) -> tuple[str, ...]:
    if not name:
        return ()
    found = await his_client().search_institutions()
    return tuple(i.id for i in found if i.name == name)


class ValidateBookingForm(FormValidationAction):
    def name(self) -> str:
        return "validate_booking_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Events:
        # Filters and the patient are read from every message, asked for or not.
        events = await self.extract_context(dispatcher, tracker)
        tracker.add_slots(events)
        return events + list(await super().run(dispatcher, tracker, domain))

    async def extract_context(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> Events:
        today = china_today()
        window = get_settings().booking_window_days
        text = str(tracker.latest_message.get("text") or "")
        found = when_slots(text, today, last_bookable_day(today, window))
        if found.problem is not None:
            self._explain_date(dispatcher, found.problem, today, window)
        changed = {k: v for k, v in found.values.items() if tracker.get_slot(k) != v}
        changed_by_nlu = [s for s in tracker.slots_to_validate() if s in FILTER_SLOTS]

        events: Events = [SlotSet(k, v) for k, v in changed.items()]
        if found.problem is not None:
            # The day asked for is not bookable: forget the old one too. The explicit event also
            # keeps Rasa from rejecting the form (and dropping the explanation) for want of a slot.
            events.append(SlotSet("booking_date", None))
        chosen = latest_entity(tracker, "booking_slot")
        if chosen is not None:
            events += [SlotSet("booking_slot", chosen), SlotSet("booking_confirmed", None)]
        elif (changed or changed_by_nlu) and tracker.get_slot("booking_slot") is not None:
            # The resident changed what they want: the chosen slot no longer fits.
            events += [SlotSet("booking_slot", None), SlotSet("booking_confirmed", None)]
        events += await self._patient_events(tracker)
        return events

    async def _patient_events(self, tracker: Tracker) -> Events:
        named_id = latest_entity(tracker, "patient_id")
        relation = latest_entity(tracker, "relation")
        if tracker.get_slot("booking_patient") is not None and named_id is None and not relation:
            return []
        patients = await patient_services().book.list_patients(tracker.sender_id)
        chosen = pick_patient(patients, patient_id=named_id, relation=relation)
        if chosen is None or str(chosen.id) == tracker.get_slot("booking_patient"):
            return []
        return [SlotSet("booking_patient", str(chosen.id))]

    @staticmethod
    def _explain_date(
        dispatcher: CollectingDispatcher, problem: DateProblem, today: date, window: int
    ) -> None:
        if problem.kind == "past":
            dispatcher.utter_message(response="utter_booking_date_past", date=day_text(problem.day))
        else:
            dispatcher.utter_message(
                response="utter_booking_date_too_far",
                date=day_text(problem.day),
                window=window,
                last_day=day_text(last_bookable_day(today, window)),
            )

    async def validate_booking_patient(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        patients = await patient_services().book.list_patients(tracker.sender_id)
        if any(str(p.id) == str(value) for p in patients):
            return {"booking_patient": str(value)}
        return {"booking_patient": None}

    async def validate_department(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        name = str(value)
        try:
            institutions = await his_client().search_institutions()
            departments = await his_client().list_departments([i.id for i in institutions])
        except HISError:
            logger.exception("listing departments failed")
            return {"department": name}  # checked again when slots are searched
        offering = {
            d.institution_name
            for d in departments
            if d.name == name and d.bookable and d.institution_name
        }
        if not offering:
            dispatcher.utter_message(response="utter_booking_department_unknown", department=name)
            return {"department": None}
        institution = tracker.get_slot("institution")
        if institution and institution not in offering:
            dispatcher.utter_message(
                response="utter_booking_department_not_here",
                institution=institution,
                department=name,
                buttons=[
                    {"title": i, "payload": f'/inform{{"institution": "{i}"}}'}
                    for i in sorted(offering)
                ],
            )
            return {"department": name, "institution": None}
        return {"department": name}

    async def validate_booking_slot(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if find_offer(tracker.get_slot("booking_offers"), str(value)) is None:
            return {"booking_slot": None}  # not one of the choices shown: show them again
        return {"booking_slot": str(value)}

    async def validate_booking_confirmed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value is True:
            return {"booking_confirmed": True}
        if value is None:  # reset by a change of wishes: simply ask again later
            return {"booking_confirmed": None}
        dispatcher.utter_message(response="utter_booking_not_confirmed")
        return {"booking_confirmed": None, "booking_slot": None}

    async def extract_booking_confirmed(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") != "booking_confirmed":
            return {}
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if intent == "affirm":
            return {"booking_confirmed": True}
        if intent == "deny":
            return {"booking_confirmed": False}
        return {}


class ActionAskBookingPatient(Action):
    def name(self) -> str:
        return "action_ask_booking_patient"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Events:
        patients = await patient_services().book.list_patients(tracker.sender_id)
        dispatcher.utter_message(
            response="utter_ask_booking_patient",
            buttons=[
                {"title": patient_label(p), "payload": f'/inform{{"patient_id": "{p.id}"}}'}
                for p in patients
            ],
        )
        return []


class ActionAskBookingSlot(Action):
    """Offers the nearest free slots that match; when none match, the nearest ones without the
    day and time; when there are none at all, says so and ends the form."""

    def name(self) -> str:
        return "action_ask_booking_slot"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Events:
        slots = tracker.current_slot_values()
        what = what_text(slots)
        try:
            ids = await institution_ids(slots.get("institution"))
            options = await his_client().find_free_slots(
                slot_query(slots).model_copy(update={"institution_ids": ids})
            )
            relaxed = not options and (slots.get("booking_date") or slots.get("booking_period"))
            if relaxed:
                options = await his_client().find_free_slots(
                    slot_query(slots, relaxed=True).model_copy(update={"institution_ids": ids})
                )
        except HISError:
            logger.exception("searching free slots failed")
            dispatcher.utter_message(response="utter_booking_failed")
            return [ActiveLoop(None), SlotSet("requested_slot", None)]
        if not options:
            dispatcher.utter_message(response="utter_booking_no_slots", what=what)
            return [ActiveLoop(None), SlotSet("requested_slot", None)]
        offers = [offer(o) for o in options]
        buttons = [
            {"title": offer_title(o), "payload": f'/inform{{"booking_slot": "{o["slot_id"]}"}}'}
            for o in offers
        ]
        if relaxed:
            dispatcher.utter_message(
                response="utter_booking_nearest_instead", what=what, buttons=buttons
            )
        else:
            patient = await self._patient_label(tracker)
            dispatcher.utter_message(
                response="utter_booking_choose_slot", patient=patient, what=what, buttons=buttons
            )
        dispatcher.utter_message(response="utter_booking_choose_slot_hint")
        return [SlotSet("booking_offers", offers)]

    @staticmethod
    async def _patient_label(tracker: Tracker) -> str:
        chosen = tracker.get_slot("booking_patient")
        patients = await patient_services().book.list_patients(tracker.sender_id)
        patient = pick_patient(patients, patient_id=chosen, relation=None)
        return f"给{patient_label(patient)}" if patient else ""


class ActionAskBookingConfirmed(Action):
    def name(self) -> str:
        return "action_ask_booking_confirmed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Events:
        chosen = find_offer(tracker.get_slot("booking_offers"), tracker.get_slot("booking_slot"))
        patients = await patient_services().book.list_patients(tracker.sender_id)
        patient = pick_patient(
            patients, patient_id=tracker.get_slot("booking_patient"), relation=None
        )
        if chosen is None or patient is None:
            return [SlotSet("booking_slot", None), SlotSet("requested_slot", "booking_slot")]
        dispatcher.utter_message(
            response="utter_ask_booking_confirmed",
            patient=patient_label(patient),
            when=chosen["when"],
            place=chosen["place"],
            department=chosen["department"],
            doctor=chosen["doctor"],
        )
        return []
