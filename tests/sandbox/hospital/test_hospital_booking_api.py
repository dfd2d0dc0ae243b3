"""``POST /fhir/Appointment``: booking a slot, idempotency, conflicts and the booking rules."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import httpx
import pytest
from hospital_booking_helpers import (
    assert_outcome,
    book,
    bookable_from,
    booking_body,
    free_slots,
    register,
    resident_id,
)
from hospital_fhir_checks import validate_resource
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from common import fhir_contract as systems
from sandbox.hospital import catalogue
from sandbox.hospital.models import Appointment, Patient, Slot

CARDIOLOGY = "lw-lizhiwan-hospital-cardiology"
NEUROLOGY = "lw-lizhiwan-hospital-neurology"
VACCINATION = "lw-rongyin-chc-vaccination"


async def department_slot(
    client: httpx.AsyncClient, department: str, day: date, index: int = 0
) -> dict[str, Any]:
    slots = await free_slots(client, day, actor=f"HealthcareService/{department}")
    assert len(slots) > index, f"no free slot {index} in {department} on {day}"
    return slots[index]


async def first_bookable_day(client: httpx.AsyncClient, department: str, today: date) -> date:
    """The first day after today with free slots in ``department``."""
    for offset in range(1, 8):
        day = today + timedelta(days=offset)
        if await free_slots(client, day, count=1, actor=f"HealthcareService/{department}"):
            return day
    raise AssertionError(f"{department} has no free slot this week")


async def test_booking_a_doctor_slot(booking: httpx.AsyncClient, today: date) -> None:
    patient = await register(booking, resident_id(1))
    day = await first_bookable_day(booking, CARDIOLOGY, today)
    slot = await department_slot(booking, CARDIOLOGY, day)

    response = await book(booking, slot["id"], patient, "key-1")

    assert response.status_code == 201, response.text
    appointment = response.json()
    validate_resource(appointment)
    assert response.headers["location"].endswith(f"/fhir/Appointment/{appointment['id']}")
    assert appointment["status"] == "booked"
    assert appointment["slot"] == [{"reference": f"Slot/{slot['id']}"}]
    assert (appointment["start"], appointment["end"]) == (slot["start"], slot["end"])
    assert appointment["identifier"] == [{"system": systems.BOOKING_REQUEST, "value": "key-1"}]
    actors = [p["actor"] for p in appointment["participant"]]
    kinds = [a["reference"].split("/")[0] for a in actors]
    assert kinds == ["Patient", "PractitionerRole", "Practitioner", "HealthcareService", "Location"]
    assert actors[0]["reference"] == f"Patient/{patient}"
    role = (await booking.get(f"/fhir/{actors[1]['reference']}")).json()
    title = role["code"][0]["coding"][0]["display"]
    assert actors[1]["display"] == f"{role['practitioner']['display']}（{title}）"
    assert actors[3] == {"reference": f"HealthcareService/{CARDIOLOGY}", "display": "心血管内科"}
    assert actors[4]["reference"] == "Location/lw-lizhiwan-hospital-main"
    assert appointment["patientInstruction"] == catalogue.patient_instruction(
        "lw-lizhiwan-hospital", "cardiology"
    )
    assert "身份证或社保卡" in appointment["patientInstruction"]
    assert (await booking.get(f"/fhir/Slot/{slot['id']}")).json()["status"] == "busy"
    read = await booking.get(f"/fhir/Appointment/{appointment['id']}")
    assert read.status_code == 200 and read.json() == appointment


async def test_vaccination_slot_has_no_doctor_and_its_own_instructions(
    booking: httpx.AsyncClient, today: date
) -> None:
    patient = await register(booking, resident_id(2))
    day = await first_bookable_day(booking, VACCINATION, today)
    slot = await department_slot(booking, VACCINATION, day)

    response = await book(booking, slot["id"], patient, "vaccine-1")

    assert response.status_code == 201, response.text
    appointment = response.json()
    kinds = [p["actor"]["reference"].split("/")[0] for p in appointment["participant"]]
    assert kinds == ["Patient", "HealthcareService", "Location"]
    assert appointment["patientInstruction"].startswith("请携带预防接种证和身份证")
    assert appointment["minutesDuration"] == catalogue.VACCINATION_SLOT_MINUTES


async def test_repeated_request_returns_the_same_appointment(
    booking: httpx.AsyncClient, today: date
) -> None:
    patient = await register(booking, resident_id(3))
    slot = await department_slot(
        booking, CARDIOLOGY, await first_bookable_day(booking, CARDIOLOGY, today)
    )
    first = await book(booking, slot["id"], patient, "same-key")
    again = await book(booking, slot["id"], patient, "same-key")

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    listed = await booking.get("/fhir/Appointment", params={"patient": patient})
    assert listed.json()["total"] == 1


async def test_reused_key_without_if_none_exist_is_a_duplicate(
    booking: httpx.AsyncClient, today: date
) -> None:
    patient = await register(booking, resident_id(4))
    day = await first_bookable_day(booking, CARDIOLOGY, today)
    first_slot = await department_slot(booking, CARDIOLOGY, day)
    other_slot = await department_slot(
        booking, NEUROLOGY, await first_bookable_day(booking, NEUROLOGY, today)
    )
    assert (await book(booking, first_slot["id"], patient, "k")).status_code == 201

    again = await book(booking, other_slot["id"], patient, "k", conditional=False)

    assert_outcome(again, 409, "duplicate")
    slot = (await booking.get(f"/fhir/Slot/{other_slot['id']}")).json()
    assert slot["status"] == "free"


async def test_a_taken_slot_is_409(booking: httpx.AsyncClient, today: date) -> None:
    first = await register(booking, resident_id(5))
    second = await register(booking, resident_id(6))
    slot = await department_slot(
        booking, CARDIOLOGY, await first_bookable_day(booking, CARDIOLOGY, today)
    )
    assert (await book(booking, slot["id"], first, "a")).status_code == 201

    response = await book(booking, slot["id"], second, "b")

    issue = assert_outcome(response, 409, "conflict")
    assert issue["diagnostics"] == "该号源已被预约"
    listed = await booking.get("/fhir/Appointment", params={"slot": slot["id"]})
    assert [
        e["resource"]["participant"][0]["actor"]["reference"] for e in listed.json()["entry"]
    ] == [f"Patient/{first}"]


async def test_a_slot_seeded_busy_is_409(booking: httpx.AsyncClient, today: date) -> None:
    patient = await register(booking, resident_id(7))
    busy = await booking.get(
        "/fhir/Slot",
        params={"status": "busy", "start": (today + timedelta(days=1)).isoformat(), "_count": "1"},
    )
    slot_id = busy.json()["entry"][0]["resource"]["id"]

    assert_outcome(await book(booking, slot_id, patient, "x"), 409, "conflict")


async def test_a_started_slot_cannot_be_booked(
    booking: httpx.AsyncClient, today: date, now: datetime
) -> None:
    patient = await register(booking, resident_id(8))
    slots = await booking.get(
        "/fhir/Slot",
        params=[
            ("status", "free"),
            ("start", today.isoformat()),
            ("start", f"le{now.isoformat()}"),
        ],
    )
    started = slots.json()["entry"][0]["resource"]
    assert datetime.fromisoformat(started["start"]) <= now

    response = await book(booking, started["id"], patient, "late")

    assert_outcome(response, 422, "business-rule", systems.RULE_SLOT_IN_PAST)


async def test_slots_open_seven_days_ahead(booking: httpx.AsyncClient, today: date) -> None:
    patient = await register(booking, resident_id(9))
    last_open = today + timedelta(days=7)
    first_closed = today + timedelta(days=8)
    open_slot = (await free_slots(booking, last_open, count=1))[0]
    closed_slot = (await free_slots(booking, first_closed, count=1))[0]

    refused = await book(booking, closed_slot["id"], patient, "early")
    accepted = await book(booking, open_slot["id"], patient, "in-time")

    issue = assert_outcome(refused, 422, "business-rule", systems.RULE_OUTSIDE_BOOKING_WINDOW)
    assert bookable_from(issue) == today + timedelta(days=1)
    assert "2026年11月24日起可预约" in issue["diagnostics"]
    assert accepted.status_code == 201, accepted.text


async def test_booking_window_is_a_setting(
    booking_app: Any, booking: httpx.AsyncClient, today: date
) -> None:
    booking_app.state.settings.booking_window_days = 2
    patient = await register(booking, resident_id(10))
    slot = (await free_slots(booking, today + timedelta(days=3), count=1))[0]

    issue = assert_outcome(
        await book(booking, slot["id"], patient, "w"),
        422,
        "business-rule",
        systems.RULE_OUTSIDE_BOOKING_WINDOW,
    )
    assert bookable_from(issue) == today + timedelta(days=1)


async def test_three_no_shows_in_ninety_days_block_booking_for_three_months(
    booking: httpx.AsyncClient, today: date
) -> None:
    patient = await register(booking, resident_id(11))
    days = [today - timedelta(days=d) for d in (80, 40, 5)]
    recorded = await booking.post(
        "/sandbox/no-shows", json={"patient_id": patient, "days": [d.isoformat() for d in days]}
    )
    assert recorded.status_code == 201, recorded.text
    slot = (await free_slots(booking, today + timedelta(days=1), count=1))[0]

    response = await book(booking, slot["id"], patient, "blocked")

    issue = assert_outcome(response, 422, "business-rule", systems.RULE_PATIENT_BLOCKED)
    assert bookable_from(issue) == date(2027, 2, 18)  # 2026-11-18 + 3 months
    assert "2027年2月18日起可重新预约" in issue["diagnostics"]
    assert (await booking.get(f"/fhir/Slot/{slot['id']}")).json()["status"] == "free"


async def test_no_shows_spread_over_more_than_ninety_days_do_not_block(
    booking: httpx.AsyncClient, today: date
) -> None:
    patient = await register(booking, resident_id(12))
    days = [today - timedelta(days=d) for d in (95, 40, 5)]
    await booking.post(
        "/sandbox/no-shows", json={"patient_id": patient, "days": [d.isoformat() for d in days]}
    )
    slot = (await free_slots(booking, today + timedelta(days=1), count=1))[0]

    assert (await book(booking, slot["id"], patient, "fine")).status_code == 201


async def test_one_number_per_department_per_day(booking: httpx.AsyncClient, today: date) -> None:
    patient = await register(booking, resident_id(13))
    day = await first_bookable_day(booking, CARDIOLOGY, today)
    first = await department_slot(booking, CARDIOLOGY, day, 0)
    second = await department_slot(booking, CARDIOLOGY, day, 1)
    booked = await book(booking, first["id"], patient, "one")
    assert booked.status_code == 201

    response = await book(booking, second["id"], patient, "two")

    issue = assert_outcome(response, 422, "business-rule", systems.RULE_DUPLICATE_DEPARTMENT_DAY)
    assert "心血管内科" in issue["diagnostics"]
    # Another department the same day is fine, and so is this one once the first is cancelled.
    other_day = await first_bookable_day(booking, NEUROLOGY, today)
    other = await department_slot(booking, NEUROLOGY, other_day)
    assert (await book(booking, other["id"], patient, "three")).status_code == 201
    cancelled = await booking.patch(
        f"/fhir/Appointment/{booked.json()['id']}",
        json=[{"op": "replace", "path": "/status", "value": "cancelled"}],
        headers={"Content-Type": "application/json-patch+json"},
    )
    assert cancelled.status_code == 200
    assert (await book(booking, second["id"], patient, "four")).status_code == 201


async def test_unknown_slot_or_patient(booking: httpx.AsyncClient, today: date) -> None:
    patient = await register(booking, resident_id(14))
    slot = (await free_slots(booking, today + timedelta(days=1), count=1))[0]

    unknown_slot = await book(booking, "no-such-slot", patient, "u1")
    unknown_patient = await book(booking, slot["id"], "pat-unknown", "u2")

    assert_outcome(unknown_slot, 422, "business-rule", systems.RULE_UNKNOWN_SLOT)
    assert_outcome(unknown_patient, 422, "business-rule", systems.RULE_UNKNOWN_PATIENT)


async def test_a_closed_slot_is_not_bookable(
    booking: httpx.AsyncClient, booking_factory: sessionmaker[Session], today: date
) -> None:
    patient = await register(booking, resident_id(15))
    slot = (await free_slots(booking, today + timedelta(days=1), count=1))[0]
    with booking_factory.begin() as session:
        row = session.get(Slot, slot["id"])
        assert row is not None
        row.status = "busy-unavailable"

    response = await book(booking, slot["id"], patient, "closed")

    assert_outcome(response, 422, "business-rule", systems.RULE_SLOT_NOT_BOOKABLE)


def _without(body: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k != key}


BODY = booking_body("some-slot", "pat-x", "k")


@pytest.mark.parametrize(
    ("body", "headers"),
    [
        ({"resourceType": "Patient"}, {}),
        ([1, 2], {}),
        ({**BODY, "status": "proposed"}, {}),
        ({**BODY, "status": "nonsense"}, {}),
        (_without(BODY, "slot"), {}),
        ({**BODY, "slot": [{"reference": "Schedule/x"}]}, {}),
        (
            {
                **BODY,
                "participant": [{"actor": {"reference": "Practitioner/x"}, "status": "accepted"}],
            },
            {},
        ),
        (
            {**BODY, "identifier": [{"system": "a", "value": "1"}, {"system": "b", "value": "2"}]},
            {},
        ),
        ({**BODY, "start": "tomorrow"}, {}),
        (BODY, {"If-None-Exist": f"identifier={systems.BOOKING_REQUEST}|other"}),
        (BODY, {"If-None-Exist": "patient=Patient/x"}),
        (BODY, {"If-None-Exist": "identifier=no-separator"}),
    ],
)
async def test_malformed_bookings_are_400(
    booking: httpx.AsyncClient, body: Any, headers: dict[str, str]
) -> None:
    response = await booking.post("/fhir/Appointment", json=body, headers=headers)
    assert_outcome(response, 400, "invalid")


async def test_not_json_is_400(booking: httpx.AsyncClient) -> None:
    response = await booking.post(
        "/fhir/Appointment", content=b"{", headers={"Content-Type": "application/fhir+json"}
    )
    assert_outcome(response, 400, "invalid")


def test_database_allows_one_appointment_holding_a_slot(
    booking_factory: sessionmaker[Session],
) -> None:
    """The partial unique index itself, bypassing the API's checks."""
    with booking_factory() as session:
        slot = session.scalars(select(Slot).where(Slot.status == "free").limit(1)).one()
        template = _appointment_row(slot, "appt-a", "booked")
    insert_and_commit(booking_factory, template)
    insert_and_commit(booking_factory, _copy(template, "appt-b", "cancelled"))
    with pytest.raises(IntegrityError):
        insert_and_commit(booking_factory, _copy(template, "appt-c", "booked"))


def insert_and_commit(factory: sessionmaker[Session], row: dict[str, Any]) -> None:
    with factory.begin() as session:
        session.add(
            Patient(
                id=row["patient_id"],
                identifier_system=systems.PASSPORT,
                identifier_value=row["id"].upper(),
                name="测试",
                active=True,
                created=row["created"],
            )
        )
        session.flush()
        session.execute(insert(Appointment).values(**row))


def _copy(row: dict[str, Any], appointment_id: str, status: str) -> dict[str, Any]:
    # Another patient, so that only the slot index can object.
    return {**row, "id": appointment_id, "status": status, "patient_id": f"pat-{appointment_id}"}


def _appointment_row(slot: Slot, appointment_id: str, status: str) -> dict[str, Any]:
    return {
        "id": appointment_id,
        "slot_id": slot.id,
        "patient_id": f"pat-{appointment_id}",
        "department_id": slot.schedule.department_id,
        "practitioner_role_id": slot.schedule.practitioner_role_id,
        "location_id": slot.schedule.department.location_id,
        "status": status,
        "start": slot.start,
        "end": slot.end,
        "service_date": slot.start.date(),
        "patient_instruction": "-",
        "created": slot.start,
    }
