"""``/fhir/Practitioner`` and ``/fhir/PractitionerRole``."""

from __future__ import annotations

import httpx
from hospital_fhir_checks import SearchFn, ids

from sandbox.hospital.catalogue import PRACTITIONER_TITLES, build_doctors

TITLE = "urn:frontdoor:practitioner-title"
DOCTORS = build_doctors()


async def test_roles_of_a_department(search: SearchFn, client: httpx.AsyncClient) -> None:
    service = "lw-lizhiwan-hospital-cardiology"
    bundle = await search("/fhir/PractitionerRole", {"service": f"HealthcareService/{service}"})
    expected = sorted(d.role_id for d in DOCTORS if d.department_id == service)
    assert ids(bundle) == expected and 2 <= len(expected) <= 4
    for entry in bundle["entry"]:
        role = entry["resource"]
        assert role["organization"]["reference"] == "Organization/lw-lizhiwan-hospital"
        assert role["organization"]["display"] == "荔枝湾中心医院"
        assert role["healthcareService"][0] == {
            "reference": f"HealthcareService/{service}",
            "display": "心血管内科",
        }
        coding = role["code"][0]["coding"][0]
        assert (
            coding["system"] == TITLE and PRACTITIONER_TITLES[coding["code"]] == coding["display"]
        )
        practitioner = (await client.get(f"/fhir/{role['practitioner']['reference']}")).json()
        assert practitioner["name"][0]["text"] == role["practitioner"]["display"]
        assert practitioner["gender"] in {"male", "female"}


async def test_role_filters(search: SearchFn) -> None:
    doctor = DOCTORS[10]
    by_practitioner = await search(
        "/fhir/PractitionerRole", {"practitioner": f"Practitioner/{doctor.practitioner_id}"}
    )
    assert ids(by_practitioner) == [doctor.role_id]

    by_org = await search(
        "/fhir/PractitionerRole", {"organization": "lw-xidi-chc", "_count": "500"}
    )
    assert set(ids(by_org)) == {d.role_id for d in DOCTORS if d.institution_id == "lw-xidi-chc"}

    chiefs = await search("/fhir/PractitionerRole", {"role": f"{TITLE}|chief-physician"})
    expected = sum(d.title_code == "chief-physician" for d in DOCTORS)
    assert chiefs["total"] == expected > 0
    assert {e["resource"]["code"][0]["coding"][0]["display"] for e in chiefs["entry"]} == {
        "主任医师"
    }


async def test_practitioner_search(search: SearchFn) -> None:
    first, second = DOCTORS[0], DOCTORS[1]
    bundle = await search(
        "/fhir/Practitioner", {"_id": f"{first.practitioner_id},{second.practitioner_id}"}
    )
    assert ids(bundle) == [first.practitioner_id, second.practitioner_id]

    by_name = await search("/fhir/Practitioner", {"name": first.family_name + first.given_name})
    assert first.practitioner_id in ids(by_name)
    assert all(
        e["resource"]["name"][0]["text"] == first.family_name + first.given_name
        for e in by_name["entry"]
    )

    everyone = await search("/fhir/Practitioner", {"_count": "0"})
    assert everyone["total"] == len(DOCTORS)
