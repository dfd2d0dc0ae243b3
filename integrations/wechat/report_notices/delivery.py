"""How one report-ready notice reaches one user, and through which channel.

Inside the 48-hour window a customer-service text goes through the outbox (retries, and the
subscription message as its fallback should WeChat refuse it); outside it a subscription
message (订阅通知) is sent, only for users who accepted the template; otherwise nothing can
reach the user, which is recorded and logged.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from common.privacy import mask_openid
from integrations.wechat.api.errors import NotSubscribed, WeChatError
from integrations.wechat.outbox import Outbox, SendNotice, SubscriptionNotice, unsubscribed_key
from integrations.wechat.replies import TextPart
from integrations.wechat.report_notices.compose import (
    ReportNotice,
    notice_text,
    subscription_data,
)
from integrations.wechat.state import Store
from integrations.wechat.window import within_window
from patients.report_records import ReportRecords
from patients.service import utc_now

logger = logging.getLogger("frontdoor.gateway.reports")


class Channel(StrEnum):
    CUSTOMER_SERVICE = "customer_service"
    SUBSCRIBE = "subscribe"
    NONE = "none"


@dataclass(frozen=True)
class DeliveryPolicy:
    template_id: str = ""  # WECHAT_REPORT_TEMPLATE_ID; empty: no subscription messages
    template_fields: Mapping[str, str] | None = None  # role → key (compose.TEMPLATE_ROLES)
    # False for accounts without the customer-service API (unverified).
    customer_service: bool = True


@dataclass(frozen=True)
class Decision:
    channel: Channel
    subscribed: bool  # the user accepted the report template


class NoticeDelivery:
    def __init__(
        self,
        store: Store,
        outbox: Outbox,
        records: ReportRecords,
        send_subscription: SendNotice,
        policy: DeliveryPolicy,
        *,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._store = store
        self._outbox = outbox
        self._records = records
        self._send_subscription = send_subscription
        self._policy = policy
        self._clock = clock

    async def choose(self, openid: str) -> Decision:
        if await self._store.get(unsubscribed_key(openid)):
            return Decision(Channel.NONE, subscribed=False)
        template = self._policy.template_id
        subscribed = bool(template) and await self._records.is_subscribed(openid, template)
        now = self._clock().timestamp()
        if self._policy.customer_service and await within_window(self._store, openid, now):
            return Decision(Channel.CUSTOMER_SERVICE, subscribed)
        return Decision(Channel.SUBSCRIBE if subscribed else Channel.NONE, subscribed)

    async def send(self, openid: str, decision: Decision, notice: ReportNotice) -> str:
        """Send by the chosen channel; returns what happened, for the access trail."""
        text = notice_text(notice)
        subscription = self._subscription(notice) if decision.subscribed else None
        if decision.channel is Channel.CUSTOMER_SERVICE:
            await self._outbox.enqueue_parts(openid, [TextPart(text)], notice=subscription)
            return "queued"
        if decision.channel is Channel.SUBSCRIBE and subscription is not None:
            return await self._send_subscription_now(openid, subscription, text)
        logger.warning(
            "report notice for %s not sent: outside the 48 h window and not subscribed",
            mask_openid(openid),
        )
        return "unreachable"

    async def _send_subscription_now(
        self, openid: str, subscription: SubscriptionNotice, text: str
    ) -> str:
        try:
            await self._send_subscription(openid, subscription.template_id, subscription.data)
        except NotSubscribed:
            # The user turned it off without our hearing of it: stop trying.
            await self._records.set_subscription(openid, subscription.template_id, False)
            logger.warning("report notice refused for %s: not subscribed", mask_openid(openid))
            return "refused"
        except WeChatError as exc:
            await self._outbox.record_undeliverable(openid, text, f"subscription message: {exc}")
            return "failed"
        return "sent"

    def _subscription(self, notice: ReportNotice) -> SubscriptionNotice:
        fields = self._policy.template_fields or {}
        data = subscription_data(notice, fields, self._clock())
        return SubscriptionNotice(self._policy.template_id, data)
