"""The report watcher against the real frontdoor DB (SQLite), patients bound through the real
flow, and the WeChat API stand-in: which channel each notice takes, what it says, critical
values, exactly-once under races, the cursor, and hospital outages."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

import pytest
from report_world import (
    ALICE,
    BOB,
    FATHER,
    HOSPITAL,
    START,
    TEMPLATE,
    FakeFeed,
    World,
    open_world,
    potassium_report,
    summary,
)

from integrations.wechat.outbox import Outbox, unsubscribed_key
from integrations.wechat.report_notices.watcher import CURSOR_NAME, OVERLAP
from integrations.wechat.state import MemoryStore
from integrations.wechat.window import record_user_message
from patients.report_records import AccessAction, AccessQuery

CUSTOM = "/cgi-bin/message/custom/send"
BIZSEND = "/cgi-bin/message/subscribe/bizsend"


@pytest.fixture
async def world(tmp_path):
    async with open_world(tmp_path) as world:
        yield world


async def deliver(outbox: Outbox) -> None:
    while await outbox.process_one(timeout=0.01):
        pass


async def in_window(world: World, store, openid: str = ALICE) -> None:
    await record_user_message(store, openid, (world.clock() - timedelta(hours=1)).timestamp())


def released(report_id: str = "r-1", minutes: float = -5, **fields):
    """A report changed `minutes` from the test's start."""
    return summary(report_id, at=START + timedelta(minutes=minutes), **fields)


async def trail(world: World, **filters) -> list:
    return await world.records.find_access(AccessQuery(action=AccessAction.NOTIFIED, **filters))


async def test_inside_the_window_the_notice_is_a_customer_service_text(world):
    await world.bind(ALICE)
    watcher, outbox, store = world.watcher()
    await in_window(world, store)
    world.feed.reports.append(released())

    result = await watcher.run_once()
    await deliver(outbox)

    assert result is not None and (result.reports, result.notices) == (1, 1)
    [message] = await world.sent()
    assert (message["endpoint"], message["touser"]) == (CUSTOM, ALICE)
    text = message["payload"]["text"]["content"]
    assert "陈*强" in text and "陈国强" not in text
    assert "血常规" in text and HOSPITAL in text and "回复「查报告」" in text
    [record] = await trail(world)
    assert (record.openid, record.report_id, record.his_patient_id) == (ALICE, "r-1", FATHER)
    assert record.detail["channel"] == "customer_service"
    assert record.detail["result"] == "queued"


async def test_outside_the_window_a_subscribed_user_gets_the_subscription_message(world):
    await world.bind(ALICE)
    await world.records.set_subscription(ALICE, TEMPLATE, accepted=True)
    watcher, _, _ = world.watcher()
    world.feed.reports.append(released())

    await watcher.run_once()

    [message] = await world.sent()
    assert (message["endpoint"], message["touser"]) == (BIZSEND, ALICE)
    payload = message["payload"]
    assert payload["template_id"] == TEMPLATE
    data = {key: value["value"] for key, value in payload["data"].items()}
    assert data["thing1"] == "陈*强"
    assert data["thing2"] == "血常规"
    assert data["thing3"] == HOSPITAL
    assert data["time4"] == "2026年11月23日 09:55"  # issued, in China time
    [record] = await trail(world)
    assert (record.detail["channel"], record.detail["result"]) == ("subscribe", "sent")


async def test_outside_the_window_without_subscription_nothing_is_sent_but_it_is_recorded(
    world, caplog
):
    await world.bind(ALICE)
    watcher, outbox, _ = world.watcher()
    world.feed.reports.append(released())

    with caplog.at_level(logging.INFO, logger="frontdoor.gateway.reports"):
        result = await watcher.run_once()
    await deliver(outbox)

    assert result is not None and result.notices == 1  # claimed, as channel "none"
    assert await world.sent() == []
    [record] = await trail(world)
    assert (record.detail["channel"], record.detail["result"]) == ("none", "unreachable")
    assert "not sent" in caplog.text
    assert ALICE not in caplog.text  # masked
    assert (await watcher.run_once()).notices == 0  # owed once, not retried every run


