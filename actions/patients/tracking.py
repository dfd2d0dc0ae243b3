"""What the latest user message says, as the patient forms read it.

A form runs again after a digression (「荔湾有哪些医院」) or before a stop, with that message still
the latest one; messages with the intents in `NOT_AN_ANSWER` are left to the rules, never read
as an answer to the form's question.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker

REQUESTED_SLOT = "requested_slot"

# Intents that interrupt a form (rules answer them); everything else may be an answer, even
# nlu_fallback: a bare name such as 「梁志明」 often has no confident intent.
NOT_AN_ANSWER = frozenset(
    {"stop", "report_emergency", "list_institutions", "list_departments", "ask_capabilities"}
)


def openid(tracker: Tracker) -> str:
    """The WeChat OpenID: the gateway uses it as Rasa's sender id."""
    return str(tracker.sender_id)


def latest_intent(tracker: Tracker) -> str | None:
    intent: Any = (tracker.latest_message or {}).get("intent") or {}
    name = intent.get("name") if isinstance(intent, dict) else None
    return str(name) if name else None


def is_answer(tracker: Tracker) -> bool:
    """Whether the latest message may answer the form (see `NOT_AN_ANSWER`)."""
    return latest_intent(tracker) not in NOT_AN_ANSWER


def answer_text(tracker: Tracker) -> str:
    """The text of the latest message when it may answer the form, else ""."""
    if not is_answer(tracker):
        return ""
    text: Any = (tracker.latest_message or {}).get("text")
    return str(text) if text else ""


def latest_entity(tracker: Tracker, name: str) -> str | None:
    """The entity as said in the latest message (not a value remembered from earlier turns),
    when that message may answer the form."""
    if not is_answer(tracker):
        return None
    value = next(tracker.get_latest_entity_values(name), None)
    return str(value) if value else None


def asked(tracker: Tracker, slot: str) -> bool:
    """Whether the form's last question asked for `slot`."""
    return bool(tracker.get_slot(REQUESTED_SLOT) == slot)
