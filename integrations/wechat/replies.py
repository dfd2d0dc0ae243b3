"""What one dialogue turn says, in the two shapes WeChat can carry it.

A passive reply (the answer to WeChat's POST) holds one message: a text, or one image by
media_id. Customer-service pushes are separate messages sent in order: texts (choices as
tappable `msgmenu` items) and images. A turn's reply keeps both shapes, so the gateway can pick
one when it knows how the answer goes out, and the shared store can keep it for retries.
https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Passive_user_reply_message.html
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from integrations.wechat.rasa_client import BotMessage
from integrations.wechat.render import MAX_REPLY_BYTES, numbered_choices, trim_to_bytes


@dataclass(frozen=True, slots=True)
class TextPart:
    text: str
    # Choices offered under this text (Rasa buttons): tappable items when pushed.
    menu: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ImagePart:
    url: str


Part = TextPart | ImagePart


@dataclass(frozen=True, slots=True)
class Reply:
    # The passive text: every message joined, choices numbered, images as links.
    text: str
    # The same reply as pushed messages, in order.
    parts: tuple[Part, ...] = field(default_factory=tuple)
    # Set when the reply is one image already uploaded: the passive answer is that image.
    media_id: str | None = None

    @classmethod
    def plain(cls, text: str) -> Reply:
        return cls(text, (TextPart(text),))

    @property
    def has_images(self) -> bool:
        return any(isinstance(part, ImagePart) for part in self.parts)

    @property
    def single_image(self) -> str | None:
        """The URL when the reply is exactly one image and nothing else."""
        if len(self.parts) == 1 and isinstance(self.parts[0], ImagePart):
            return self.parts[0].url
        return None

    def with_media_id(self, media_id: str) -> Reply:
        return replace(self, media_id=media_id)

    def dumps(self) -> str:
        return json.dumps(
            {"text": self.text, "parts": dump_parts(self.parts), "media_id": self.media_id},
            ensure_ascii=False,
        )

    @classmethod
    def loads(cls, raw: str) -> Reply:
        data = json.loads(raw)
        return cls(data["text"], load_parts(data["parts"]), data.get("media_id"))


def build_reply(messages: Sequence[BotMessage]) -> Reply | None:
    """Both shapes of Rasa's messages for one turn; None when Rasa said nothing."""
    passive: list[str] = []
    parts: list[Part] = []
    for message in messages:
        titles = tuple(button.title for button in message.buttons)
        lines = [message.text] if message.text else []
        lines.extend(numbered_choices(titles))
        if message.image:
            lines.append(message.image)
        if lines:
            passive.append("\n".join(lines))
        if message.text or titles:
            parts.append(TextPart(message.text or "", titles))
        if message.image:
            parts.append(ImagePart(message.image))
    if not passive:
        return None
    return Reply(trim_to_bytes("\n\n".join(passive), MAX_REPLY_BYTES), tuple(_merge_texts(parts)))


def _merge_texts(parts: Sequence[Part]) -> list[Part]:
    """Consecutive texts become one pushed message (fewer messages, same order); a text with
    choices ends its group, since its choices belong under it."""
    merged: list[Part] = []
    for part in parts:
        last = merged[-1] if merged else None
        if (
            isinstance(part, TextPart)
            and isinstance(last, TextPart)
            and not last.menu
            and last.text
            and part.text
        ):
            merged[-1] = TextPart(f"{last.text}\n\n{part.text}", part.menu)
        else:
            merged.append(part)
    return merged


def dump_parts(parts: Sequence[Part]) -> list[dict[str, Any]]:
    dumped: list[dict[str, Any]] = []
    for part in parts:
        if isinstance(part, ImagePart):
            dumped.append({"image": part.url})
        else:
            dumped.append({"text": part.text, "menu": list(part.menu)})
    return dumped


def load_parts(raw: Sequence[Any]) -> tuple[Part, ...]:
    loaded: list[Part] = []
    for item in raw:
        if isinstance(item, str):  # jobs queued before images existed: plain texts
            loaded.append(TextPart(item))
        elif "image" in item:
            loaded.append(ImagePart(str(item["image"])))
        else:
            loaded.append(TextPart(str(item["text"]), tuple(item.get("menu", ()))))
    return tuple(loaded)
