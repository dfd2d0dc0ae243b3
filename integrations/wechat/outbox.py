"""Outbound delivery that loses nothing: pushed replies go through a queue in the store.

Each job carries one reply as customer-service messages sent in order: texts split under 2048
bytes (choices as a tappable `msgmenu` under the text that offers them) and images, uploaded as
temporary media when their turn comes (an image that cannot be fetched is sent as its link).
Transient failures are retried with exponential backoff; WeChat's refusals that retrying cannot
fix (45015 outside the 48-hour window, 45047 over the count, 48001 no API for this
account) fall back to the job's own subscription message (a report-ready notice) or to a
template notification when one is configured, and are otherwise recorded where admins see them.
Users who unfollowed get nothing pushed.
https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Service_Center_messages.html
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from common.privacy import mask_openid
from integrations.wechat.api.errors import OutOfWindow, OverQuota, Unauthorized, WeChatError
from integrations.wechat.render import split_message
from integrations.wechat.replies import ImagePart, Part, TextPart, dump_parts, load_parts
from integrations.wechat.state import Store

logger = logging.getLogger("frontdoor.gateway.outbox")

QUEUE = "outbox:queue"
# Jobs being sent stay here (with a lease) until done, so a crashed worker loses none of them.
PROCESSING = "outbox:processing"
FAILED = "outbox:failed"
SendText = Callable[[str, str], Awaitable[None]]
SendFallback = Callable[[str, str], Awaitable[None]]
SendMenu = Callable[[str, str, list[tuple[str, str]]], Awaitable[None]]
# Sends the image at a URL; raises `ImageUnavailable` when the URL gives no usable image.
SendImage = Callable[[str, str], Awaitable[None]]
# (openid, template_id, data): a subscription message (订阅通知) the user agreed to receive.
SendNotice = Callable[[str, str, Mapping[str, str]], Awaitable[None]]


class ImageUnavailable(Exception):
    """The image behind a reply's URL cannot be sent as an image (so its link is sent)."""


def lease_key(job_id: str) -> str:
    return f"outbox:lease:{job_id}"


def unsubscribed_key(openid: str) -> str:
    return f"user:{openid}:unsubscribed"


