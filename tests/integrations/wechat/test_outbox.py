"""The outbound queue: order, retries with backoff, WeChat's refusals, fallbacks, records."""

from __future__ import annotations

import pytest

from integrations.wechat.api.errors import (
    OutOfWindow,
    OverQuota,
    Unauthorized,
    UnexpectedResponse,
    WeChatUnavailable,
)
from integrations.wechat.outbox import Outbox, unsubscribed_key
from integrations.wechat.state import MemoryStore


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Recorder:
    """A customer-service sender that fails as told, then records what got through."""

    def __init__(self, failures: list[Exception] | None = None) -> None:
        self.failures = list(failures or [])
        self.sent: list[tuple[str, str]] = []

    async def __call__(self, openid: str, text: str) -> None:
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append((openid, text))


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


async def drain(outbox: Outbox, clock: FakeClock, rounds: int = 20) -> None:
    for _ in range(rounds):
        clock.now += 100  # every backoff is due
        if not await outbox.process_one(timeout=0.01):
            return


async def test_long_reply_is_sent_in_order_in_parts(clock):
    store, sender = MemoryStore(), Recorder()
    outbox = Outbox(store, sender, clock=clock)
    text = "\n".join(f"第{i}行 荔枝湾中心医院" for i in range(300))
    await outbox.enqueue("oU", text)
    await drain(outbox, clock)
    assert len(sender.sent) > 1
    assert "\n".join(part for _, part in sender.sent) == text


async def test_transient_failures_are_retried_without_repeating_sent_parts(clock):
    store = MemoryStore()
    # The second part fails twice, then goes through.
    sender = Recorder()
    outbox = Outbox(store, sender, clock=clock, base_backoff_seconds=1)
    await outbox.enqueue("oU", "一" * 600 + "\n" + "二" * 600)  # two parts of 1800 bytes
    calls = 0
    original = sender.__call__

    async def flaky(openid: str, text: str) -> None:
        nonlocal calls
        calls += 1
        if calls in (2, 3):
            raise WeChatUnavailable("timeout")
        await original(openid, text)

    outbox._send_text = flaky  # type: ignore[method-assign]
    await drain(outbox, clock)
    assert [text[0] for _, text in sender.sent] == ["一", "二"]
    assert await outbox.failed() == []


async def test_a_job_not_yet_due_waits_for_its_backoff(clock):
    store, sender = MemoryStore(), Recorder([WeChatUnavailable("down")])
    outbox = Outbox(store, sender, clock=clock, base_backoff_seconds=30)
    await outbox.enqueue("oU", "你好")
    await outbox.process_one(timeout=0.01)  # fails, backs off 30 s
    clock.now += 10
    await outbox.process_one(timeout=0.01)  # not due: put back
    assert sender.sent == []
    clock.now += 25
    await outbox.process_one(timeout=0.01)
    assert sender.sent == [("oU", "你好")]


async def test_gives_up_after_max_attempts_and_records_it(clock):
    store = MemoryStore()
    sender = Recorder([UnexpectedResponse("HTTP 404")] * 10)
    outbox = Outbox(store, sender, clock=clock, max_attempts=3)
    await outbox.enqueue("oUserToMask", "你好")
    await drain(outbox, clock)
    [record] = await outbox.failed()
    assert record["undelivered"] == ["你好"]
    assert "gave up after 3 attempts" in str(record["reason"])


@pytest.mark.parametrize(
    "refusal",
    [OutOfWindow(45015, "out of window"), OverQuota(45047, "over"), Unauthorized(48001, "no api")],
)
async def test_refusals_fall_back_to_a_template(clock, refusal):
    fallbacks: list[tuple[str, str]] = []

    async def fallback(openid: str, text: str) -> None:
        fallbacks.append((openid, text))

    store, sender = MemoryStore(), Recorder([refusal])
    outbox = Outbox(store, sender, fallback=fallback, clock=clock)
    await outbox.enqueue("oU", "报告已出")
    await drain(outbox, clock)
    assert fallbacks == [("oU", "报告已出")]
    assert await outbox.failed() == []


async def test_refusal_without_fallback_is_recorded_never_dropped(clock):
    store, sender = MemoryStore(), Recorder([OutOfWindow(45015, "out of window")])
    outbox = Outbox(store, sender, clock=clock)
    await outbox.enqueue("oU", "报告已出")
    await drain(outbox, clock)
    [record] = await outbox.failed()
    assert "45015" in str(record["reason"])
    assert record["undelivered"] == ["报告已出"]


