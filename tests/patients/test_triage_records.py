"""`TriageRecords` on SQLite and PostgreSQL: one row per triage answer, the admins' query (newest
first, each filter), the summary by kind, level, department and red flag in a time window,
concurrent answers on PostgreSQL; and the trail's columns hold codes, never words."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from patients_testdata import FakeClock

from patients.db import make_async_engine, make_session_factory
from patients.migrate import migrate
from patients.models import TriageEvent, TriageRedFlag
from patients.triage_records import TriageKind, TriageQuery, TriageRecords

ALICE = "oALICE000000000000000000001"
BOB = "oBOB00000000000000000000002"


@pytest.fixture(params=["sqlite_url", "pg_url"])
async def records(request: pytest.FixtureRequest, clock: FakeClock) -> AsyncIterator[TriageRecords]:
    url = request.getfixturevalue(request.param)  # pg_url fails, never skips, without PostgreSQL
    migrate(url)
    engine = make_async_engine(url)
    try:
        yield TriageRecords(make_session_factory(engine), clock=clock)
    finally:
        await engine.dispose()


async def three_answers(records: TriageRecords, clock: FakeClock) -> None:
    """Alice's chest pain (an emergency), then her headache (advice, booked), then Bob's rash."""
    await records.record(
        ALICE,
        TriageKind.EMERGENCY,
        department="emergency",
        level="emergency_ambulance",
        red_flags=["chest_pain", "breathing_difficulty", "chest_pain"],
        account_id=1,
    )
    clock.advance(minutes=10)
    await records.record(
        ALICE,
        TriageKind.ADVICE,
        department="neurology",
        level="routine",
        account_id=1,
        patient_id=7,
        followup_questions=2,
        booking_offered=True,
    )
    clock.advance(minutes=10)
    await records.record(
        BOB, TriageKind.ADVICE, department="dermatology", level="self_care", followup_questions=0
    )


async def test_answers_are_listed_newest_first_with_what_was_routed(
    records: TriageRecords, clock: FakeClock
) -> None:
    await three_answers(records, clock)
    rows = await records.find(TriageQuery())
    assert [(r.openid, r.department) for r in rows] == [
        (BOB, "dermatology"),
        (ALICE, "neurology"),
        (ALICE, "emergency"),
    ]
    emergency, advice, rash = rows[2], rows[1], rows[0]
    assert emergency.kind is TriageKind.EMERGENCY
    assert emergency.level == "emergency_ambulance"
    # The engine's order (most urgent first); a flag named twice counts once.
    assert emergency.red_flags == ("chest_pain", "breathing_difficulty")
    assert (emergency.account_id, emergency.patient_id) == (1, None)
    assert (emergency.followup_questions, emergency.booking_offered) == (None, False)
    assert advice.red_flags == ()
    assert (advice.patient_id, advice.followup_questions, advice.booking_offered) == (7, 2, True)
    assert (rash.account_id, rash.followup_questions) == (None, 0)
    assert emergency.occurred_at == clock() - timedelta(minutes=20)


async def test_each_filter_narrows_the_query(records: TriageRecords, clock: FakeClock) -> None:
    await three_answers(records, clock)

    async def departments(**filters: Any) -> list[str]:
        return [r.department for r in await records.find(TriageQuery(**filters))]

    assert await departments(openid=ALICE) == ["neurology", "emergency"]
    assert await departments(level="routine") == ["neurology"]
    assert await departments(department="dermatology") == ["dermatology"]
    assert await departments(red_flag="breathing_difficulty") == ["emergency"]
    assert await departments(red_flag="stroke_signs") == []
    assert await departments(kind=TriageKind.ADVICE) == ["dermatology", "neurology"]
    assert await departments(kind=TriageKind.EMERGENCY, openid=BOB) == []
    middle = clock() - timedelta(minutes=10)
    assert await departments(since=middle) == ["dermatology", "neurology"]
    assert await departments(until=middle) == ["emergency"]
    assert await departments(since=middle, until=clock()) == ["neurology"]
    assert await departments(limit=1) == ["dermatology"]


async def test_the_summary_counts_by_kind_level_department_and_red_flag(
    records: TriageRecords, clock: FakeClock
) -> None:
    empty = await records.summary()
    assert (empty.total, empty.booking_offered) == (0, 0)
    assert empty.by_kind == {"emergency": 0, "advice": 0}
    assert empty.by_level == empty.by_department == empty.by_red_flag == {}

    await three_answers(records, clock)
    clock.advance(minutes=10)
    await records.record(
        BOB,
        TriageKind.EMERGENCY,
        department="emergency",
        level="emergency_ambulance",
        red_flags=["chest_pain"],
    )

    everything = await records.summary()
    assert everything.total == 4
    assert everything.booking_offered == 1
    assert everything.by_kind == {"emergency": 2, "advice": 2}
    # Most frequent first, ties by name.
    assert list(everything.by_level.items()) == [
        ("emergency_ambulance", 2),
        ("routine", 1),
        ("self_care", 1),
    ]
    assert everything.by_department == {"emergency": 2, "dermatology": 1, "neurology": 1}
    assert list(everything.by_red_flag.items()) == [
        ("chest_pain", 2),
        ("breathing_difficulty", 1),
    ]

    # [since, until): the first emergency and the headache only.
    start = clock() - timedelta(minutes=30)
    window = await records.summary(since=start, until=start + timedelta(minutes=20))
    assert (window.since, window.until) == (start, start + timedelta(minutes=20))
    assert window.total == 2 and window.booking_offered == 1
    assert window.by_kind == {"emergency": 1, "advice": 1}
    assert window.by_department == {"emergency": 1, "neurology": 1}
    assert window.by_red_flag == {"breathing_difficulty": 1, "chest_pain": 1}
    later = await records.summary(since=clock())
    assert later.total == 1 and later.by_red_flag == {"chest_pain": 1}


async def test_concurrent_answers_each_keep_their_own_flags(pg_url: str, clock: FakeClock) -> None:
    migrate(pg_url)
    engine = make_async_engine(pg_url)
    records = TriageRecords(make_session_factory(engine), clock=clock)
    flags = ["chest_pain", "stroke_signs", "seizure", "choking"]
    try:
        await asyncio.gather(
            *(
                records.record(
                    f"oRACE{i:022d}",
                    TriageKind.EMERGENCY,
                    department="emergency",
                    level="emergency_ambulance",
                    red_flags=[flags[i % 4], "calls_for_ambulance"],
                )
                for i in range(20)
            )
        )
        rows = await records.find(TriageQuery(limit=500))
        assert len(rows) == 20
        for row in rows:
            number = int(row.openid.removeprefix("oRACE"))
            assert row.red_flags == (flags[number % 4], "calls_for_ambulance")
        summary = await records.summary()
        assert summary.by_red_flag["calls_for_ambulance"] == 20
        assert {summary.by_red_flag[flag] for flag in flags} == {5}
    finally:
        await engine.dispose()


def test_the_trail_holds_codes_never_words() -> None:
    # A new column is a privacy decision (PIPL): no text, symptoms, names or numbers.
    assert set(TriageEvent.__table__.columns.keys()) == {
        "id",
        "account_id",
        "openid",
        "patient_id",
        "kind",
        "department",
        "level",
        "followup_questions",
        "booking_offered",
        "occurred_at",
    }
    assert set(TriageRedFlag.__table__.columns.keys()) == {"event_id", "position", "flag"}
