"""Leaving a task half-way: 「算了」「不约了」 stop whatever form is active, and forget its
answers, so the next task starts clean."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher

DomainDict = dict[str, Any]
Events = list[dict[str, Any]]


def form_slots(domain: DomainDict, form: str) -> list[str]:
    """The slots a form asks for, from the domain."""
    spec = domain.get("forms", {}).get(form, {})
    slots = spec.get("required_slots", []) if isinstance(spec, dict) else []
    return [slot for slot in slots if isinstance(slot, str)]


class ActionStopTask(Action):
    def name(self) -> str:
        return "action_stop_task"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Events:
        form = tracker.active_loop_name
        events: Events = [ActiveLoop(None), SlotSet("requested_slot", None)]
        if form:
            events.extend(SlotSet(slot, None) for slot in form_slots(domain, form))
        dispatcher.utter_message(response="utter_task_stopped")
        return events
