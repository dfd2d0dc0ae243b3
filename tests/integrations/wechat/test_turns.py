"""Exactly-once turns and the deadline, on both store backends, with scaled-down timings."""

from __future__ import annotations

import asyncio

import pytest

from integrations.wechat import texts
from integrations.wechat.messages import InboundMessage
from integrations.wechat.replies import ImagePart, Reply, TextPart
from integrations.wechat.turns import TurnCoordinator, TurnPolicy, dedupe_key

# WeChat's 5 s and 4.5 s, scaled down so the suite stays fast; the logic is the same.
FAST = TurnPolicy(budget_seconds=0.3, poll_seconds=0.01, hold_seconds=0.5)


def text_message(msg_id: str = "1", user: str = "oUser") -> InboundMessage:
    return InboundMessage(
        to_user="gh", from_user=user, create_time=1, msg_type="text", msg_id=msg_id, content="你好"
    )


class Dialogue:
    """Counts turns and answers after `delay` seconds."""

    def __init__(self, delay: float = 0.0, reply: str | None = "您好") -> None:
        self.delay = delay
        self.reply = reply
        self.turns: list[str] = []

    async def __call__(self, message: InboundMessage) -> Reply | None:
        self.turns.append(message.msg_id or "")
        await asyncio.sleep(self.delay)
        return None if self.reply is None else Reply.plain(self.reply)


class Pushes(list):
    async def __call__(self, openid: str, reply: Reply) -> None:
        self.append((openid, reply.text))


async def answer(coordinator: TurnCoordinator, message: InboundMessage) -> str | None:
    """The passive text this delivery got, or None for `success`."""
    reply = await coordinator.handle(message)
    return None if reply is None else reply.text


async def test_fast_turn_is_answered_passively(store):
    dialogue, pushes = Dialogue(), Pushes()
    coordinator = TurnCoordinator(store, dialogue, pushes, FAST)
    assert await answer(coordinator, text_message()) == "您好"
    await coordinator.drain()
    assert dialogue.turns == ["1"]
    assert pushes == []


async def test_slow_turn_answers_success_then_pushes_once(store):
    dialogue, pushes = Dialogue(delay=0.6), Pushes()
    coordinator = TurnCoordinator(store, dialogue, pushes, FAST)
    assert await answer(coordinator, text_message()) is None
    await coordinator.drain()
    assert pushes == [("oUser", "您好")]


async def test_retry_storm_runs_the_dialogue_once_and_delivers_once(store):
    """WeChat's 3 tries at 0, 5 and 10 s (here 0, 0.5 and 1.0 s) while the dialogue is slow."""
    dialogue, pushes = Dialogue(delay=1.2), Pushes()
    coordinator = TurnCoordinator(store, dialogue, pushes, FAST)

    async def delivery(after: float) -> str | None:
        await asyncio.sleep(after)
        return await answer(coordinator, text_message())

    answers = await asyncio.gather(delivery(0), delivery(0.5), delivery(1.0))
    await coordinator.drain()
    assert dialogue.turns == ["1"]
    assert answers == [None, None, None]
    assert pushes == [("oUser", "您好")]


async def test_a_retry_racing_the_push_never_delivers_twice(store):
    dialogue, pushes = Dialogue(delay=0.45), Pushes()
    coordinator = TurnCoordinator(store, dialogue, pushes, FAST)
    first = asyncio.create_task(answer(coordinator, text_message()))
    await asyncio.sleep(0.35)  # the first answered `success`; a lost response makes WeChat retry
    second = await answer(coordinator, text_message())
    assert await first is None
    await coordinator.drain()
    passive = [answer for answer in (second,) if answer is not None]
    assert len(passive) + len(pushes) == 1
    assert dialogue.turns == ["1"]


async def test_a_retry_while_the_turn_runs_waits_for_the_same_reply(store):
    dialogue, pushes = Dialogue(delay=0.2), Pushes()
    coordinator = TurnCoordinator(store, dialogue, pushes, FAST)
    first = asyncio.create_task(answer(coordinator, text_message()))
    await asyncio.sleep(0.05)
    second = await answer(coordinator, text_message())
    assert (await first, second) == ("您好", "您好")
    assert dialogue.turns == ["1"]
    assert pushes == []