async def test_unsubscribed_users_get_no_push(clock):
    store, sender = MemoryStore(), Recorder()
    outbox = Outbox(store, sender, clock=clock)
    await store.set(unsubscribed_key("oGone"), "1")
    await outbox.enqueue("oGone", "你好")
    await drain(outbox, clock)
    assert sender.sent == []
    [record] = await outbox.failed()
    assert record["reason"] == "unsubscribed"


async def test_choices_go_out_as_a_tappable_menu_under_the_last_part(clock):
    menus: list[tuple[str, str, list[tuple[str, str]]]] = []

    async def send_menu(openid: str, head: str, options: list[tuple[str, str]]) -> None:
        menus.append((openid, head, options))

    store, sender = MemoryStore(), Recorder()
    outbox = Outbox(store, sender, send_menu=send_menu, clock=clock)
    await outbox.enqueue("oU", "您想查哪家医院的科室？", menu=["荔枝湾中心医院", "西关康宁医院"])
    await drain(outbox, clock)
    assert sender.sent == []
    assert menus == [
        ("oU", "您想查哪家医院的科室？", [("1", "荔枝湾中心医院"), ("2", "西关康宁医院")])
    ]


async def test_a_job_left_in_flight_by_a_crashed_worker_is_recovered(store, clock):
    """A worker took a job and died before finishing: the job must still reach the user."""
    from integrations.wechat.outbox import PROCESSING, QUEUE

    sender = Recorder()
    outbox = Outbox(store, sender, clock=clock)
    await outbox.enqueue("oU", "报告已出")
    assert await store.move(QUEUE, PROCESSING, timeout=0.1) is not None  # ...and then it died

    assert await outbox.recover() == 0  # first sighting: maybe a live worker taking its lease
    assert await outbox.recover() == 1  # still no lease: put back
    await drain(outbox, clock)
    assert sender.sent == [("oU", "报告已出")]
    assert await store.items(PROCESSING) == []


async def test_a_job_being_sent_is_not_recovered(store, clock):
    from integrations.wechat.outbox import PROCESSING

    recovered: list[int] = []
    outbox: Outbox

    async def slow_sender(openid: str, text: str) -> None:
        # While this job is in flight, recovery scans must leave it alone.
        recovered.append(await outbox.recover())
        recovered.append(await outbox.recover())

    outbox = Outbox(store, slow_sender, clock=clock)
    await outbox.enqueue("oU", "你好")
    await outbox.process_one(timeout=0.1)
    assert recovered == [0, 0]
    assert await store.items(PROCESSING) == []


async def test_images_go_out_between_their_texts_and_a_failed_image_retries_alone(clock):
    from integrations.wechat.replies import ImagePart, TextPart

    images = Recorder([WeChatUnavailable("upload failed")])
    store, sender = MemoryStore(), Recorder()
    outbox = Outbox(store, sender, send_image=images, clock=clock)
    await outbox.enqueue_parts(
        "oU", [TextPart("地图："), ImagePart("https://x.cn/a.png"), TextPart("门诊在2号楼。")]
    )
    await drain(outbox, clock)
    assert images.sent == [("oU", "https://x.cn/a.png")]
    assert sender.sent == [("oU", "地图："), ("oU", "门诊在2号楼。")]  # the first text once


async def test_an_image_that_cannot_be_sent_goes_out_as_its_link(clock):
    from integrations.wechat.outbox import ImageUnavailable
    from integrations.wechat.replies import ImagePart

    store, sender = MemoryStore(), Recorder()
    outbox = Outbox(store, sender, send_image=Recorder([ImageUnavailable("404")]), clock=clock)
    await outbox.enqueue_parts("oU", [ImagePart("https://x.cn/a.png")])
    await drain(outbox, clock)
    assert sender.sent == [("oU", "https://x.cn/a.png")]


async def test_jobs_queued_by_the_previous_version_are_still_delivered(clock):
    """A deploy must not lose queued replies: old jobs had text parts and one job-level menu."""
    import json

    from integrations.wechat.outbox import QUEUE

    menus: list[tuple[str, str, list[tuple[str, str]]]] = []

    async def send_menu(openid: str, head: str, options: list[tuple[str, str]]) -> None:
        menus.append((openid, head, options))

    store, sender = MemoryStore(), Recorder()
    old = {
        "openid": "oU",
        "parts": ["第一段", "第二段"],
        "sent": 0,
        "attempt": 0,
        "not_before": 0.0,
        "menu": ["甲"],
        "id": "j1",
    }
    await store.push(QUEUE, json.dumps(old, ensure_ascii=False))
    outbox = Outbox(store, sender, send_menu=send_menu, clock=clock)
    await drain(outbox, clock)
    assert sender.sent == [("oU", "第一段")]
    assert menus == [("oU", "第二段", [("1", "甲")])]
