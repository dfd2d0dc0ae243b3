"""``PATCH /fhir/Appointment/{id}``: cancelling (until the day before), no-show and fulfilled."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

import httpx
import pytest
from hospital_booking_helpers import (
    JSON_PATCH,
    assert_outcome,
    book,
    free_slots,
    patch_status,
    register,
    resident_id,
    set_clock,
)
from hospital_fhir_checks import validate_resource

from common import fhir_contract as systems
from sandbox.hospital.settings import HOSPITAL_TZ

REASON = {
    "coding": [{"system": systems.CANCELLATION_REASON, "code": "pat"}],
    "text": "临时有事",
}


async def booked_appointment(
    client: httpx.AsyncClient, day: date, sequence: int, index: int = 0
) -> dict[str, Any]:
    patient = await register(client, resident_id(sequence))
    slot = (await free_slots(client, day, count=index + 1))[index]
    response = await book(client, slot["id"], patient, f"key-{sequence}")
    assert response.status_code == 201, response.text
    appointment: dict[str, Any] = response.json()
    return appointment


async def slot_status(client: httpx.AsyncClient, appointment: dict[str, Any]) -> str:
    slot = await client.get(f"/fhir/{appointment['slot'][0]['reference']}")
    status: str = slot.json()["status"]
    return status


async def test_cancel_frees_the_slot_and_is_idempotent(
    booking: httpx.AsyncClient, today: date
) -> None:
    appointment = await booked_appointment(booking, today + timedelta(days=2), 1)

    cancelled = await patch_status(booking, appointment["id"], "cancelled", reason=REASON)
    again = await patch_status(booking, appointment["id"], "cancelled")

    assert cancelled.status_code == 200, cancelled.text
    validate_resource(cancelled.json())
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["cancelationReason"] == REASON
    assert again.status_code == 200
    assert again.json() == cancelled.json()
    assert await slot_status(booking, appointment) == "free"
    booked = await booking.get(
        "/fhir/Appointment",
        params={"slot": appointment["slot"][0]["reference"], "status": "booked"},
    )
    assert booked.json()["total"] == 0


async def test_a_cancelled_slot_can_be_booked_again(
    booking: httpx.AsyncClient, today: date
) -> None:
    appointment = await booked_appointment(booking, today + timedelta(days=2), 2)
    await patch_status(booking, appointment["id"], "cancelled")
    other = await register(booking, resident_id(3))

    rebooked = await book(booking, appointment["slot"][0]["reference"][5:], other, "again")

    assert rebooked.status_code == 201, rebooked.text
    assert await slot_status(booking, appointment) == "busy"


@pytest.mark.parametrize(
    ("clock", "allowed"),
    [
        (time(23, 59, 59), True),  # the end of the day before
        (None, False),  # midnight: the appointment's own day
    ],
)
async def test_cancel_until_the_end_of_the_day_before(
    booking: httpx.AsyncClient, today: date, clock: time | None, allowed: bool
) -> None:
    day = today + timedelta(days=2)
    appointment = await booked_appointment(booking, day, 4)
    moment = (
        datetime.combine(day - timedelta(days=1), clock, HOSPITAL_TZ)
        if clock
        else datetime.combine(day, time(0), HOSPITAL_TZ)
    )
    await set_clock(booking, moment)

    response = await patch_status(booking, appointment["id"], "cancelled")

    if allowed:
        assert response.status_code == 200, response.text
        assert response.json()["status"] == "cancelled"
    else:
        issue = assert_outcome(response, 422, "business-rule", systems.RULE_TOO_LATE_TO_CANCEL)
        assert "前一天" in issue["diagnostics"]
        assert await slot_status(booking, appointment) == "busy"


async def test_same_day_appointments_cannot_be_cancelled(
    booking: httpx.AsyncClient, today: date, now: datetime
) -> None:
    patient = await register(booking, resident_id(5))
    later = await booking.get(
        "/fhir/Slot",
        params=[
            ("status", "free"),
            ("start", f"gt{now.isoformat()}"),
            ("start", f"lt{today + timedelta(days=1)}"),
        ],
    )
    slot = later.json()["entry"][0]["resource"]
    booked = await book(booking, slot["id"], patient, "today")
    assert booked.status_code == 201, booked.text

    response = await patch_status(booking, booked.json()["id"], "cancelled")

    assert_outcome(response, 422, "business-rule", systems.RULE_TOO_LATE_TO_CANCEL)


@pytest.mark.parametrize("closing", ["noshow", "fulfilled"])
async def test_hospital_closes_an_appointment_once_it_has_started(
    booking: httpx.AsyncClient, today: date, closing: str
) -> None:
    day = today + timedelta(days=1)
    appointment = await booked_appointment(booking, day, 6)
    early = await patch_status(booking, appointment["id"], closing)
    assert_outcome(early, 422, "business-rule", systems.RULE_APPOINTMENT_NOT_STARTED)

    await set_clock(booking, datetime.fromisoformat(appointment["start"]))
    closed = await patch_status(booking, appointment["id"], closing)
    again = await patch_status(booking, appointment["id"], closing)
    cancel = await patch_status(booking, appointment["id"], "cancelled")

    assert closed.status_code == 200, closed.text
    assert closed.json()["status"] == closing
    assert again.json() == closed.json()
    assert_outcome(cancel, 422, "business-rule", systems.RULE_INVALID_STATUS_TRANSITION)
    assert await slot_status(booking, appointment) == "busy"


async def test_a_cancelled_appointment_stays_cancelled(
    booking: httpx.AsyncClient, today: date
) -> None:
    appointment = await booked_appointment(booking, today + timedelta(days=2), 7)
    await patch_status(booking, appointment["id"], "cancelled")

    for status in ("booked", "noshow"):
        response = await patch_status(booking, appointment["id"], status)
        assert_outcome(response, 422, "business-rule", systems.RULE_INVALID_STATUS_TRANSITION)


@pytest.mark.parametrize(
    ("operations", "status", "code", "reason"),
    [
        ({"op": "replace"}, 400, "invalid", None),
        ([], 400, "invalid", None),
        (["replace"], 400, "invalid", None),
        ([{"op": "jump", "path": "/status", "value": "cancelled"}], 400, "invalid", None),
        ([{"op": "replace", "path": "/status"}], 400, "invalid", None),
        ([{"op": "replace", "path": "/status", "value": "gone"}], 400, "invalid", None),
        (
            [
                {"op": "replace", "path": "/status", "value": "cancelled"},
                {"op": "add", "path": "/cancelationReason", "value": {"coding": "pat"}},
            ],
            400,
            "invalid",
            None,
        ),
        (
            [{"op": "replace", "path": "/start", "value": "2026-11-30T08:00:00+08:00"}],
            422,
            "business-rule",
            systems.RULE_UNSUPPORTED_CHANGE,
        ),
        (
            [{"op": "remove", "path": "/participant/0"}],
            422,
            "business-rule",
            systems.RULE_UNSUPPORTED_CHANGE,
        ),
        (
            [{"op": "add", "path": "/cancelationReason", "value": REASON}],
            422,
            "business-rule",
            systems.RULE_UNSUPPORTED_CHANGE,
        ),
        (
            [
                {"op": "replace", "path": "/status", "value": "noshow"},
                {"op": "add", "path": "/cancelationReason", "value": REASON},
            ],
            422,
            "business-rule",
            systems.RULE_UNSUPPORTED_CHANGE,
        ),
        (
            [{"op": "replace", "path": "/status", "value": "arrived"}],
            422,
            "business-rule",
            systems.RULE_INVALID_STATUS_TRANSITION,
        ),
    ],
)
async def test_other_patches_are_refused(
    booking: httpx.AsyncClient,
    today: date,
    operations: Any,
    status: int,
    code: str,
    reason: str | None,
) -> None:
    appointment = await booked_appointment(booking, today + timedelta(days=2), 8)

    response = await booking.patch(
        f"/fhir/Appointment/{appointment['id']}",
        json=operations,
        headers={"Content-Type": JSON_PATCH},
    )

    assert_outcome(response, status, code, reason)
    unchanged = await booking.get(f"/fhir/Appointment/{appointment['id']}")
    assert unchanged.json() == appointment


async def test_patch_needs_json_patch_content(booking: httpx.AsyncClient, today: date) -> None:
    appointment = await booked_appointment(booking, today + timedelta(days=2), 9)

    response = await booking.patch(
        f"/fhir/Appointment/{appointment['id']}",
        json=[{"op": "replace", "path": "/status", "value": "cancelled"}],
    )

    assert_outcome(response, 415, "not-supported")


async def test_patching_an_unknown_appointment_is_404(booking: httpx.AsyncClient) -> None:
    response = await patch_status(booking, "appt-nothing", "cancelled")
    assert_outcome(response, 404, "not-found")
