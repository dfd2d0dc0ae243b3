"""``/fhir/Patient``: registration as a conditional create, search by document, read."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hospital_booking_helpers import assert_outcome, patient_body, resident_id
from hospital_fhir_checks import validate_resource

from common import fhir_contract as systems


def if_none_exist(number: str, system: str = systems.RESIDENT_ID) -> dict[str, str]:
    return {"If-None-Exist": f"identifier={system}|{number}"}


async def test_register_a_patient(booking: httpx.AsyncClient) -> None:
    number = resident_id(1)
    response = await booking.post(
        "/fhir/Patient", json=patient_body(number), headers=if_none_exist(number)
    )

    assert response.status_code == 201, response.text
    patient = response.json()
    validate_resource(patient)
    assert response.headers["location"].endswith(f"/fhir/Patient/{patient['id']}")
    assert patient["identifier"] == [
        {"use": "official", "system": systems.RESIDENT_ID, "value": number}
    ]
    assert patient["name"] == [{"use": "official", "text": "陈测试"}]
    assert (patient["gender"], patient["birthDate"]) == ("female", "1980-05-17")
    assert patient["telecom"] == [{"system": "phone", "value": "13800138000", "use": "mobile"}]
    read = await booking.get(f"/fhir/Patient/{patient['id']}")
    assert read.json() == patient


async def test_registering_again_returns_the_same_patient(
    booking: httpx.AsyncClient,
) -> None:
    number = resident_id(2)
    first = await booking.post(
        "/fhir/Patient", json=patient_body(number), headers=if_none_exist(number)
    )
    # URL-encoded criteria, another name and a lower-case check character: still the same person.
    encoded = {"If-None-Exist": "identifier=" + quote(f"{systems.RESIDENT_ID}|{number}", safe="")}
    again = await booking.post(
        "/fhir/Patient", json=patient_body(number.lower(), name="陈某"), headers=encoded
    )

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    found = await booking.get("/fhir/Patient", params={"identifier": number})
    assert found.json()["total"] == 1


async def test_plain_create_of_a_registered_document_is_409(booking: httpx.AsyncClient) -> None:
    number = resident_id(3)
    assert (await booking.post("/fhir/Patient", json=patient_body(number))).status_code == 201

    again = await booking.post("/fhir/Patient", json=patient_body(number))

    assert_outcome(again, 409, "duplicate")


async def test_concurrent_registrations_make_one_patient(booking: httpx.AsyncClient) -> None:
    number = resident_id(4)
    responses = await asyncio.gather(
        *(
            booking.post("/fhir/Patient", json=patient_body(number), headers=if_none_exist(number))
            for _ in range(8)
        )
    )
    assert sorted(r.status_code for r in responses) == [200] * 7 + [201]
    assert len({r.json()["id"] for r in responses}) == 1


@pytest.mark.parametrize(
    ("system", "number"),
    [
        (systems.HK_MACAU_PERMIT, "H12345678"),
        (systems.HK_MACAU_PERMIT, "M1234567801"),
        (systems.PASSPORT, "E12345678"),
    ],
)
async def test_other_identity_documents(
    booking: httpx.AsyncClient, system: str, number: str
) -> None:
    response = await booking.post(
        "/fhir/Patient",
        json=patient_body(number, system=system, gender=None, birth_date=None, phone=None),
        headers=if_none_exist(number, system),
    )
    assert response.status_code == 201, response.text
    assert response.json()["identifier"][0]["system"] == system
    assert "telecom" not in response.json()


async def test_search_by_identifier(booking: httpx.AsyncClient) -> None:
    number = resident_id(5)
    created = await booking.post("/fhir/Patient", json=patient_body(number))
    patient_id = created.json()["id"]

    async def total(params: dict[str, str]) -> int:
        response = await booking.get("/fhir/Patient", params=params)
        assert response.status_code == 200
        validate_resource(response.json())
        count: int = response.json()["total"]
        return count

    assert await total({"identifier": f"{systems.RESIDENT_ID}|{number}"}) == 1
    assert await total({"identifier": number}) == 1
    assert await total({"identifier": f"{systems.PASSPORT}|{number}"}) == 0
    assert await total({"identifier": f"urn:other|{number}"}) == 0
    assert await total({"identifier": f"{systems.RESIDENT_ID}|{resident_id(6)}"}) == 0
    assert await total({"_id": patient_id}) == 1


def _body(**changes: Any) -> dict[str, Any]:
    body = patient_body(resident_id(7))
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


@pytest.mark.parametrize(
    ("body", "headers"),
    [
        ({"resourceType": "Organization"}, {}),
        ("text", {}),
        (_body(identifier=None), {}),
        (_body(identifier=[{"system": "urn:other", "value": "1"}]), {}),
        (
            _body(
                identifier=[
                    {"system": systems.RESIDENT_ID, "value": resident_id(8)},
                    {"system": systems.PASSPORT, "value": "E12345678"},
                ]
            ),
            {},
        ),
        (_body(identifier=[{"system": systems.RESIDENT_ID, "value": "440103198005171230"}]), {}),
        (_body(identifier=[{"system": systems.RESIDENT_ID, "value": "44010319800517123"}]), {}),
        (_body(identifier=[{"system": systems.HK_MACAU_PERMIT, "value": "X12345678"}]), {}),
        (_body(identifier=[{"system": systems.PASSPORT, "value": "E1"}]), {}),
        (_body(name=None), {}),
        (_body(name=[{"text": "  "}]), {}),
        (_body(gender="robot"), {}),
        (_body(birthDate="1980-13-01"), {}),
        (_body(), {"If-None-Exist": f"identifier={systems.RESIDENT_ID}|{resident_id(9)}"}),
        (_body(), {"If-None-Exist": "name=chen"}),
    ],
)
async def test_malformed_registrations_are_400(
    booking: httpx.AsyncClient, body: Any, headers: dict[str, str]
) -> None:
    response = await booking.post("/fhir/Patient", json=body, headers=headers)
    assert_outcome(response, 400, "invalid")


async def test_problems_never_echo_the_number(booking: httpx.AsyncClient) -> None:
    number = "440103198005171230"  # wrong check character
    body = patient_body(number, phone="1380013800x" * 10)
    response = await booking.post("/fhir/Patient", json=body)
    assert response.status_code == 400
    assert number not in response.text
