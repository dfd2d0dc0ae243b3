"""Helpers of the patient dialogue tests: a fake clock, the `Stand` of real services (patient
book, vault, SMS stand-in), and a `Chat` that plays the parts of the gateway (redacting numbers)
and of Rasa's form loop. The fixtures that build them are in conftest.py."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from patients.drafts import PatientDraft
from patients.identity import resident_id_check_character
from patients.service import PatientBook, PatientView
from patients.vault import PIIVault

OPENID = "oPatientDialogue0001"


def resident_id(first17: str) -> str:
    """A resident ID with a correct check character."""
    return first17 + resident_id_check_character(first17)


class FakeClock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC).replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.now

    def timestamp(self) -> float:
        return self.now.timestamp()

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class Stand:
    book: PatientBook
    vault: PIIVault
    sessions: async_sessionmaker[AsyncSession]
    sms_api: httpx.AsyncClient
    clock: FakeClock

    async def latest_code(self, phone_e164: str) -> str:
        """The code in the last SMS the stand-in "sent" to this phone."""
        response = await self.sms_api.get("/sandbox/messages", params={"phone": phone_e164})
        messages = response.json()
        assert messages, f"no SMS was sent to {phone_e164[:5]}…"
        code: str = messages[0]["params"]["code"]
        return code

    async def sms_count(self) -> int:
        return len((await self.sms_api.get("/sandbox/messages")).json())

    async def bind(
        self, openid: str, name: str, relation: str, document: str, phone: str
    ) -> PatientView:
        """Bind a patient straight through the book (for tests about what comes after)."""
        # Under another version: the dialogue still asks for its own (v1).
        await self.book.record_consent(openid, "test", "同意")
        await self.book.start_binding(openid, PatientDraft(name, relation, document, phone))
        phone_e164 = "+86" + phone if not phone.startswith("+") else phone
        view = await self.book.confirm_binding(openid, await self.latest_code(phone_e164))
        self.clock.advance(seconds=61)  # past the resend interval, for the next binding
        return view


@dataclass
class Turn:
    events: list[dict[str, Any]]
    messages: list[dict[str, Any]]
    asked: str | None = None  # the slot the form asks for next (None: the form ended)

    @property
    def responses(self) -> list[str | None]:
        return [message.get("response") for message in self.messages]

    def slot_events(self) -> dict[str, Any]:
        return {e["name"]: e["value"] for e in self.events if e.get("event") == "slot"}


@dataclass
class Chat:
    """One resident's conversation: slots carried over turns as Rasa's tracker would."""

    stand: Stand
    domain: dict[str, Any]
    openid: str = OPENID
    slots: dict[str, Any] = field(default_factory=dict)
    active_loop: str | None = None
    transcript: list[Any] = field(default_factory=list)  # every event and message

    async def redact(self, text: str) -> str:
        """What the gateway does to each message before Rasa sees it."""
        return await self.stand.vault.redact(self.openid, text)

    def tracker(
        self, intent: str, text: str, entities: dict[str, str] | None = None, *, events: Any = ()
    ) -> Tracker:
        message = {
            "text": text,
            "intent": {"name": intent, "confidence": 0.99},
            "entities": [{"entity": k, "value": v} for k, v in (entities or {}).items()],
        }
        loop = {"name": self.active_loop} if self.active_loop else {}
        return Tracker(
            self.openid, dict(self.slots), message, list(events), False, None, loop, "action_listen"
        )

    async def run(self, action: Action, tracker: Tracker) -> Turn:
        dispatcher = CollectingDispatcher()
        events = await action.run(dispatcher, tracker, self.domain)
        for event in events:
            if event.get("event") == "slot":
                self.slots[event["name"]] = event["value"]
        self.transcript += [*events, *dispatcher.messages]
        return Turn(events, dispatcher.messages)

    async def form(
        self,
        validation: Action,
        form: str,
        intent: str,
        text: str = "",
        entities: dict[str, str] | None = None,
    ) -> Turn:
        """One run of Rasa's form loop: validate the latest message, then choose the slot to
        ask next (the validation action's choice, else the first empty required slot)."""
        if self.active_loop != form:
            self.active_loop = form
            self.slots["requested_slot"] = None
        boundary = [{"event": "action", "name": form}]
        turn = await self.run(validation, self.tracker(intent, text, entities, events=boundary))
        chosen = [e for e in turn.events if e.get("name") == "requested_slot"]
        if chosen:
            asked = chosen[-1]["value"]
        else:
            required = self.domain["forms"][form]["required_slots"]
            asked = next((slot for slot in required if self.slots.get(slot) is None), None)
        self.slots["requested_slot"] = asked
        if asked is None:
            self.active_loop = None
        turn.asked = asked
        return turn

    async def typed(
        self,
        validation: Action,
        form: str,
        text: str,
        intent: str = "inform",
        entities: dict[str, str] | None = None,
    ) -> Turn:
        """A typed message: redacted like the gateway does, then one form run."""
        return await self.form(validation, form, intent, await self.redact(text), entities)
