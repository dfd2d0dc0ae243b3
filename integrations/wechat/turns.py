"""Exactly-once dialogue turns under WeChat's 5-second deadline and its retries.

WeChat waits 5 s for a passive reply, then retries the same message (3 tries in all). Here:
- the first delivery of a message claims it (atomic `set_nx`) and runs the dialogue turn once;
- every delivery, first or retry, waits for the turn's reply up to the budget (default 4.5 s);
- a reply ready in time is answered passively, once: later retries get the same cached text;
  a reply with images goes out as pushes instead when the account can push, so its texts and
  images arrive in order (a passive reply carries one message);
- otherwise the request answers `success` and the reply is pushed when ready (customer-service
  messages), or, for accounts without that API ("hold" mode), requests are held past WeChat's
  timeout so it retries, and the last try answers with whatever is ready.
Processes sharing one Redis share the claims and replies, so any of them can answer a retry.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from common.privacy import mask_openid
from integrations.wechat import texts
from integrations.wechat.messages import InboundMessage
from integrations.wechat.replies import Reply
from integrations.wechat.state import Store

logger = logging.getLogger("frontdoor.gateway.turns")

RunTurn = Callable[[InboundMessage], Awaitable[Reply | None]]
Deliver = Callable[[str, Reply], Awaitable[None]]

WECHAT_TRIES = 3
WECHAT_TIMEOUT_SECONDS = 5.0


@dataclass(frozen=True)
class TurnPolicy:
    budget_seconds: float = 4.5
    # How long a message id is remembered: longer than WeChat's ~15 s of retries.
    remember_seconds: float = 600.0
    poll_seconds: float = 0.02
    # Accounts without the customer-service API can only answer passively.
    hold_for_retries: bool = False
    # In hold mode: keep a request open this long so WeChat gives up on it and retries.
    hold_seconds: float = WECHAT_TIMEOUT_SECONDS + 0.5


def dedupe_key(message: InboundMessage) -> str:
    """`FromUserName + MsgId`; events carry no MsgId: `FromUserName + CreateTime + Event`."""
    if message.msg_id:
        return f"{message.from_user}:{message.msg_id}"
    return f"{message.from_user}:{message.create_time}:{message.msg_type}:{message.event or ''}"


class TurnCoordinator:
    def __init__(
        self, store: Store, run_turn: RunTurn, deliver_later: Deliver, policy: TurnPolicy
    ) -> None:
        self._store = store
        self._run_turn = run_turn
        self._deliver_later = deliver_later
        self._policy = policy
        self._running: set[asyncio.Task[None]] = set()
        # Turns running in this process signal their end, so waiting needs no polling here;
        # retries that reach another process poll the shared store instead.
        self._finished: dict[str, asyncio.Event] = {}

    async def handle(self, message: InboundMessage) -> Reply | None:
        """The passive reply for this delivery, or None to answer `success`."""
        started = time.monotonic()
        key = dedupe_key(message)
        ttl = self._policy.remember_seconds
        attempt = await self._store.incr(f"turn:{key}:attempts", ttl)
        if await self._store.set_nx(f"turn:{key}:claim", "1", ttl):
            self._finished[key] = asyncio.Event()
            task = asyncio.create_task(self._run(key, message))
            self._running.add(task)
            task.add_done_callback(self._running.discard)
        elif attempt > 1:
            logger.info("retry %d of a message from %s", attempt, mask_openid(message.from_user))

        ready = await self._wait_for_reply(key, started + self._policy.budget_seconds)
        if ready is not None:
            return await self._answer_passively(key, message.from_user, ready.reply)
        if self._policy.hold_for_retries and attempt < WECHAT_TRIES:
            # Say nothing: WeChat times out and retries, and a retry may find the reply ready.
            await asyncio.sleep(max(0.0, started + self._policy.hold_seconds - time.monotonic()))
            return None
        await self._store.set(f"turn:{key}:deferred", "1", ttl)
        # The turn may have finished between the last look and marking it deferred.
        ready = await self._stored_reply(key)
        if ready is not None:
            return await self._answer_passively(key, message.from_user, ready.reply)
        return None

    async def drain(self) -> None:
        """Wait for running turns (shutdown, tests)."""
        if self._running:
            await asyncio.gather(*self._running, return_exceptions=True)

    async def _run(self, key: str, message: InboundMessage) -> None:
        ttl = self._policy.remember_seconds
        try:
            reply = await self._run_turn(message)
        except Exception:
            # Never leave retries waiting on a turn that died: they get an apology instead.
            logger.exception("dialogue turn failed for %s", mask_openid(message.from_user))
            reply = Reply.plain(texts.SERVICE_BUSY)
        stored = json.dumps({"reply": None if reply is None else reply.dumps()})
        await self._store.set(f"turn:{key}:reply", stored, ttl)
        finished = self._finished.pop(key, None)
        if finished is not None:
            finished.set()
        # When every request already answered `success`, push, unless a racing request took it.
        if (
            reply
            and await self._store.get(f"turn:{key}:deferred")
            and await self._store.set_nx(f"turn:{key}:delivered", "push", ttl)
        ):
            await self._deliver_later(message.from_user, reply)

    async def _answer_passively(self, key: str, openid: str, reply: Reply | None) -> Reply | None:
        if reply is None:
            return None
        ttl = self._policy.remember_seconds
        if reply.has_images and not self._policy.hold_for_retries:
            if await self._store.set_nx(f"turn:{key}:delivered", "push", ttl):
                await self._deliver_later(openid, reply)
            return None
        if await self._store.set_nx(f"turn:{key}:delivered", "passive", ttl):
            return reply
        # A retry of a message already answered passively gets the same answer (the first
        # response may have been lost); one already pushed gets `success`.
        return reply if await self._store.get(f"turn:{key}:delivered") == "passive" else None

    async def _wait_for_reply(self, key: str, deadline: float) -> Ready | None:
        while True:
            ready = await self._stored_reply(key)
            remaining = deadline - time.monotonic()
            if ready is not None or remaining <= 0:
                return ready
            finished = self._finished.get(key)
            if finished is not None:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(finished.wait(), remaining)
                continue
            await asyncio.sleep(min(self._policy.poll_seconds, remaining))

    async def _stored_reply(self, key: str) -> Ready | None:
        stored = await self._store.get(f"turn:{key}:reply")
        if stored is None:
            return None
        raw = json.loads(stored)["reply"]
        return Ready(None if raw is None else Reply.loads(raw))


@dataclass(frozen=True, slots=True)
class Ready:
    """A finished turn; `reply` None means the turn has nothing to say."""

    reply: Reply | None