async def test_a_user_who_unfollowed_gets_nothing(world):
    await world.bind(ALICE)
    await world.records.set_subscription(ALICE, TEMPLATE, accepted=True)
    watcher, _, store = world.watcher()
    await in_window(world, store)
    await store.set(unsubscribed_key(ALICE), "1")
    world.feed.reports.append(released())

    await watcher.run_once()

    assert await world.sent() == []
    [record] = await trail(world)
    assert record.detail["channel"] == "none"


async def test_a_sensitive_report_never_names_its_test(world):
    await world.bind(ALICE)
    await world.bind(BOB)
    await world.records.set_subscription(BOB, TEMPLATE, accepted=True)
    watcher, outbox, store = world.watcher(is_sensitive=lambda report: report.code == "HIV-AB")
    await in_window(world, store, ALICE)
    world.feed.reports.append(released(code="HIV-AB", name="HIV抗体检测"))

    await watcher.run_once()
    await deliver(outbox)

    sent = {message["touser"]: message for message in await world.sent()}
    text = sent[ALICE]["payload"]["text"]["content"]
    assert "有一份报告已出，请按医院指引查看领取" in text
    assert "HIV" not in text and HOSPITAL not in text
    data = {key: value["value"] for key, value in sent[BOB]["payload"]["data"].items()}
    assert "HIV" not in "".join(data.values())
    assert data["thing2"] == "一份报告"


async def test_security_labels_make_a_report_sensitive_by_default(world):
    await world.bind(ALICE)
    watcher, outbox, store = world.watcher()
    await in_window(world, store)
    world.feed.reports.append(released(name="心理测评", labels=("PSY",)))

    await watcher.run_once()
    await deliver(outbox)

    [message] = await world.sent()
    assert "心理测评" not in message["payload"]["text"]["content"]


async def test_critical_values_alert_staff_and_tell_the_family_to_act_now(world):
    await world.bind(ALICE)
    watcher, outbox, store = world.watcher()
    await in_window(world, store)
    report = released(name="电解质", code="ELEC", has_critical=None)
    world.feed.reports.append(report)
    world.feed.details[report.id] = potassium_report(report)

    await watcher.run_once()
    await deliver(outbox)

    assert world.feed.detail_reads == ["r-1"]  # the summary did not say: the results were read
    [alert] = await world.records.critical_alerts()
    assert (alert.report_id, alert.his_patient_id, alert.source) == ("r-1", FATHER, "feed")
    assert [(i.code, i.value, i.flag) for i in alert.items] == [("K", "6.8 mmol/L", "HH")]
    [message] = await world.sent()
    text = message["payload"]["text"]["content"]
    assert "危急值" in text and "急诊" in text and "联系医院" in text
    [record] = await trail(world)
    assert record.detail["critical"] == 1


async def test_reports_without_critical_values_or_watchers_cost_no_extra_reads(world):
    await world.bind(ALICE)
    watcher, _, _ = world.watcher()
    world.feed.reports += [
        released("r-1", has_critical=False),
        released("r-2", -4, patient="his-stranger", has_critical=None),
    ]

    await watcher.run_once()

    assert world.feed.detail_reads == []
    assert await world.records.critical_alerts() == []


async def test_every_family_member_gets_their_own_notice_once(world):
    await world.bind(ALICE)
    await world.bind(BOB)
    watcher, outbox, store = world.watcher()
    await in_window(world, store, ALICE)
    await in_window(world, store, BOB)
    world.feed.reports.append(released())

    await watcher.run_once()
    world.clock.advance(minutes=1)
    await watcher.run_once()  # the same report comes again in the overlap
    await deliver(outbox)

    assert sorted(m["touser"] for m in await world.sent()) == sorted([ALICE, BOB])


