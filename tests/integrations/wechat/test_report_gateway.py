"""Report notices inside the running gateway: the 48-hour window opened by what users send,
and the watcher started by the gateway's lifespan next to the outbox worker."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

import pytest
from report_world import ALICE, START, event_xml, open_gateway, open_world, summary
from wechat_requests import sent_messages, text_xml

from integrations.wechat.window import last_message_key, within_window


@pytest.fixture
async def world(tmp_path):
    async with open_world(tmp_path) as world:
        yield world


async def test_a_message_opens_the_window_and_events_do_not(world):
    async with open_gateway(world) as gateway:
        await gateway.post(event_xml(ALICE, "subscribe"))
        assert await gateway.store.get(last_message_key(ALICE)) is None
        await gateway.post(text_xml(ALICE, "查报告", "9001"))
        assert await within_window(gateway.store, ALICE, time.time())
        assert not await within_window(gateway.store, ALICE, time.time() + 48 * 3600)


async def test_the_gateway_runs_the_watcher_and_pushes_the_notice(world):
    await world.bind(ALICE)
    # The gateway's watcher runs on the real clock.
    world.feed.reports.append(summary("r-1", at=datetime.now(UTC) - timedelta(minutes=1)))
    async with open_gateway(world, report_watch_interval_seconds=0.05) as gateway:
        await gateway.post(text_xml(ALICE, "你好", "9002"))  # opens the window
        sent = await sent_messages(world.wx, 1)
    [notice] = [m for m in sent if "血常规" in m["payload"].get("text", {}).get("content", "")]
    assert notice["endpoint"] == "/cgi-bin/message/custom/send"


async def test_a_zero_interval_disables_the_watcher(world):
    world.feed.reports.append(summary("r-1", at=START))
    async with open_gateway(world, report_watch_interval_seconds=0):
        await asyncio.sleep(0.1)
    assert world.feed.cursors == []
