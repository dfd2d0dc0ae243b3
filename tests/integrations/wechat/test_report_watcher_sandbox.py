"""The watcher on the real `HISClient` and the sandbox hospital's demo reports: the elder's
critical potassium reaches staff and the family, the woman's sensitive reports are never named,
and pending reports wait."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI
from report_world import ALICE, BOB, open_world

from integrations.his.client import HISClient
from integrations.wechat.report_notices.watcher import CURSOR_NAME
from integrations.wechat.report_notices.wiring import shared_report_sensitivity
from integrations.wechat.window import record_user_message
from patients.report_records import AccessAction, AccessQuery
from sandbox.hospital.reports.demo import DEMO_PATIENTS


@pytest.fixture
async def world(tmp_path, hospital_app: FastAPI):
    async with (
        open_world(tmp_path) as world,
        HISClient("http://his.test/fhir", transport=httpx.ASGITransport(app=hospital_app)) as his,
    ):
        world.feed = his  # type: ignore[assignment]
        world.clock.now = datetime.now(UTC)
        yield world


async def test_demo_reports_reach_the_families_once(world):
    await world.bind(ALICE, "陈国华", DEMO_PATIENTS["elder"].id)
    await world.bind(BOB, "林晓燕", DEMO_PATIENTS["woman"].id)
    watcher, outbox, store = world.watcher(is_sensitive=shared_report_sensitivity())
    for openid in (ALICE, BOB):
        await record_user_message(store, openid, world.clock().timestamp())
    await world.records.move_cursor(CURSOR_NAME, world.clock() - timedelta(days=30))

    result = await watcher.run_once()
    while await outbox.process_one(timeout=0.01):
        pass

    assert result is not None and result.complete
    texts = {}
    for message in await world.sent():
        texts.setdefault(message["touser"], []).append(message["payload"]["text"]["content"])
    elder, woman = "\n".join(texts[ALICE]), "\n".join(texts[BOB])
    assert "陈*华" in elder and "危急值" in elder and "陈国华" not in elder
    assert "HIV" not in woman and "有一份报告已出，请按医院指引查看领取" in woman
    [alert] = await world.records.critical_alerts()
    assert alert.his_patient_id == DEMO_PATIENTS["elder"].id
    assert any(item.flag in ("HH", "LL", "AA") for item in alert.items)

    notified = await world.records.find_access(AccessQuery(action=AccessAction.NOTIFIED))
    assert len(notified) == len(texts[ALICE]) + len(texts[BOB])
    again = await watcher.run_once()
    assert again is not None and again.notices == 0