async def test_two_gateways_racing_send_one_notice(world):
    await world.bind(ALICE)
    world.feed.reports.append(released())
    first, first_outbox, first_store = world.watcher()
    second, second_outbox, second_store = world.watcher()  # its own store: no shared lock
    for store in (first_store, second_store):
        await in_window(world, store)

    results = await asyncio.gather(first.run_once(), second.run_once())
    await deliver(first_outbox)
    await deliver(second_outbox)

    assert sorted(r.notices for r in results if r) == [0, 1]
    assert len(await world.sent()) == 1
    assert len(await trail(world)) == 1


async def test_processes_sharing_a_store_poll_one_at_a_time(world):
    store = MemoryStore()
    first, _, _ = world.watcher(store)
    second, _, _ = world.watcher(store)
    blocked = asyncio.Event()
    release = asyncio.Event()
    original = world.feed.reports_changed_since

    async def slow(cursor):
        blocked.set()
        await release.wait()
        return await original(cursor)

    world.feed.reports_changed_since = slow
    running = asyncio.create_task(first.run_once())
    await blocked.wait()
    assert await second.run_once() is None  # the first holds the lock
    release.set()
    assert await running is not None
    assert await second.run_once() is not None  # released


async def test_the_first_run_starts_from_the_lookback_never_from_the_beginning(world):
    await world.bind(ALICE)
    watcher, _, _ = world.watcher(lookback_minutes=30)
    world.feed.reports += [released("old", -90), released("new", -10)]

    await watcher.run_once()

    assert world.feed.cursors == [world.clock() - timedelta(minutes=30) - OVERLAP]
    assert [r.report_id for r in await trail(world)] == ["new"]


async def test_the_cursor_only_moves_forward(world):
    await world.bind(ALICE)
    watcher, _, _ = world.watcher()
    world.feed.reports += [released("r-1", -20), released("r-2", -10)]
    await watcher.run_once()
    last = world.feed.reports[-1].last_updated
    assert await world.records.cursor(CURSOR_NAME) == last

    # A hospital transaction committed late: its lastUpdated is before the cursor.
    world.feed.reports.append(released("late", -10.5))
    await watcher.run_once()

    assert await world.records.cursor(CURSOR_NAME) == last
    assert {r.report_id for r in await trail(world)} == {"r-1", "r-2", "late"}


async def test_a_report_stamped_in_the_future_does_not_hide_later_ones(world):
    await world.bind(ALICE)
    watcher, _, _ = world.watcher()
    # The hospital's clock is ahead, or a batch import stamped tomorrow's time.
    world.feed.reports.append(released("ahead", 6 * 60))  # six hours ahead
    await watcher.run_once()
    assert await world.records.cursor(CURSOR_NAME) == world.clock()

    world.clock.advance(seconds=30)
    world.feed.reports.insert(0, released("now", 0))
    await watcher.run_once()
    assert {r.report_id for r in await trail(world)} == {"ahead", "now"}


async def test_a_hospital_outage_is_retried_at_the_next_interval(world):
    await world.bind(ALICE)
    watcher, _, _ = world.watcher()
    world.feed.reports.append(released())
    world.feed.feed_down = True

    result = await watcher.run_once()

    assert result is not None and not result.complete
    assert await trail(world) == []
    world.feed.feed_down = False
    assert (await watcher.run_once()).notices == 1


async def test_a_report_outside_the_contract_is_skipped_not_retried_forever(world):
    await world.bind(ALICE)
    watcher, _, _ = world.watcher()
    broken, later = released("broken", -20, has_critical=True), released("later", -10)
    world.feed.reports += [broken, later]
    world.feed.unreadable.add("broken")  # outside the contract: retrying cannot help

    result = await watcher.run_once()

    assert result is not None and result.complete
    assert await world.records.cursor(CURSOR_NAME) == later.last_updated
    assert [r.report_id for r in await trail(world)] == ["later"]


