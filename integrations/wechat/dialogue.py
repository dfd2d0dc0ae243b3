"""What the gateway does with one verified inbound message: the text Rasa should see, or a
fixed answer for what the dialogue cannot handle (images, unrecognised voice, ...)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from integrations.wechat import texts
from integrations.wechat.messages import InboundMessage

# Rasa intents triggered directly (`/intent`), bypassing NLU, for events.
SUBSCRIBE_TRIGGER = "/subscribe"
QR_SCENE_PREFIX = "qrscene_"


@dataclass(frozen=True, slots=True)
class Route:
    """Either `user_text` for Rasa, or a fixed `reply`, or neither (answer `success`)."""

    user_text: str | None = None
    reply: str | None = None


def route(message: InboundMessage, click_intents: Mapping[str, str] | None = None) -> Route:
    """Decide what to do with `message`; `click_intents` maps menu CLICK keys to intents."""
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
            return _route_event(message, click_intents or {})
        case _:
            return Route(reply=texts.UNSUPPORTED_MESSAGE)


def _route_event(message: InboundMessage, click_intents: Mapping[str, str]) -> Route:
    key = (message.event_key or "").strip()
    match message.event:
        case "subscribe":
            # A QR code at a clinic desk carries its scene: welcome to that clinic.
            scene = key.removeprefix(QR_SCENE_PREFIX) if key.startswith(QR_SCENE_PREFIX) else ""
            return Route(user_text=welcome_trigger(scene))
        case "scan":
            # A follower scanned a clinic's QR code again.
            return Route(user_text=welcome_trigger(key))
        case "click":
            trigger = click_intents.get(key)
            return Route(user_text=trigger) if trigger else Route(reply=texts.UNKNOWN_MENU_ITEM)
        case _:
            # unsubscribe, VIEW (a link opened), location reports...: nothing to say back.
            return Route()


def welcome_trigger(scene: str) -> str:
    if not scene:
        return SUBSCRIBE_TRIGGER
    return SUBSCRIBE_TRIGGER + json.dumps({"scene": scene[:64]}, ensure_ascii=False)
