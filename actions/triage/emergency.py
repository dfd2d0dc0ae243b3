"""The emergency answer (red flags first, in any state of the dialogue): what the flag is, call
120 or go to the emergency department now, and what to do while waiting, from the triage data.
When DIET heard an emergency that the red-flag rules do not name, the general emergency answer
is given: erring toward safety."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.triage.state import read_state
from actions.triage.trail import record_answer
from patients.triage_records import TriageKind
from triage.engine import default_engine
from triage.model import Level, TriageResult

logger = logging.getLogger(__name__)
DomainDict = dict[str, Any]
Events = list[dict[str, Any]]
_MENTAL_HEALTH_FLAGS = {"suicide_self_harm"}
# Mid-triage, the triage's slots say whom it is about and how many questions were answered;
# elsewhere they may be a finished triage's, so they are not read.
TRIAGE_FORM = "triage_form"


def utter_emergency(dispatcher: CollectingDispatcher, result: TriageResult) -> None:
    """The emergency answer for a triage result with red flags (or the general one)."""
    if not result.red_flags:
        dispatcher.utter_message(response="utter_emergency")
        return
    if result.red_flags[0] in _MENTAL_HEALTH_FLAGS:
        # Suicidal or self-harm talk: a calm answer with 12356 and 120, not an alarm.
        dispatcher.utter_message(response="utter_emergency_mental_health", advice=result.advice)
    else:
        response = (
            "utter_emergency_call_120"
            if result.level is Level.EMERGENCY_AMBULANCE
            else "utter_emergency_go_now"
        )
        dispatcher.utter_message(response=response, reason=result.reason)
        if result.advice:
            dispatcher.utter_message(response="utter_emergency_while_waiting", advice=result.advice)
        if _MENTAL_HEALTH_FLAGS.intersection(result.red_flags):
            dispatcher.utter_message(response="utter_emergency_mental_health_line")
    # Flag names only, never the words: they are health data.
    logger.info("emergency answer: %s", ",".join(result.red_flags))


class ActionEmergency(Action):
    def name(self) -> str:
        return "action_emergency"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Events:
        text = str(tracker.latest_message.get("text") or "")
        result = default_engine().triage(text)
        utter_emergency(dispatcher, result)
        state = read_state(tracker) if tracker.active_loop_name == TRIAGE_FORM else None
        await record_answer(tracker, TriageKind.EMERGENCY, result, state)
        return []
