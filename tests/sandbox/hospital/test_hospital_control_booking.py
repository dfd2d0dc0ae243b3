"""``/sandbox/clock`` and ``/sandbox/no-shows``: the controls booking tests rely on."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import httpx
from hospital_booking_helpers import register, resident_id

from sandbox.hospital.settings import HOSPITAL_TZ


async def test_clock_can_be_pinned_and_released(booking: httpx.AsyncClient, now: datetime) -> None:
    assert (await booking.get("/sandbox/clock")).json() == {
        "now": now.isoformat(),
        "pinned": True,
    }
    moment = datetime(2027, 1, 2, 3, 4, 5, tzinfo=UTC)
    pinned = await booking.post("/sandbox/clock", json={"now": moment.isoformat()})
    assert pinned.json() == {"now": moment.astimezone(HOSPITAL_TZ).isoformat(), "pinned": True}

    before = datetime.now(UTC)
    released = await booking.post("/sandbox/clock", json={"now": None})
    reading = datetime.fromisoformat(released.json()["now"])
    assert released.json()["pinned"] is False
    assert before <= reading <= datetime.now(UTC)


async def test_clock_needs_an_offset(booking: httpx.AsyncClient) -> None:
    response = await booking.post("/sandbox/clock", json={"now": "2026-11-23T09:00:00"})
    assert response.status_code == 400


async def test_no_shows_are_recorded_in_the_past(booking: httpx.AsyncClient, today: date) -> None:
    patient = await register(booking, resident_id(1))
    days = [today - timedelta(days=1), today - timedelta(days=1), today - timedelta(days=30)]

    response = await booking.post(
        "/sandbox/no-shows", json={"patient_id": patient, "days": [d.isoformat() for d in days]}
    )

    assert response.status_code == 201, response.text
    ids = response.json()["appointment_ids"]
    listed = await booking.get("/fhir/Appointment", params={"patient": patient, "status": "noshow"})
    assert sorted(e["resource"]["id"] for e in listed.json()["entry"]) == sorted(ids)
    starts = sorted(datetime.fromisoformat(e["resource"]["start"]) for e in listed.json()["entry"])
    assert [s.date() for s in starts] == sorted(days)
    # Two on one day are in two departments: one number per department per day holds.
    departments = {
        e["resource"]["participant"][-2]["actor"]["reference"]
        for e in listed.json()["entry"]
        if e["resource"]["start"].startswith((today - timedelta(days=1)).isoformat())
    }
    assert len(departments) == 2


async def test_no_shows_need_a_known_patient_and_past_days(
    booking: httpx.AsyncClient, today: date
) -> None:
    patient = await register(booking, resident_id(2))
    unknown = await booking.post(
        "/sandbox/no-shows", json={"patient_id": "pat-none", "days": ["2026-11-01"]}
    )
    future = await booking.post(
        "/sandbox/no-shows", json={"patient_id": patient, "days": [today.isoformat()]}
    )
    assert unknown.status_code == 404
    assert future.status_code == 400
