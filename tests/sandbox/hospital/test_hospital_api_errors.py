"""Errors are OperationOutcomes with the right status; metadata and health endpoints."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from hospital_fhir_checks import FHIR_JSON, validate_resource

from sandbox.hospital.app import create_app
from sandbox.hospital.settings import HospitalSettings

RESOURCE_TYPES = [
    "Organization",
    "Location",
    "HealthcareService",
    "Practitioner",
    "PractitionerRole",
    "Schedule",
    "Slot",
    "Patient",
    "Appointment",
    "DiagnosticReport",
    "Observation",
]


async def assert_outcome(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(FHIR_JSON)
    outcome = response.json()
    validate_resource(outcome)
    assert outcome["resourceType"] == "OperationOutcome"
    assert outcome["issue"][0]["severity"] == "error"
    assert outcome["issue"][0]["code"] == code
    assert outcome["issue"][0]["diagnostics"]


@pytest.mark.parametrize("resource_type", RESOURCE_TYPES)
async def test_unknown_id_is_404(client: httpx.AsyncClient, resource_type: str) -> None:
    await assert_outcome(await client.get(f"/fhir/{resource_type}/no-such-id"), 404, "not-found")


@pytest.mark.parametrize("path", ["/fhir/Encounter", "/fhir/Foo/1", "/fhir/Organization/%00"])
async def test_unknown_resource_type_or_bad_id_is_404(client: httpx.AsyncClient, path: str) -> None:
    await assert_outcome(await client.get(path), 404, "not-found")


@pytest.mark.parametrize(
    "url",
    [
        "/fhir/Slot?start=tomorrow",
        "/fhir/Slot?start=ge2026-02-30",
        "/fhir/Slot?start=xx2026-11-24",
        "/fhir/Slot?status=maybe",
        "/fhir/Slot?schedule=Practitioner/pract-0001",
        "/fhir/Slot?_count=many",
        "/fhir/Slot?_offset=-5",
        "/fhir/Organization?name:fuzzy=x",
        "/fhir/Organization?name=%00",
        "/fhir/HealthcareService?organization=Organization/a/b%20c",
        "/fhir/Schedule?actor=Organization/lw-tcm-hospital",
    ],
)
async def test_malformed_parameters_are_400(client: httpx.AsyncClient, url: str) -> None:
    await assert_outcome(await client.get(url), 400, "invalid")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/fhir/Organization"),
        ("DELETE", "/fhir/Appointment/any"),
        ("PUT", "/fhir/Patient/any"),
        ("PATCH", "/fhir/Slot/any"),
    ],
)
async def test_unsupported_method_is_405(client: httpx.AsyncClient, method: str, path: str) -> None:
    response = await client.request(method, path, json={})
    await assert_outcome(response, 405, "not-supported")


async def test_metadata_lists_resources_and_search_params(client: httpx.AsyncClient) -> None:
    response = await client.get("/fhir/metadata")
    assert response.status_code == 200
    statement = response.json()
    validate_resource(statement)
    resources = {r["type"]: r for r in statement["rest"][0]["resource"]}
    assert sorted(resources) == sorted(RESOURCE_TYPES)
    slot_params = {p["name"] for p in resources["Slot"]["searchParam"]}
    assert {"schedule", "status", "start", "_id"} <= slot_params
    org_params = {p["name"] for p in resources["Organization"]["searchParam"]}
    assert {"name", "address", "address-city", "type", "_id"} <= org_params
    assert {p["name"] for p in statement["rest"][0]["searchParam"]} == {"_count", "_offset"}
    assert statement["patchFormat"] == ["application/json-patch+json"]
    interactions = {t: {i["code"] for i in r["interaction"]} for t, r in resources.items()}
    assert interactions["Slot"] == {"read", "search-type"}
    assert interactions["Patient"] == {"read", "search-type", "create"}
    assert interactions["Appointment"] == {"read", "search-type", "create", "patch"}
    assert resources["Appointment"]["conditionalCreate"] is True
    assert resources["Patient"]["conditionalCreate"] is True
    assert "conditionalCreate" not in resources["Slot"]
    appointment_params = {p["name"] for p in resources["Appointment"]["searchParam"]}
    assert {"patient", "date", "status", "identifier", "_sort"} <= appointment_params
    assert {p["name"] for p in resources["Patient"]["searchParam"]} == {"_id", "identifier"}


async def test_healthz(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_lifespan_creates_the_database_engine(app: FastAPI) -> None:
    # Without dependency overrides, the app must open the database named in its settings.
    database_url = app.state.settings.database_url
    fresh = create_app(HospitalSettings(database_url=database_url))
    async with fresh.router.lifespan_context(fresh):
        transport = httpx.ASGITransport(app=fresh)
        async with httpx.AsyncClient(transport=transport, base_url="http://h") as client:
            response = await client.get("/fhir/Organization/lw-tcm-hospital")
    assert response.status_code == 200
    assert response.json()["name"] == "荔湾示范中医医院"
