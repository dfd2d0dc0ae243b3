"""Parsing of WeChat's inbound XML and rendering of passive XML replies.

Untrusted XML is parsed with defusedxml (no entities, no DTDs, no external references).
Message formats: https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Receiving_standard_messages.html
Subscribe-message events carry repeated `<List>` entries inside a wrapper element (XML), or a
`List` object or array (JSON):
https://developers.weixin.qq.com/doc/service/guide/product/subscription_messages/push.html
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal
from xml.etree.ElementTree import Element

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

REQUIRED_FIELDS = ("ToUserName", "FromUserName", "CreateTime", "MsgType")
LIST_TAG = "List"
WRAPPER_PREFIX = "SubscribeMsg"  # SubscribeMsgPopupEvent, SubscribeMsgChangeEvent, ...
# A popup asks for at most a few templates; anything beyond this is not WeChat.
MAX_LIST_ITEMS = 20


class MalformedMessage(ValueError):
    """The body is not a WeChat message we can read; the reason is safe to log."""


WireFormat = Literal["xml", "json"]


@dataclass(frozen=True, slots=True)
class ListItem:
    """One `List` entry of an event (e.g. a template the user accepted), its scalar fields."""

    fields: tuple[tuple[str, str], ...]

    def get(self, name: str) -> str | None:
        return next((value for key, value in self.fields if key == name), None)


@dataclass(frozen=True, slots=True)
class InboundMessage:
    to_user: str
    from_user: str
    create_time: int
    msg_type: str
    msg_id: str | None = None
    content: str | None = None
    event: str | None = None
    event_key: str | None = None
    media_id: str | None = None
    voice_format: str | None = None
    recognition: str | None = None
    # Accounts choose XML or JSON pushes; the passive reply must use the same format.
    wire_format: WireFormat = "xml"
    # Subscribe-message events (subscribe_msg_*): one item per template, in order.
    items: tuple[ListItem, ...] = ()


def parse_message(body: bytes) -> InboundMessage:
    """Parse one message or event (XML, or JSON for accounts that chose it); raise
    `MalformedMessage` for anything else."""
    wire_format, fields, items = _read_fields(body)
    missing = [name for name in REQUIRED_FIELDS if not fields.get(name)]
    if missing:
        raise MalformedMessage(f"missing fields: {', '.join(missing)}")
    try:
        create_time = int(fields["CreateTime"])
    except ValueError as exc:
        raise MalformedMessage("CreateTime is not a number") from exc
    return InboundMessage(
        to_user=fields["ToUserName"],
        from_user=fields["FromUserName"],
        create_time=create_time,
        msg_type=fields["MsgType"].lower(),
        msg_id=fields.get("MsgId"),
        content=fields.get("Content"),
        event=fields["Event"].lower() if fields.get("Event") else None,
        event_key=fields.get("EventKey"),
        media_id=fields.get("MediaId"),
        voice_format=fields.get("Format"),
        recognition=fields.get("Recognition"),
        wire_format=wire_format,
        items=items,
    )


def extract_encrypted(body: bytes) -> tuple[WireFormat, str]:
    """The format and `Encrypt` field of a compatible- or safe-mode body."""
    wire_format, fields, _ = _read_fields(body)
    encrypted = fields.get("Encrypt", "")
    if not encrypted:
        raise MalformedMessage("encrypted envelope without Encrypt")
    return wire_format, encrypted


def _read_fields(body: bytes) -> tuple[WireFormat, dict[str, str], tuple[ListItem, ...]]:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MalformedMessage("body is not valid UTF-8") from exc
    if text.lstrip().startswith("{"):
        data = _json_object(text)
        return "json", _scalars(data), _json_items(data)
    try:
        root = fromstring(text)
    except (ParseError, DefusedXmlException) as exc:
        raise MalformedMessage(f"unreadable XML: {type(exc).__name__}") from exc
    if root.tag != "xml":
        raise MalformedMessage(f"unexpected root element <{root.tag[:32]}>")
    return "xml", _fields(root), _xml_items(root)


def _json_object(text: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise MalformedMessage("unreadable JSON") from exc
    if not isinstance(data, dict):
        raise MalformedMessage("JSON body is not an object")
    return data


def _scalars(data: dict[str, Any]) -> dict[str, str]:
    """String and number fields; nested values are only read as `List` items."""
    return {
        str(key): str(value).strip()
        for key, value in data.items()
        if isinstance(value, str | int | float) and not isinstance(value, bool)
    }


def _fields(root: Element) -> dict[str, str]:
    return {child.tag: (child.text or "").strip() for child in root}


def _xml_items(root: Element) -> tuple[ListItem, ...]:
    """`<List>` entries directly under the root or under one wrapper element (WeChat's own
    samples name the wrapper inconsistently, so any wrapper is accepted)."""
    found = [child for child in root if child.tag == LIST_TAG]
    for wrapper in root:
        found.extend(child for child in wrapper if child.tag == LIST_TAG)
    return _limited(ListItem(tuple(_fields(entry).items())) for entry in found)


def _json_items(data: dict[str, Any]) -> tuple[ListItem, ...]:
    """`List` as an object (one entry) or an array, at the top level or under a wrapper key."""
    entries: list[Any] = []
    for key, value in data.items():
        if isinstance(value, dict) and LIST_TAG in value:
            value = value[LIST_TAG]
        elif key != LIST_TAG and not key.startswith(WRAPPER_PREFIX):
            continue
        entries.extend(value if isinstance(value, list) else [value])
    return _limited(ListItem(tuple(_scalars(e).items())) for e in entries if isinstance(e, dict))


def _limited(items: Iterable[ListItem]) -> tuple[ListItem, ...]:
    collected: list[ListItem] = []
    for item in items:
        if len(collected) >= MAX_LIST_ITEMS:
            raise MalformedMessage(f"more than {MAX_LIST_ITEMS} List entries")
        collected.append(item)
    return tuple(collected)


def _cdata(value: str) -> str:
    # "]]>" cannot appear inside one CDATA section, so split it across two.
    return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def render_text_reply(inbound: InboundMessage, content: str, *, now: int | None = None) -> str:
    """A passive text reply, in the inbound message's format, To/From swapped."""
    return _render_reply(inbound, "text", {"Content": content}, now)


def render_image_reply(inbound: InboundMessage, media_id: str, *, now: int | None = None) -> str:
    """A passive image reply showing an uploaded temporary media."""
    return _render_reply(inbound, "image", {"Image": {"MediaId": media_id}}, now)


def _render_reply(
    inbound: InboundMessage, msg_type: str, body: dict[str, Any], now: int | None
) -> str:
    created = int(time.time()) if now is None else now
    if inbound.wire_format == "json":
        reply = {
            "ToUserName": inbound.from_user,
            "FromUserName": inbound.to_user,
            "CreateTime": created,
            "MsgType": msg_type,
            **body,
        }
        return json.dumps(reply, ensure_ascii=False)
    return (
        "<xml>"
        f"<ToUserName>{_cdata(inbound.from_user)}</ToUserName>"
        f"<FromUserName>{_cdata(inbound.to_user)}</FromUserName>"
        f"<CreateTime>{created}</CreateTime>"
        f"<MsgType>{_cdata(msg_type)}</MsgType>"
        f"{_xml_fields(body)}"
        "</xml>"
    )


def _xml_fields(fields: dict[str, Any]) -> str:
    return "".join(
        f"<{name}>{_xml_fields(value) if isinstance(value, dict) else _cdata(str(value))}</{name}>"
        for name, value in fields.items()
    )
