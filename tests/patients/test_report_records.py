"""`ReportRecords` on SQLite and PostgreSQL: the report access trail and its admin query,
critical-value alerts (once per report version, acknowledged once), report-ready notices claimed
exactly once under races, subscriptions and forward-only feed cursors; and
`PatientBook.watchers_of`."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
from patients_testdata import CONSENT_TEXT, CONSENT_VERSION, FakeClock, latest_code, resident_id
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from patients.db import make_async_engine, make_session_factory
from patients.drafts import PatientDraft
from patients.migrate import migrate
from patients.report_records import AccessAction, AccessQuery, CriticalItem, ReportRecords
from patients.service import PatientBook

ALICE = "oALICE000000000000000000001"
BOB = "oBOB00000000000000000000002"
FATHER_ID = resident_id(region="440103", birth="19500607", sequence="017")
POTASSIUM = CriticalItem(code="K", name="血钾", value="6.6 mmol/L", flag="HH")


@pytest.fixture
def records(sessions: async_sessionmaker[AsyncSession], clock: FakeClock) -> ReportRecords:
    return ReportRecords(sessions, clock=clock)


@pytest.fixture
async def pg_records(pg_url: str, clock: FakeClock) -> AsyncIterator[ReportRecords]:
    migrate(pg_url)
    engine = make_async_engine(pg_url)
    try:
        yield ReportRecords(make_session_factory(engine), clock=clock)
    finally:
        await engine.dispose()


async def test_access_trail_is_queryable_by_each_filter(
    records: ReportRecords, clock: FakeClock
) -> None:
    await records.record_access(
        ALICE, AccessAction.LIST, account_id=1, patient_id=7, his_patient_id="p-7"
    )
    clock.advance(minutes=1)
    await records.record_access(
        ALICE,
        AccessAction.VIEW,
        account_id=1,
        patient_id=7,
        his_patient_id="p-7",
        report_id="r-1",
        detail={"page": 1},
    )
    clock.advance(minutes=1)
    await records.record_access(
        BOB, AccessAction.REFUSED, detail={"reason": "not_bound", "relation": "parent"}
    )

    everything = await records.find_access(AccessQuery())
    assert [record.action for record in everything] == [
        AccessAction.REFUSED,
        AccessAction.VIEW,
        AccessAction.LIST,
    ]
    view = everything[1]
    assert (view.openid, view.patient_id, view.report_id) == (ALICE, 7, "r-1")
    assert view.detail == {"page": 1}
    assert everything[0].detail == {"reason": "not_bound", "relation": "parent"}

    assert len(await records.find_access(AccessQuery(openid=ALICE))) == 2
    assert len(await records.find_access(AccessQuery(patient_id=7))) == 2
    assert len(await records.find_access(AccessQuery(his_patient_id="p-7"))) == 2
    assert [r.action for r in await records.find_access(AccessQuery(report_id="r-1"))] == [
        AccessAction.VIEW
    ]
    refused = await records.find_access(AccessQuery(action=AccessAction.REFUSED))
    assert [r.openid for r in refused] == [BOB]
    since = clock() - timedelta(seconds=30)
    assert len(await records.find_access(AccessQuery(since=since))) == 1
    assert len(await records.find_access(AccessQuery(until=since))) == 2
    assert len(await records.find_access(AccessQuery(limit=1))) == 1


async def test_critical_values_are_flagged_once_per_version_and_acknowledged_once(
    records: ReportRecords, clock: FakeClock
) -> None:
    async def flag(version: str) -> bool:
        return await records.flag_critical(
            report_id="r-9",
            report_version=version,
            his_patient_id="p-7",
            institution_id="org-1",
            items=[POTASSIUM],
            source="chat",
        )

    assert await flag("1")
    assert not await flag("1")
    assert await flag("2")

    alerts = await records.critical_alerts()
    assert [(a.report_id, a.report_version) for a in alerts] == [("r-9", "1"), ("r-9", "2")]
    assert alerts[0].items == (POTASSIUM,)
    assert alerts[0].acknowledged_at is None

    clock.advance(minutes=5)
    acknowledged = await records.acknowledge(alerts[0].id, "护士长王")
    assert acknowledged is not None and acknowledged.acknowledged_by == "护士长王"
    again = await records.acknowledge(alerts[0].id, "someone else")
    assert again is not None and again.acknowledged_by == "护士长王"  # the first one counts
    assert [a.report_version for a in await records.critical_alerts()] == ["2"]
    assert len(await records.critical_alerts(open_only=False)) == 2
    assert await records.acknowledge(999, "x") is None


async def test_subscriptions_and_cursors(records: ReportRecords, clock: FakeClock) -> None:
    assert not await records.is_subscribed(ALICE, "tmpl-report")
    await records.set_subscription(ALICE, "tmpl-report", accepted=True)
    assert await records.is_subscribed(ALICE, "tmpl-report")
    assert not await records.is_subscribed(ALICE, "tmpl-other")
    await records.set_subscription(ALICE, "tmpl-report", accepted=False)
    assert not await records.is_subscribed(ALICE, "tmpl-report")

    assert await records.cursor("reports") is None
    start = clock()
    await records.move_cursor("reports", start)
    await records.move_cursor("reports", start - timedelta(hours=1))  # never backwards
    assert await records.cursor("reports") == start
    await records.move_cursor("reports", start + timedelta(seconds=1))
    assert await records.cursor("reports") == start + timedelta(seconds=1)


async def test_a_notice_is_claimed_exactly_once_under_a_race(pg_records: ReportRecords) -> None:
    async def claim(account_id: int) -> bool:
        return await pg_records.claim_notification(
            report_id="r-1",
            report_version="2",
            account_id=account_id,
            patient_id=3,
            channel="customer_service",
        )

    first_account = await asyncio.gather(*(claim(1) for _ in range(8)))
    assert sorted(first_account) == [False] * 7 + [True]
    assert await claim(2)  # another family member gets their own notice


async def test_watchers_are_every_account_bound_to_the_hospital_patient(
    book: PatientBook, sms_control: httpx.AsyncClient, clock: FakeClock
) -> None:
    views = []
    for openid in (ALICE, BOB):
        await book.record_consent(openid, CONSENT_VERSION, CONSENT_TEXT)
        await book.start_binding(openid, PatientDraft("陈国强", "parent", FATHER_ID, "13912345678"))
        views.append(await book.confirm_binding(openid, await latest_code(sms_control)))
        clock.advance(seconds=61)
    assert await book.watchers_of("his-1") == []
    await book.set_his_patient_id(ALICE, views[0].id, "his-1")
    await book.set_his_patient_id(BOB, views[1].id, "his-1")
    watchers = await book.watchers_of("his-1")
    assert [(openid, view.id) for openid, view in watchers] == [
        (ALICE, views[0].id),
        (BOB, views[1].id),
    ]
    assert watchers[0][1].masked_name == "陈*强"
    assert await book.account_id(ALICE) is not None
    assert await book.account_id("oNOBODY") is None
