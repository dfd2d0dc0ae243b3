"""The triage form: the follow-up questions the planner (triage/followup.py) finds worth
asking, one at a time, at most three. Every answer is added to the words the engine reads; an
answer that does not answer (「乜嘢？」 to "how old?") gets one clearer question, then counts as
unknown, so the resident is never stuck."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.services import patient_services
from actions.triage.start import patient_meant
from actions.triage.state import (
    AGE_SLOT,
    PATIENT_SLOT,
    QUESTION_SLOTS,
    RETRY_SLOT,
    SEX_SLOT,
    SLOT_QUESTIONS,
    TEXT_SLOT,
    read_state,
)
from triage.engine import default_engine
from triage.followup import UNKNOWN, Question, answer_value, plan

DomainDict = dict[str, Any]
Events = list[dict[str, Any]]
# Asked once more when the answer is unclear; the others take 「不清楚」 as an answer.
_RETRIED = (Question.WHO, Question.DURATION)


class ValidateTriageForm(FormValidationAction):
    def name(self) -> str:
        return "validate_triage_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Events:
        events = await self._read_answer(dispatcher, tracker)
        tracker.add_slots(events)
        return events + list(await super().run(dispatcher, tracker, domain))

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        state = read_state(tracker)
        questions = plan(
            default_engine(),
            state.text,
            age=state.age,
            sex=state.sex,
            facts=state.facts,
            answered=state.answered,
        )
        return [QUESTION_SLOTS[q] for q in questions]

    async def _read_answer(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> Events:
        requested = tracker.get_slot("requested_slot")
        question = SLOT_QUESTIONS.get(str(requested))
        if question is None:
            return []  # the message that started the triage: nothing asked yet
        text = str(tracker.latest_message.get("text") or "")
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        events: Events = []
        said = "" if text.startswith("/") else text  # a tapped choice's payload is not words
        if said:
            events.append(SlotSet(TEXT_SLOT, f"{tracker.get_slot(TEXT_SLOT) or ''}；{said}"))
        value = answer_value(question, text, intent)
        if question is Question.WHO:
            value, person_events = await self._who(tracker, said, value)
            events += person_events
        if value is None and question in _RETRIED and tracker.get_slot(RETRY_SLOT) != requested:
            dispatcher.utter_message(response=f"utter_triage_unclear_{question.value}")
            return [*events, SlotSet(RETRY_SLOT, requested), SlotSet(str(requested), None)]
        events.append(SlotSet(str(requested), value if value is not None else UNKNOWN))
        if question is Question.WHO and value not in (None, UNKNOWN):
            events.append(SlotSet(AGE_SLOT, float(str(value))))
        return events

    @staticmethod
    async def _who(tracker: Tracker, said: str, age: str | None) -> tuple[str | None, Events]:
        """「我阿妈」「我自己」 name a bound patient whose ID gives the age and sex."""
        relation = next(tracker.get_latest_entity_values("relation"), None)
        self_words = ("我自己", "自己", "本人", "我呀", "系我", "是我")
        if relation is None and not any(word in said for word in self_words):
            return age, []
        patients = await patient_services().book.list_patients(tracker.sender_id)
        patient = patient_meant(patients, said, str(relation) if relation else None)
        if patient is None:
            return age, []
        events: Events = [SlotSet(PATIENT_SLOT, str(patient.id))]
        if patient.sex is not None:
            events.append(SlotSet(SEX_SLOT, patient.sex.value))
        if age is None and patient.age is not None:
            age = str(patient.age)
        return age, events


class ActionAskTriageWho(Action):
    """「宝宝多大了？」 when the words speak of a child, else whose problem and how old."""

    def name(self) -> str:
        return "action_ask_triage_who"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Events:
        text = str(tracker.get_slot(TEXT_SLOT) or "")
        engine = default_engine()
        child = engine.is_child(engine.profile(text), text)
        dispatcher.utter_message(
            response="utter_ask_triage_child_age" if child else "utter_ask_triage_who"
        )
        return []