async def test_retry_after_a_passive_answer_gets_the_same_answer(store):
    dialogue, pushes = Dialogue(), Pushes()
    coordinator = TurnCoordinator(store, dialogue, pushes, FAST)
    assert await answer(coordinator, text_message()) == "您好"
    dialogue.reply = "a second run would say this"
    assert await answer(coordinator, text_message()) == "您好"
    assert dialogue.turns == ["1"]


async def test_different_users_with_the_same_msg_id_are_not_deduped(store):
    dialogue, pushes = Dialogue(), Pushes()
    coordinator = TurnCoordinator(store, dialogue, pushes, FAST)
    await answer(coordinator, text_message(user="oAlice"))
    await answer(coordinator, text_message(user="oBob"))
    assert dialogue.turns == ["1", "1"]


async def test_hold_mode_answers_the_last_retry(store):
    """No customer-service API: stay silent so WeChat retries; answer when a retry finds it."""
    dialogue, pushes = Dialogue(delay=0.7), Pushes()
    policy = TurnPolicy(
        budget_seconds=0.3, poll_seconds=0.01, hold_seconds=0.5, hold_for_retries=True
    )
    coordinator = TurnCoordinator(store, dialogue, pushes, policy)
    first = await answer(coordinator, text_message())  # held past "WeChat's timeout"
    second = await answer(coordinator, text_message())  # the reply lands while it waits
    assert (first, second) == (None, "您好")
    assert dialogue.turns == ["1"]
    assert pushes == []


async def test_a_failing_turn_still_answers(store):
    async def broken(message: InboundMessage) -> Reply | None:
        raise RuntimeError("boom")

    coordinator = TurnCoordinator(store, broken, Pushes(), FAST)
    assert await answer(coordinator, text_message()) == texts.SERVICE_BUSY


MAP = "https://static.example.cn/maps/lizhiwan.png"


class ImageDialogue(Dialogue):
    async def __call__(self, message: InboundMessage) -> Reply | None:
        self.turns.append(message.msg_id or "")
        return Reply("地图：\n" + MAP, (TextPart("地图："), ImagePart(MAP)))


async def test_a_reply_with_images_is_pushed_in_order_even_when_fast(store):
    """A passive reply holds one message; pushes keep the text and the image in order."""
    dialogue, pushes = ImageDialogue(), Pushes()
    coordinator = TurnCoordinator(store, dialogue, pushes, FAST)
    assert await answer(coordinator, text_message()) is None
    assert await answer(coordinator, text_message()) is None  # a retry pushes nothing more
    await coordinator.drain()
    assert dialogue.turns == ["1"]
    assert pushes == [("oUser", "地图：\n" + MAP)]


async def test_without_pushes_a_reply_with_images_is_answered_as_text(store):
    dialogue, pushes = ImageDialogue(), Pushes()
    policy = TurnPolicy(budget_seconds=0.3, poll_seconds=0.01, hold_for_retries=True)
    coordinator = TurnCoordinator(store, dialogue, pushes, policy)
    assert await answer(coordinator, text_message()) == "地图：\n" + MAP
    assert pushes == []


async def test_two_processes_share_claims_through_redis(redis_namespace):
    store_a, store_b = await redis_namespace.store(), await redis_namespace.store()
    dialogue_a, dialogue_b, pushes = Dialogue(delay=0.2), Dialogue(delay=0.2), Pushes()
    gateway_a = TurnCoordinator(store_a, dialogue_a, pushes, FAST)
    gateway_b = TurnCoordinator(store_b, dialogue_b, pushes, FAST)
    first = asyncio.create_task(answer(gateway_a, text_message()))
    await asyncio.sleep(0.05)
    retry_on_b = await answer(gateway_b, text_message())  # the load balancer picked the other
    await first
    await gateway_a.drain()
    assert dialogue_a.turns == ["1"] and dialogue_b.turns == []
    assert retry_on_b == "您好"
    assert pushes == []


@pytest.mark.parametrize(
    ("message", "key"),
    [
        (text_message("42", "oU"), "oU:42"),
        (
            InboundMessage(
                to_user="gh", from_user="oU", create_time=7, msg_type="event", event="subscribe"
            ),
            "oU:7:event:subscribe",
        ),
    ],
)
def test_dedupe_key(message, key):
    assert dedupe_key(message) == key
