"""``/fhir/HealthcareService`` and ``/fhir/Location``."""

from __future__ import annotations

import httpx
import pytest
from hospital_fhir_checks import SearchFn, ids

from sandbox.hospital.catalogue import DEPARTMENT_TYPES, INSTITUTIONS, institution_spec

DEPT = "urn:frontdoor:department"


def catalogue_departments(**filters: str) -> set[str]:
    found = set()
    for inst in INSTITUTIONS:
        for code in inst.departments:
            if all(value in (inst.id, code) for value in filters.values()):
                found.add(f"{inst.id}-{code}")
    return found


async def test_departments_of_one_institution(search: SearchFn) -> None:
    bundle = await search(
        "/fhir/HealthcareService", {"organization": "Organization/lw-rongyin-chc"}
    )
    names = {e["resource"]["name"] for e in bundle["entry"]}
    spec = institution_spec("lw-rongyin-chc")
    assert names == {DEPARTMENT_TYPES[code].name for code in spec.departments}
    for entry in bundle["entry"]:
        service = entry["resource"]
        assert service["providedBy"] == {
            "reference": "Organization/lw-rongyin-chc",
            "display": "榕荫街社区卫生服务中心",
        }
        assert service["comment"]
        assert service["active"] is True
        assert service["telecom"][0]["value"]
        assert service["type"][0]["coding"][0]["system"] == DEPT


@pytest.mark.parametrize(
    "organization",
    [
        "lw-rongyin-chc,lw-xidi-chc",
        "Organization/lw-rongyin-chc,Organization/lw-xidi-chc",
        "http://elsewhere.example/fhir/Organization/lw-rongyin-chc,lw-xidi-chc",
    ],
)
async def test_organization_comma_is_or(search: SearchFn, organization: str) -> None:
    bundle = await search(
        "/fhir/HealthcareService", {"organization": organization, "_count": "500"}
    )
    expected = catalogue_departments(org="lw-rongyin-chc") | catalogue_departments(
        org="lw-xidi-chc"
    )
    assert set(ids(bundle)) == expected


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"service-type": "vaccination"}, catalogue_departments(code="vaccination")),
        ({"service-type": f"{DEPT}|cardiology"}, catalogue_departments(code="cardiology")),
        ({"service-type": "urn:other|cardiology"}, set()),
        ({"name": "心血管"}, catalogue_departments(code="cardiology")),
        ({"name": "血管"}, set()),
        ({"name:contains": "血管"}, catalogue_departments(code="cardiology")),
        (
            {"organization": "yx-yunshan-hospital", "service-type": "cardiology"},
            {"yx-yunshan-hospital-cardiology"},
        ),
        ({"_id": "lw-tcm-hospital-acupuncture"}, {"lw-tcm-hospital-acupuncture"}),
    ],
)
async def test_service_filters(
    search: SearchFn, params: dict[str, str], expected: set[str]
) -> None:
    bundle = await search("/fhir/HealthcareService", {**params, "_count": "500"})
    assert set(ids(bundle)) == expected
    assert bundle["total"] == len(expected)


async def test_name_contains_internal_medicine(search: SearchFn) -> None:
    bundle = await search("/fhir/HealthcareService", {"name:contains": "内科", "_count": "500"})
    expected = {
        f"{inst.id}-{code}"
        for inst in INSTITUTIONS
        for code in inst.departments
        if "内科" in DEPARTMENT_TYPES[code].name
    }
    assert set(ids(bundle)) == expected and len(expected) > 5


async def test_emergency_is_walk_in_and_clinics_are_bookable(client: httpx.AsyncClient) -> None:
    emergency = (await client.get("/fhir/HealthcareService/lw-lizhiwan-hospital-emergency")).json()
    assert emergency["appointmentRequired"] is False
    assert emergency["availableTime"][0]["allDay"] is True
    cardiology = (
        await client.get("/fhir/HealthcareService/lw-lizhiwan-hospital-cardiology")
    ).json()
    assert cardiology["appointmentRequired"] is True
    assert {
        (t["availableStartTime"], t["availableEndTime"]) for t in cardiology["availableTime"]
    } == {
        ("08:00:00", "12:00:00"),
        ("14:00:00", "17:00:00"),
    }
    assert cardiology["type"][0]["coding"][0] == {
        "system": DEPT,
        "code": "cardiology",
        "display": "心血管内科",
    }


async def test_service_location_resolves(client: httpx.AsyncClient, search: SearchFn) -> None:
    service = (await client.get("/fhir/HealthcareService/lw-tcm-hospital-tuina")).json()
    location_ref = service["location"][0]["reference"]
    location = await client.get(f"/fhir/{location_ref}")
    assert location.status_code == 200
    assert location.json()["managingOrganization"]["reference"] == "Organization/lw-tcm-hospital"

    bundle = await search("/fhir/Location", {"organization": "lw-tcm-hospital"})
    assert ids(bundle) == [location_ref.split("/")[1]]
    assert bundle["entry"][0]["resource"]["address"]["district"] == "荔湾区"


async def test_location_search_all(search: SearchFn) -> None:
    bundle = await search("/fhir/Location", {"_count": "500"})
    assert bundle["total"] == len(INSTITUTIONS)
