"""Helpers of the booking action tests: valid ID numbers, trackers as Rasa sends them, runs."""

from __future__ import annotations

import uuid
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

OPENID = "oBookingUser000000000000001"


def resident_id(first17: str) -> str:
    """A valid 18-digit resident ID number (GB 11643 check character)."""
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(d) * w for d, w in zip(first17, weights, strict=True))
    return first17 + "10X98765432"[total % 11]


def tracker(
    text: str,
    intent: str = "inform",
    *,
    entities: dict[str, str] | None = None,
    slots: dict[str, Any] | None = None,
    new_slots: dict[str, Any] | None = None,
    active_loop: str | None = None,
    message_id: str | None = None,
    openid: str = OPENID,
) -> Tracker:
    """A tracker as Rasa sends it; `new_slots` are what Rasa's own mappings set this turn."""
    message = {
        "text": text,
        "message_id": message_id or uuid.uuid4().hex,  # Rasa gives every message its own
        "intent": {"name": intent, "confidence": 0.99},
        "entities": [{"entity": k, "value": v} for k, v in (entities or {}).items()],
    }
    values = {**(slots or {}), **(new_slots or {})}
    events: list[dict[str, Any]] = [{"event": "user", "text": text, "parse_data": message}]
    events += [{"event": "slot", "name": k, "value": v} for k, v in (new_slots or {}).items()]
    loop = {"name": active_loop} if active_loop else {}
    return Tracker(openid, values, message, events, False, None, loop, "action_listen")


async def run(action: Any, t: Tracker, domain: dict[str, Any]) -> tuple[list, list]:
    """(events, messages) of one action run."""
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, t, domain)
    return list(events), dispatcher.messages


def slot_events(events: list[dict[str, Any]]) -> dict[str, Any]:
    """The slots the events set, later events winning (as Rasa applies them)."""
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
