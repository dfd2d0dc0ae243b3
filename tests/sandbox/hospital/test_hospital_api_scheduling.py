"""``/fhir/Schedule`` and ``/fhir/Slot``: actors, status and time-window searches."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import httpx
import pytest
from hospital_fhir_checks import SearchFn, ids

from sandbox.hospital.catalogue import INSTITUTIONS, build_doctors
from sandbox.hospital.settings import HOSPITAL_TZ

DOCTORS = build_doctors()
BOOKABLE = [d for d in DOCTORS if d.schedule_id]


def starts(bundle: dict[str, object]) -> list[datetime]:
    entries = bundle.get("entry", [])
    assert isinstance(entries, list)
    return [datetime.fromisoformat(e["resource"]["start"]) for e in entries]


async def test_doctor_schedule_lists_role_and_department(search: SearchFn) -> None:
    doctor = BOOKABLE[0]
    bundle = await search("/fhir/Schedule", {"actor": f"PractitionerRole/{doctor.role_id}"})
    assert ids(bundle) == [doctor.schedule_id]
    schedule = bundle["entry"][0]["resource"]
    actors = [a["reference"] for a in schedule["actor"]]
    assert actors == [
        f"PractitionerRole/{doctor.role_id}",
        f"HealthcareService/{doctor.department_id}",
    ]
    assert doctor.family_name + doctor.given_name in schedule["actor"][0]["display"]
    assert schedule["planningHorizon"]["start"].endswith("+08:00")

    by_practitioner = await search(
        "/fhir/Schedule", {"actor": f"Practitioner/{doctor.practitioner_id}"}
    )
    assert ids(by_practitioner) == [doctor.schedule_id]
    by_bare_id = await search("/fhir/Schedule", {"actor": doctor.role_id})
    assert ids(by_bare_id) == [doctor.schedule_id]


async def test_department_schedules(search: SearchFn) -> None:
    service = "lw-lizhiwan-hospital-cardiology"
    bundle = await search("/fhir/Schedule", {"actor": f"HealthcareService/{service}"})
    assert set(ids(bundle)) == {d.schedule_id for d in BOOKABLE if d.department_id == service}

    emergency = await search(
        "/fhir/Schedule", {"actor": "HealthcareService/lw-lizhiwan-hospital-emergency"}
    )
    assert emergency["total"] == 0


async def test_vaccination_has_a_service_level_schedule(search: SearchFn) -> None:
    bundle = await search("/fhir/Schedule", {"service-type": "vaccination"})
    chcs = {i.id for i in INSTITUTIONS if i.kind == "community-health-centre"}
    assert set(ids(bundle)) == {f"sched-{chc}-vaccination" for chc in chcs}
    for entry in bundle["entry"]:
        actors = entry["resource"]["actor"]
        assert len(actors) == 1 and actors[0]["reference"].startswith("HealthcareService/")


async def test_slots_of_a_day(search: SearchFn, today: date) -> None:
    doctor = BOOKABLE[3]
    day = next(
        today + timedelta(d) for d in range(7) if _works_on(doctor.sessions, today + timedelta(d))
    )
    params = [
        ("schedule", f"Schedule/{doctor.schedule_id}"),
        ("start", f"ge{day.isoformat()}"),
        ("start", f"lt{(day + timedelta(1)).isoformat()}"),
        ("_count", "500"),
    ]
    everything = await search("/fhir/Slot", params)
    times = starts(everything)
    assert times == sorted(times) and times
    assert all(t.date() == day and t.utcoffset() == timedelta(hours=8) for t in times)
    assert all(
        e["resource"]["schedule"]["reference"] == f"Schedule/{doctor.schedule_id}"
        for e in everything["entry"]
    )

    free = await search("/fhir/Slot", [*params, ("status", "free")])
    busy = await search("/fhir/Slot", [*params, ("status", "busy")])
    assert {e["resource"]["status"] for e in free.get("entry", [])} <= {"free"}
    assert {e["resource"]["status"] for e in busy.get("entry", [])} <= {"busy"}
    assert free["total"] + busy["total"] == everything["total"]


@pytest.mark.parametrize(
    ("start_params", "expected_hours"),
    [
        # Vaccination slots on Tuesday: 08:00..11:00 (7) and 14:00..16:00 (5), every 30 minutes.
        (["2026-11-24"], 12),
        (["ge2026-11-24T09:00", "lt2026-11-24T10:00"], 2),
        (["ge2026-11-24T09:00:00+08:00", "le2026-11-24T10:00:00+08:00"], 3),
        (["ge2026-11-24T01:00:00Z", "lt2026-11-24T02:00:00Z"], 2),  # same as 09:00-10:00 local
        (["gt2026-11-24T15:30", "lt2026-11-25"], 1),  # 16:00 only
        (["gt2026-11-24", "lt2026-11-26"], 12),  # "after the 24th" starts on the 25th
        (["eb2026-11-24T08:30", "sa2026-11-23"], 1),  # 08:00 only
        (["2026-11-23"], 0),  # Monday: closed
    ],
)
async def test_slot_time_filters(
    search: SearchFn, start_params: list[str], expected_hours: int
) -> None:
    params = [("schedule", "sched-lw-rongyin-chc-vaccination"), ("_count", "500")]
    params += [("start", value) for value in start_params]
    bundle = await search("/fhir/Slot", params)
    assert bundle["total"] == expected_hours
    for entry in bundle.get("entry", []):
        slot = entry["resource"]
        start, end = datetime.fromisoformat(slot["start"]), datetime.fromisoformat(slot["end"])
        assert end - start == timedelta(minutes=30)
        assert slot["serviceType"][0]["coding"][0]["code"] == "vaccination"


async def test_schedule_comma_or_and_chained_actor(search: SearchFn) -> None:
    service = "lw-lizhiwan-hospital-cardiology"
    schedule_ids = sorted(d.schedule_id or "" for d in BOOKABLE if d.department_id == service)
    window = [("start", "ge2026-11-24"), ("start", "lt2026-11-25"), ("_count", "500")]
    by_schedules = await search("/fhir/Slot", [("schedule", ",".join(schedule_ids)), *window])
    chained = await search(
        "/fhir/Slot", [("schedule.actor", f"HealthcareService/{service}"), *window]
    )
    assert ids(by_schedules) == ids(chained)
    assert {e["resource"]["schedule"]["reference"] for e in chained["entry"]} <= {
        f"Schedule/{s}" for s in schedule_ids
    }
    by_type = await search("/fhir/Slot", [("service-type", "cardiology"), *window, ("_count", "0")])
    assert by_type["total"] > chained["total"]  # three hospitals have cardiology


async def test_slot_paging_is_stable(search: SearchFn) -> None:
    params = {"start": "2026-11-25", "status": "free", "_count": "100"}
    first = await search("/fhir/Slot", params)
    second = await search("/fhir/Slot", {**params, "_offset": "100"})
    assert first["total"] > 200
    times = starts(first) + starts(second)
    assert times == sorted(times)
    assert not set(ids(first)) & set(ids(second))


async def test_read_slot_and_schedule(client: httpx.AsyncClient) -> None:
    slot_id = "sched-lw-rongyin-chc-vaccination-202611240800"
    slot = await client.get(f"/fhir/Slot/{slot_id}")
    assert slot.status_code == 200
    assert slot.json()["start"] == "2026-11-24T08:00:00+08:00"
    schedule = await client.get("/fhir/" + slot.json()["schedule"]["reference"])
    assert schedule.status_code == 200
    assert schedule.json()["resourceType"] == "Schedule"


def _works_on(sessions: tuple[str, ...], day: date) -> bool:
    weekday = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[day.weekday()]
    return any(s.startswith(weekday) for s in sessions)


def test_fixture_day_is_a_monday(today: date) -> None:
    # The hard-coded dates above assume the shared database is seeded from Monday 2026-11-23.
    assert today == date(2026, 11, 23) and today.weekday() == 0
    assert datetime.combine(today, time(0), HOSPITAL_TZ).utcoffset() == timedelta(hours=8)
