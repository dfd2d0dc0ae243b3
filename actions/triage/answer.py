"""The triage answer: the department, the urgency and a one-sentence reason, then the offer to
book that department at once (the booking form gets the department and the patient). Never a
diagnosis and never a drug: one short reminder that this is where to go, not what it is."""

from __future__ import annotations

import json
import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.triage.booking_link import BookableDepartment, bookable_department
from actions.triage.emergency import utter_emergency
from actions.triage.state import read_state
from actions.triage.trail import record_answer
from integrations.his import HISError
from patients.triage_records import TriageKind
from triage.engine import default_engine
from triage.model import Level, TriageResult

logger = logging.getLogger(__name__)
DomainDict = dict[str, Any]
Events = list[dict[str, Any]]
OFFER_SLOT = "triage_offer"  # the department offered for booking, for a plain 「好」
# Where a department has no online booking, the resident can start here.
FIRST_CONTACT = "general_medicine"
_LEVEL_RESPONSES = {
    Level.URGENT: "utter_triage_urgent",
    Level.ROUTINE: "utter_triage_routine",
    Level.SELF_CARE: "utter_triage_self_care",
}


def book_payload(department: str, patient_id: str | None) -> str:
    entities: dict[str, str] = {"department": department}
    if patient_id:
        entities["patient_id"] = patient_id
    return "/book_appointment" + json.dumps(entities, ensure_ascii=False)


class ActionTriageAnswer(Action):
    def name(self) -> str:
        return "action_triage_answer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Events:
        state = read_state(tracker)
        engine = default_engine()
        result = engine.triage(state.text, age=state.age, sex=state.sex, facts=state.facts)
        logger.info(
            "triage answer: %s %s (%d questions)",
            result.department,
            result.level.value,
            len(state.answers),
        )
        if result.red_flags:
            utter_emergency(dispatcher, result)
            await record_answer(tracker, TriageKind.EMERGENCY, result, state)
            return [SlotSet(OFFER_SLOT, None)]
        dispatcher.utter_message(response="utter_triage_result", reason=result.reason)
        names = engine.departments
        alternatives = [names[c] for c in result.alternatives[:2] if c != "emergency"]
        if alternatives:
            dispatcher.utter_message(
                response="utter_triage_alternatives", departments="、".join(alternatives)
            )
        dispatcher.utter_message(
            response=_LEVEL_RESPONSES.get(result.level, "utter_triage_routine")
        )
        offered = await self._offer_booking(dispatcher, result, state.patient_id)
        await record_answer(
            tracker, TriageKind.ADVICE, result, state, booking_offered=offered is not None
        )
        return [SlotSet(OFFER_SLOT, offered.name if offered else None)]

    @staticmethod
    async def _offer_booking(
        dispatcher: CollectingDispatcher, result: TriageResult, patient_id: str | None
    ) -> BookableDepartment | None:
        name = default_engine().departments.get(result.department, result.department)
        try:
            target = await bookable_department(result.department)
            fallback = None if target else await bookable_department(FIRST_CONTACT)
        except HISError:
            logger.exception("reading the departments for a triage answer failed")
            dispatcher.utter_message(response="utter_triage_booking_unavailable")
            return None
        if target is not None:
            dispatcher.utter_message(
                response="utter_triage_offer_booking",
                department=target.name,
                buttons=_buttons(target.name, patient_id),
            )
            return target
        if fallback is not None:
            dispatcher.utter_message(
                response="utter_triage_book_first_contact",
                department=name,
                first_contact=fallback.name,
                buttons=_buttons(fallback.name, patient_id),
            )
            return fallback
        dispatcher.utter_message(response="utter_triage_not_bookable", department=name)
        return None


def _buttons(department: str, patient_id: str | None) -> list[dict[str, str]]:
    return [
        {"title": f"预约{department}", "payload": book_payload(department, patient_id)},
        {"title": "暂时不用", "payload": "/deny"},
    ]
