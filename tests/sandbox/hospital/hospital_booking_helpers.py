"""Helpers of the booking tests: fictional patients, request bodies, OperationOutcome checks.

(A unique module name: tests have no packages.)
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

import httpx
from hospital_fhir_checks import FHIR_JSON, validate_resource

from common import fhir_contract as systems
from sandbox.hospital.booking.identity import resident_id_check_character

JSON_PATCH = "application/json-patch+json"


def resident_id(sequence: int, born: date = date(1980, 5, 17), area: str = "440103") -> str:
    """A well-formed, fictional resident ID number (valid check character)."""
    first17 = f"{area}{born:%Y%m%d}{sequence % 1000:03d}"
    return first17 + resident_id_check_character(first17)


def patient_body(
    number: str,
    *,
    system: str = systems.RESIDENT_ID,
    name: str = "陈测试",
    gender: str | None = "female",
    birth_date: str | None = "1980-05-17",
    phone: str | None = "13800138000",
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "resourceType": "Patient",
        "identifier": [{"system": system, "value": number}],
        "name": [{"text": name}],
    }
    if gender:
        body["gender"] = gender
    if birth_date:
        body["birthDate"] = birth_date
    if phone:
        body["telecom"] = [{"system": "phone", "value": phone}]
    return body


async def register(client: httpx.AsyncClient, number: str, **fields: Any) -> str:
    body = patient_body(number, **fields)
    system = body["identifier"][0]["system"]
    response = await client.post(
        "/fhir/Patient", json=body, headers={"If-None-Exist": f"identifier={system}|{number}"}
    )
    assert response.status_code in (200, 201), response.text
    patient_id: str = response.json()["id"]
    return patient_id


def booking_body(slot_id: str, patient_id: str, key: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "resourceType": "Appointment",
        "status": "booked",
        "slot": [{"reference": f"Slot/{slot_id}"}],
        "participant": [{"actor": {"reference": f"Patient/{patient_id}"}, "status": "accepted"}],
    }
    if key is not None:
        body["identifier"] = [{"system": systems.BOOKING_REQUEST, "value": key}]
    return body


async def book(
    client: httpx.AsyncClient,
    slot_id: str,
    patient_id: str,
    key: str | None = None,
    *,
    conditional: bool = True,
) -> httpx.Response:
    headers = {}
    if conditional and key is not None:
        headers["If-None-Exist"] = f"identifier={systems.BOOKING_REQUEST}|{key}"
    return await client.post(
        "/fhir/Appointment", json=booking_body(slot_id, patient_id, key), headers=headers
    )


async def patch_status(
    client: httpx.AsyncClient, appointment_id: str, status: str, **extra: Any
) -> httpx.Response:
    operations: list[dict[str, Any]] = [{"op": "replace", "path": "/status", "value": status}]
    if "reason" in extra:
        operations.append({"op": "add", "path": "/cancelationReason", "value": extra["reason"]})
    return await client.patch(
        f"/fhir/Appointment/{appointment_id}",
        content=json.dumps(operations),
        headers={"Content-Type": JSON_PATCH},
    )


async def free_slots(
    client: httpx.AsyncClient, day: date, count: int = 50, actor: str | None = None
) -> list[dict[str, Any]]:
    """Free slots starting on ``day`` (of ``actor``, e.g. HealthcareService/x), soonest first."""
    query: list[tuple[str, str | int | float | bool | None]] = [
        ("status", "free"),
        ("start", day.isoformat()),
        ("_count", str(count)),
    ]
    if actor:
        query.append(("schedule.actor", actor))
    response = await client.get("/fhir/Slot", params=query)
    assert response.status_code == 200, response.text
    return [entry["resource"] for entry in response.json().get("entry", [])]


async def set_clock(client: httpx.AsyncClient, now: datetime | None) -> None:
    response = await client.post("/sandbox/clock", json={"now": now.isoformat() if now else None})
    assert response.status_code == 200, response.text


def assert_outcome(
    response: httpx.Response, status: int, code: str, reason: str | None = None
) -> dict[str, Any]:
    """The response is a valid OperationOutcome with this status, issue code and rule."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(FHIR_JSON)
    outcome: dict[str, Any] = response.json()
    validate_resource(outcome)
    assert outcome["resourceType"] == "OperationOutcome"
    issue: dict[str, Any] = outcome["issue"][0]
    assert issue["severity"] == "error"
    assert issue["code"] == code
    assert issue["diagnostics"]
    if reason is not None:
        assert issue["details"]["coding"] == [{"system": systems.BUSINESS_RULE, "code": reason}]
    return issue


def bookable_from(issue: dict[str, Any]) -> date | None:
    for extension in issue.get("extension", []):
        if extension["url"] == systems.BOOKABLE_FROM_EXTENSION:
            return date.fromisoformat(extension["valueDate"])
    return None
