"""What the gateway does with one verified inbound message: the text Rasa should see, or a
fixed answer for what the dialogue cannot handle (images, unrecognised voice, ...)."""

from __future__ import annotations

from dataclasses import dataclass

from integrations.wechat import texts
from integrations.wechat.messages import InboundMessage

# Rasa intents triggered directly (`/intent`), bypassing NLU, for events.
SUBSCRIBE_TRIGGER = "/subscribe"


@dataclass(frozen=True, slots=True)
class Route:
    """Either `user_text` for Rasa, or a fixed `reply`, or neither (answer `success`)."""

    user_text: str | None = None
    reply: str | None = None


def route(message: InboundMessage) -> Route:
    match message.msg_type:
        case "text":
            # Residents must not be able to trigger intents or slots directly ("/intent{...}").
            content = (message.content or "").strip().lstrip("/").strip()
            if not content:
                return Route(reply=texts.EMPTY_MESSAGE)
            return Route(user_text=content)
        case "voice":
            recognition = (message.recognition or "").strip()
            if recognition:
                return Route(user_text=recognition)
            return Route(reply=texts.VOICE_NOT_RECOGNISED)
        case "event":
            if message.event == "subscribe":
                return Route(user_text=SUBSCRIBE_TRIGGER)
            # unsubscribe, menu views, location reports...: nothing to say back.
            return Route()
        case _:
            return Route(reply=texts.UNSUPPORTED_MESSAGE)