@dataclass
class PushJob:
    openid: str
    # Dumped `replies` parts, each one customer-service message (texts already split).
    parts: list[dict[str, object]]
    sent: int = 0  # parts already delivered, so a retry never repeats one
    attempt: int = 0
    not_before: float = 0.0
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    # {"template_id": ..., "data": {...}}: sent instead when WeChat refuses the push.
    notice: dict[str, Any] | None = None

    @classmethod
    def of(
        cls, openid: str, parts: Sequence[Part], notice: SubscriptionNotice | None = None
    ) -> PushJob:
        dumped = None if notice is None else asdict(notice)
        return cls(openid, dump_parts(split_parts(parts)), notice=dumped)

    def messages(self) -> tuple[Part, ...]:
        return load_parts(self.parts)

    def undelivered_texts(self) -> list[str]:
        """What is left, as text (images as their links), for a fallback or an admin."""
        return [
            part.url if isinstance(part, ImagePart) else part.text
            for part in self.messages()[self.sent :]
        ]

    def dumps(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def loads(cls, raw: str) -> PushJob:
        data = json.loads(raw)
        # Jobs queued before images existed: plain text parts, the menu under the last one.
        legacy_menu = data.pop("menu", None)
        data["parts"] = dump_parts(load_parts(data["parts"]))
        if legacy_menu and data["parts"]:
            data["parts"][-1]["menu"] = legacy_menu
        return cls(**data)


@dataclass(frozen=True)
class SubscriptionNotice:
    template_id: str
    data: dict[str, str]


def split_parts(parts: Sequence[Part]) -> list[Part]:
    """Texts cut under 2048 bytes at line ends, in order; choices stay under the last piece."""
    split: list[Part] = []
    for part in parts:
        if isinstance(part, ImagePart):
            split.append(part)
            continue
        pieces = split_message(part.text)
        split.extend(TextPart(piece) for piece in pieces[:-1])
        split.append(TextPart(pieces[-1], part.menu))
    return split


class Outbox:
    def __init__(
        self,
        store: Store,
        send_text: SendText,
        *,
        fallback: SendFallback | None = None,
        send_menu: SendMenu | None = None,
        send_image: SendImage | None = None,
        send_notice: SendNotice | None = None,
        max_attempts: int = 6,
        base_backoff_seconds: float = 1.0,
        lease_seconds: float = 120.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._store = store
        self._send_text = send_text
        self._fallback = fallback
        self._send_menu = send_menu
        self._send_image = send_image
        self._send_notice = send_notice
        self._max_attempts = max_attempts
        self._base_backoff = base_backoff_seconds
        self._lease_seconds = lease_seconds
        # Jobs seen without a lease at the last recovery scan: requeued if still so at the next,
        # which leaves a worker that has just taken a job time to take its lease.
        self._suspects: set[str] = set()
        self._clock = clock

    async def enqueue(self, openid: str, text: str, menu: Sequence[str] = ()) -> None:
        await self.enqueue_parts(openid, [TextPart(text, tuple(menu))])

    async def enqueue_parts(
        self, openid: str, parts: Sequence[Part], *, notice: SubscriptionNotice | None = None
    ) -> None:
        """Queue a reply; `notice` replaces it if WeChat refuses the push (out of window)."""
        await self._store.push(QUEUE, PushJob.of(openid, parts, notice).dumps())

    async def record_undeliverable(self, openid: str, text: str, reason: str) -> None:
        """A reply that no channel can carry (e.g. hold mode after WeChat's last retry)."""
        await self._record_failure(PushJob.of(openid, [TextPart(text)]), reason)

    async def failed(self) -> list[dict[str, object]]:
        """Deliveries that did not reach the user, newest last (for admins)."""
        return [json.loads(item) for item in await self._store.items(FAILED)]

    async def run(
        self,
        stop: asyncio.Event,
        *,
        poll_seconds: float = 0.2,
        recover_every_seconds: float = 30.0,
    ) -> None:
        """The worker loop; every gateway process may run one. It is stopped through `stop`,
        never cancelled, so a job taken from the queue is always finished or put back."""
        next_recovery = 0.0
        while not stop.is_set():
            try:
                if time.monotonic() >= next_recovery:
                    await self.recover()
                    next_recovery = time.monotonic() + recover_every_seconds
                await self.process_one(timeout=poll_seconds)
            except Exception:  # a bug in one job must not stop deliveries for everyone
                logger.exception("outbox worker error")
                await asyncio.sleep(1.0)

    async def recover(self) -> int:
        """Put back jobs that a crashed worker left in flight (no lease on two scans)."""
        leaseless = set()
        for raw in await self._store.items(PROCESSING):
            job_id = PushJob.loads(raw).id
            if await self._store.get(lease_key(job_id)) is None:
                leaseless.add(raw)
        recovered = leaseless & self._suspects
        for raw in recovered:
            await self._store.push(QUEUE, raw)
            await self._store.remove(PROCESSING, raw)
        if recovered:
            logger.warning("recovered %d push job(s) left in flight", len(recovered))
        self._suspects = leaseless - recovered
        return len(recovered)

    async def process_one(self, timeout: float) -> bool:
        """Handle at most one job; False when the queue stayed empty."""
        raw = await self._store.move(QUEUE, PROCESSING, timeout)
        if raw is None:
            return False
        job = PushJob.loads(raw)
        await self._store.set(lease_key(job.id), "1", ttl=self._lease_seconds)
        try:
            await self._handle(job, raw)
        finally:
            await self._store.remove(PROCESSING, raw)
            await self._store.delete(lease_key(job.id))
        return True

    async def _handle(self, job: PushJob, raw: str) -> None:
        wait = job.not_before - self._clock()
        if wait > 0:
            # Not due yet: put it back and let other jobs go first.
            await self._store.push(QUEUE, raw)
            await asyncio.sleep(min(wait, 0.2))
            return
        if await self._store.get(unsubscribed_key(job.openid)):
            await self._record_failure(job, "unsubscribed")
            return
        await self._deliver(job)

    async def _deliver(self, job: PushJob) -> None:
        user = mask_openid(job.openid)
        messages = job.messages()
        try:
            while job.sent < len(messages):
                await self._send(job.openid, messages[job.sent])
                job.sent += 1
        except (OutOfWindow, OverQuota, Unauthorized) as exc:
            logger.warning("push to %s refused (%s): trying the fallback", user, exc.errcode)
            await self._fall_back(job, f"errcode {exc.errcode}")
        except WeChatError as exc:
            job.attempt += 1
            if job.attempt >= self._max_attempts:
                await self._record_failure(job, f"gave up after {job.attempt} attempts: {exc}")
                return
            job.not_before = self._clock() + self._base_backoff * 2 ** (job.attempt - 1)
            logger.warning("push to %s failed (%s), retry %d", user, exc, job.attempt)
            await self._store.push(QUEUE, job.dumps())
        else:
            logger.info("pushed %d message(s) to %s", len(job.parts), user)

    async def _send(self, openid: str, part: Part) -> None:
        if isinstance(part, ImagePart):
            if self._send_image is not None:
                try:
                    await self._send_image(openid, part.url)
                    return
                except ImageUnavailable as exc:
                    logger.warning("image not sendable (%s); sending its link", exc)
            await self._send_text(openid, part.url)
        elif part.menu and self._send_menu is not None:
            options = [(str(n), title) for n, title in enumerate(part.menu, start=1)]
            await self._send_menu(openid, part.text, options)
        else:
            await self._send_text(openid, part.text)

    async def _fall_back(self, job: PushJob, reason: str) -> None:
        if job.notice is not None and self._send_notice is not None:
            try:
                await self._send_notice(job.openid, job.notice["template_id"], job.notice["data"])
            except WeChatError as exc:
                await self._record_failure(job, f"{reason}; subscription message failed: {exc}")
            return
        if self._fallback is None:
            await self._record_failure(job, f"{reason}; no fallback configured")
            return
        try:
            await self._fallback(job.openid, "\n".join(job.undelivered_texts()))
        except WeChatError as exc:
            await self._record_failure(job, f"{reason}; fallback failed: {exc}")

    async def _record_failure(self, job: PushJob, reason: str) -> None:
        logger.error("delivery to %s failed: %s", mask_openid(job.openid), reason)
        record = {
            "id": job.id,
            "openid": job.openid,
            "undelivered": job.undelivered_texts(),
            "reason": reason,
            "at": self._clock(),
        }
        await self._store.push(FAILED, json.dumps(record, ensure_ascii=False))
