"""The gateway's long-lived parts, built at start-up (never at import) and closed at shutdown:
the shared store, the Rasa and WeChat API clients, the turn coordinator, the outbox worker,
the report watcher and the triage trail admins read."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from common.privacy import mask_openid
from integrations.wechat import texts
from integrations.wechat.api import WeChatAPIClient
from integrations.wechat.api.errors import WeChatError
from integrations.wechat.choices import remember_choices, resolve_choice
from integrations.wechat.dialogue import Route, route
from integrations.wechat.media import ImageMedia
from integrations.wechat.menu import load_menu
from integrations.wechat.messages import InboundMessage
from integrations.wechat.outbox import ImageUnavailable, Outbox, unsubscribed_key
from integrations.wechat.rasa_client import RasaClient, RasaUnavailable
from integrations.wechat.replies import Reply, build_reply
from integrations.wechat.report_notices.watcher import ReportWatcher
from integrations.wechat.report_notices.wiring import (
    ReportWiring,
    build_report_watcher,
    open_report_wiring,
)
from integrations.wechat.settings import GatewaySettings
from integrations.wechat.state import Store, open_store
from integrations.wechat.subscriptions import EVENTS as SUBSCRIPTION_EVENTS
from integrations.wechat.subscriptions import record_subscription_event
from integrations.wechat.turns import TurnCoordinator, TurnPolicy, dedupe_key
from integrations.wechat.window import record_user_message
from patients.db import make_async_engine, make_session_factory
from patients.protection import Protector
from patients.settings import PatientsSettings
from patients.triage_records import TriageRecords
from patients.vault import PIIVault

logger = logging.getLogger("frontdoor.gateway")


class Closable(Protocol):
    async def aclose(self) -> None: ...


@dataclass
class _Disposing:
    """A database engine closed like the other resources."""

    engine: AsyncEngine

    async def aclose(self) -> None:
        await self.engine.dispose()


HOLD_MODE_UNDELIVERED = "no customer-service API, and WeChat's last retry came before the reply"


@dataclass
class GatewayServices:
    store: Store
    rasa: RasaClient
    wechat_api: WeChatAPIClient
    outbox: Outbox
    turns: TurnCoordinator
    click_intents: dict[str, str] = field(default_factory=dict)
    rate_limit_per_minute: int = 30
    reports: ReportWiring | None = None
    report_watcher: ReportWatcher | None = None
    # The triage trail the action server writes (admin queries only).
    triage: TriageRecords | None = None
    _owned: list[Closable] = field(default_factory=list)
    _stop: asyncio.Event = field(default_factory=asyncio.Event)
    _worker: asyncio.Task[None] | None = None
    _report_worker: asyncio.Task[None] | None = None

    def route(self, message: InboundMessage) -> Route:
        return route(message, self.click_intents)

    async def within_rate_limit(self, message: InboundMessage) -> bool:
        """Per-user limit over fixed one-minute windows; a retried message counts once."""
        decision_key = f"rate:seen:{dedupe_key(message)}"
        if not await self.store.set_nx(decision_key, "ok", ttl=120):
            # A retry gets the decision its first delivery got.
            return await self.store.get(decision_key) != "limited"
        window = int(time.time() // 60)
        count = await self.store.incr(f"rate:{message.from_user}:{window}", ttl=120)
        if count > self.rate_limit_per_minute:
            await self.store.set(decision_key, "limited", ttl=120)
            logger.warning(
                "rate limit: message %d this minute from %s", count, mask_openid(message.from_user)
            )
            return False
        return True

    async def track_follow(self, message: InboundMessage) -> None:
        """Stop pushes to users who unfollow; resume when they follow again."""
        if message.event == "unsubscribe":
            await self.store.set(unsubscribed_key(message.from_user), "1")
        elif message.event == "subscribe":
            await self.store.delete(unsubscribed_key(message.from_user))

    async def track_interaction(self, message: InboundMessage) -> None:
        """Remember when the user last wrote: it opens WeChat's 48-hour window for pushes."""
        if message.msg_type != "event":
            await record_user_message(self.store, message.from_user, time.time())

    async def handle_subscription_event(self, message: InboundMessage) -> bool:
        """Record a subscribe-message event; True when `message` was one (no dialogue turn)."""
        if message.msg_type != "event" or message.event not in SUBSCRIPTION_EVENTS:
            return False
        if self.reports is None:
            return True
        try:
            await record_subscription_event(self.reports.records, message)
        except Exception:  # the answer is lost, but WeChat must not show the user an error
            logger.exception(
                "could not record %s from %s", message.event, mask_openid(message.from_user)
            )
        return True

    async def close(self) -> None:
        self._stop.set()
        for worker in (self._worker, self._report_worker):
            if worker is None:
                continue
            try:
                await asyncio.wait_for(worker, timeout=3)
            except TimeoutError:
                worker.cancel()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.turns.drain(), timeout=5)
        for resource in self._owned:
            await resource.aclose()


