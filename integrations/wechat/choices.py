"""Choices offered in a reply (Rasa buttons), and the resident's answer to them.

WeChat's passive text has no buttons, so choices are shown numbered; elderly residents answer
"1", "第一个" or "一", or tap a `msgmenu` item, which WeChat sends back as the item's text. The
offered choices are remembered per user until the next message.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

from common.chinese_numbers import parse_number
from integrations.wechat.rasa_client import BotMessage, RasaButton
from integrations.wechat.state import Store

CHOICES_TTL_SECONDS = 600
_NUMBERED = re.compile(
    r"^\s*(?:第|选)?\s*([0-9]{1,2}|[一二两三四五六七八九十])\s*(?:个|项|号|家)?\s*[。.!！]?\s*$"
)


def choices_key(openid: str) -> str:
    return f"user:{openid}:choices"


def offered_choices(messages: Sequence[BotMessage]) -> list[RasaButton]:
    """The buttons of the last message that has any (the ones the user sees numbered)."""
    for message in reversed(messages):
        if message.buttons:
            return list(message.buttons)
    return []


def chosen_payload(text: str, choices: Sequence[RasaButton]) -> str | None:
    """The payload the user picked by number or by the choice's exact title, if any."""
    match = _NUMBERED.match(text)
    if match:
        raw = match.group(1)
        number = parse_number(raw) or 0
        if 1 <= number <= len(choices):
            return choices[number - 1].payload or choices[number - 1].title
        return None
    stripped = text.strip()
    for choice in choices:
        if stripped == choice.title:
            return choice.payload or choice.title
    return None


async def remember_choices(store: Store, openid: str, messages: Sequence[BotMessage]) -> None:
    choices = offered_choices(messages)
    if choices:
        payload = json.dumps([c.model_dump() for c in choices], ensure_ascii=False)
        await store.set(choices_key(openid), payload, ttl=CHOICES_TTL_SECONDS)
    else:
        await store.delete(choices_key(openid))


async def resolve_choice(store: Store, openid: str, text: str) -> str:
    """What to send Rasa: the picked choice's payload, or the text as typed."""
    stored = await store.get(choices_key(openid))
    if not stored:
        return text
    choices = [RasaButton.model_validate(c) for c in json.loads(stored)]
    return chosen_payload(text, choices) or text
