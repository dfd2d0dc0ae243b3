"""Subscribe-message events (订阅通知): users' answers to a subscription prompt, later changes
in their settings, and WeChat's report on each subscription message sent.

Answers are recorded per template (`ReportRecords.set_subscription`); the report watcher sends
a subscription message only to users who accepted its template. Entries that cannot be read are
logged and skipped: WeChat gets `success` either way, since retrying cannot fix them.
https://developers.weixin.qq.com/doc/service/guide/product/subscription_messages/push.html
"""

from __future__ import annotations

import logging
import re
from typing import Protocol

from common.privacy import mask_openid
from integrations.wechat.messages import InboundMessage, ListItem

logger = logging.getLogger("frontdoor.gateway.subscriptions")

POPUP = "subscribe_msg_popup_event"  # the user answered the prompt
CHANGE = "subscribe_msg_change_event"  # the user changed it in WeChat's settings
SENT = "subscribe_msg_sent_event"  # WeChat's delivery report
EVENTS = frozenset({POPUP, CHANGE, SENT})
ANSWERS = {"accept": True, "reject": False}
# Template ids are URL-safe base64; the column holds 128 characters.
_TEMPLATE_ID = re.compile(r"[A-Za-z0-9_\-]{1,128}")
_REFUSED_BY_USER = 43101


class SubscriptionBook(Protocol):
    async def set_subscription(self, openid: str, template_id: str, accepted: bool) -> None: ...


async def record_subscription_event(book: SubscriptionBook, message: InboundMessage) -> None:
    """Record what a subscribe-message event says; raises only when the database fails."""
    user = mask_openid(message.from_user)
    if not message.items:
        logger.warning("ignored %s from %s: no List entries", message.event, user)
        return
    for item in message.items:
        template_id = item.get("TemplateId") or ""
        if not _TEMPLATE_ID.fullmatch(template_id):
            logger.warning("ignored %s entry from %s: bad TemplateId", message.event, user)
            continue
        if message.event == SENT:
            await _delivery_report(book, message.from_user, template_id, item)
            continue
        status = (item.get("SubscribeStatusString") or "").lower()
        if status not in ANSWERS:
            logger.warning("ignored %s entry from %s: status %r", message.event, user, status[:16])
            continue
        await book.set_subscription(message.from_user, template_id, ANSWERS[status])
        logger.info("subscription %s: %s %s (%s)", template_id, user, status, message.event)


async def _delivery_report(
    book: SubscriptionBook, openid: str, template_id: str, item: ListItem
) -> None:
    code = item.get("ErrorCode") or "0"
    if code == "0":
        return
    status = (item.get("ErrorStatus") or "")[:64]
    logger.warning(
        "subscription message %s (%s) to %s failed: %s %s",
        (item.get("MsgID") or "?")[:32],
        template_id,
        mask_openid(openid),
        code[:16],
        status,
    )
    if code == str(_REFUSED_BY_USER) or "refuse" in status:
        await book.set_subscription(openid, template_id, False)