async def start_services(
    settings: GatewaySettings,
    *,
    rasa: RasaClient | None = None,
    store: Store | None = None,
    wechat_api: WeChatAPIClient | None = None,
    vault: PIIVault | None = None,
    reports: ReportWiring | None = None,
    triage: TriageRecords | None = None,
) -> GatewayServices:
    """Parts passed in belong to the caller. The gateway opens frontdoor's database itself when
    the vault or the report wiring is missing, and then also reads the triage trail from it;
    a caller passing both and no `triage` gets no triage queries (503)."""
    owned: list[Closable] = []
    if vault is None or reports is None:
        sessions, protector = _open_patients_db(owned)
        if vault is None:
            vault = PIIVault(sessions, protector)
        if reports is None:
            reports, his = open_report_wiring(settings, sessions, protector)
            owned.append(his)
        if triage is None:
            triage = TriageRecords(sessions)
    pii = vault
    if store is None:
        store = open_store(settings.redis_url or None, prefix=settings.redis_key_prefix)
        owned.append(store)
    if rasa is None:
        rasa = RasaClient(settings.rasa_url, timeout=settings.rasa_timeout_seconds)
        owned.append(rasa)
    if wechat_api is None:
        wechat_api = WeChatAPIClient(
            settings.wechat_api_base_url,
            settings.wechat_app_id,
            settings.wechat_app_secret,
            store,
        )
        owned.append(wechat_api)
    api = wechat_api
    images = ImageMedia(store, api, allowed_hosts=settings.wechat_image_hosts)
    owned.append(images)
    template_id = settings.wechat_fallback_template_id

    async def notify_by_template(openid: str, text: str) -> None:
        await api.send_template(openid, template_id, {"content": text})

    async def send_menu(openid: str, head: str, options: list[tuple[str, str]]) -> None:
        await api.send_menu(openid, head, options)

    async def send_image(openid: str, url: str) -> None:
        await api.send_image(openid, await images.media_id(url))

    outbox = Outbox(
        store,
        api.send_text,
        fallback=notify_by_template if template_id else None,
        send_menu=send_menu,
        send_image=send_image,
        send_notice=api.send_subscription,
    )
    client = rasa
    click_intents = load_menu().click_intents

    can_push = settings.wechat_customer_service_enabled

    async def run_turn(message: InboundMessage) -> Reply | None:
        user_text = route(message, click_intents).user_text
        if user_text is None:
            return None
        if message.msg_type in ("text", "voice"):
            chosen = await resolve_choice(store, message.from_user, user_text)
            # ID and phone numbers go to the vault: Rasa (and its tracker store) only ever sees
            # tokens, which the actions resolve. A picked choice is the bot's own payload.
            if chosen != user_text:
                user_text = chosen
            else:
                user_text = await pii.redact(message.from_user, user_text)
        try:
            replies = await client.send(message.from_user, user_text)
        except RasaUnavailable as exc:
            logger.error("dialogue failed for %s: %s", mask_openid(message.from_user), exc)
            return Reply.plain(texts.SERVICE_BUSY)
        await remember_choices(store, message.from_user, replies)
        reply = build_reply(replies) or Reply.plain(texts.NOT_UNDERSTOOD)
        if not can_push and reply.single_image:
            # Only a passive answer can carry it: upload now so it can be an image message.
            return await with_image_uploaded(reply, reply.single_image)
        return reply

    async def with_image_uploaded(reply: Reply, url: str) -> Reply:
        try:
            return reply.with_media_id(await images.media_id(url))
        except (ImageUnavailable, WeChatError) as exc:
            logger.warning("image reply sent as its link: %s", exc)
            return reply

    async def push_reply(openid: str, reply: Reply) -> None:
        await outbox.enqueue_parts(openid, reply.parts)

    async def undeliverable(openid: str, reply: Reply) -> None:
        await outbox.record_undeliverable(openid, reply.text, HOLD_MODE_UNDELIVERED)

    turns = TurnCoordinator(
        store,
        run_turn,
        push_reply if can_push else undeliverable,
        TurnPolicy(budget_seconds=settings.reply_budget_seconds, hold_for_retries=not can_push),
    )
    services = GatewayServices(
        store,
        rasa,
        wechat_api,
        outbox,
        turns,
        click_intents,
        rate_limit_per_minute=settings.rate_limit_per_minute,
        reports=reports,
        triage=triage,
        _owned=owned,
    )
    if can_push:
        services._worker = asyncio.create_task(outbox.run(services._stop))
    if settings.report_watch_interval_seconds > 0:
        watcher = build_report_watcher(settings, reports, store, outbox, api)
        services.report_watcher = watcher
        services._report_worker = asyncio.create_task(watcher.run(services._stop))
    return services


def _open_patients_db(
    owned: list[Closable],
) -> tuple[async_sessionmaker[AsyncSession], Protector]:
    patients = PatientsSettings()
    engine = make_async_engine(patients.database_url)
    owned.append(_Disposing(engine))
    return make_session_factory(engine), patients.protector()