async def test_an_outage_mid_run_keeps_the_cursor_before_the_unfinished_report(world):
    await world.bind(ALICE)
    watcher, _, _ = world.watcher()
    first, second = released("r-1", -20), released("r-2", -10, has_critical=True)
    world.feed.reports += [first, second]
    world.feed.details[second.id] = potassium_report(second)
    world.feed.details_down = True

    result = await watcher.run_once()

    assert result is not None and (result.notices, result.complete) == (1, False)
    assert await world.records.cursor(CURSOR_NAME) == first.last_updated
    world.feed.details_down = False
    assert (await watcher.run_once()).notices == 1
    assert [r.report_id for r in await trail(world)] == ["r-2", "r-1"]


async def test_reports_sharing_an_instant_keep_the_cursor_before_them_until_both_are_done(world):
    await world.bind(ALICE)
    watcher, _, _ = world.watcher()
    first = released("r-1", -10)
    twin = released("r-2", -10, has_critical=True)
    world.feed.reports += [first, twin]
    world.feed.details_down = True  # the twin cannot be finished

    await watcher.run_once()

    # The feed reads strictly after the cursor: moving it to the shared instant loses the twin.
    assert await world.records.cursor(CURSOR_NAME) < first.last_updated


async def test_pending_reports_are_not_news_and_an_amendment_is(world):
    await world.bind(ALICE)
    watcher, outbox, store = world.watcher()
    await in_window(world, store)
    world.feed.reports.append(released("r-1", -30, fhir_status="preliminary"))
    await watcher.run_once()
    assert await trail(world) == []

    world.feed.reports.append(released("r-1", -20))
    world.feed.reports.append(released("r-1", -10, fhir_status="amended", version="3"))
    await watcher.run_once()
    await deliver(outbox)

    texts = [m["payload"]["text"]["content"] for m in await world.sent()]
    assert len(texts) == 2
    assert "已出" in texts[0] and "已更新" in texts[1]


async def test_a_refused_push_falls_back_to_the_subscription_message(world):
    await world.bind(ALICE)
    await world.records.set_subscription(ALICE, TEMPLATE, accepted=True)
    watcher, outbox, store = world.watcher()
    await in_window(world, store)  # our record says yes; WeChat disagrees
    await world.wx.post("/sandbox/control", json={"out_of_window": [ALICE]})
    world.feed.reports.append(released())

    await watcher.run_once()
    await deliver(outbox)

    [message] = await world.sent()
    assert message["endpoint"] == BIZSEND


async def test_a_user_who_turned_notices_off_is_not_asked_again(world):
    await world.bind(ALICE)
    await world.records.set_subscription(ALICE, TEMPLATE, accepted=True)
    await world.wx.post("/sandbox/control", json={"not_subscribed": [ALICE]})
    watcher, _, _ = world.watcher()
    world.feed.reports.append(released())

    await watcher.run_once()

    [record] = await trail(world)
    assert record.detail["result"] == "refused"
    assert not await world.records.is_subscribed(ALICE, TEMPLATE)


async def test_the_loop_survives_failures_and_stops_when_told(tmp_path):
    async with open_world(tmp_path) as world:
        await world.bind(ALICE)
        world.feed = FakeFeed(reports=[released()], feed_down=True)
        watcher, _, _ = world.watcher(interval_seconds=0.02)
        stop = asyncio.Event()
        loop = asyncio.create_task(watcher.run(stop))
        await asyncio.sleep(0.1)
        assert not loop.done()  # the outage was logged, not raised
        world.feed.feed_down = False
        for _ in range(100):
            if await trail(world):
                break
            await asyncio.sleep(0.02)
        stop.set()
        await asyncio.wait_for(loop, timeout=1)
        assert len(await trail(world)) == 1
