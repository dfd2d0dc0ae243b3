"""``GET /fhir/DiagnosticReport`` and ``/fhir/Observation`` on the seeded demo reports: search
parameters, sorting, paging, ``_include``, the ``_lastUpdated`` feed, reads and the 400s."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from hospital_booking_helpers import assert_outcome
from hospital_report_helpers import (
    CHILD,
    ELDER,
    WOMAN,
    code_of,
    extension,
    fetch_bundle,
    findings_text,
    included,
    instant,
    match_ids,
    matches,
    next_url,
)

from common import fhir_contract as systems

REPORTS = "/fhir/DiagnosticReport"
ELDER_TESTS = {
    "CBC",
    "LFT",
    "RFT",
    "LIPID",
    "GLYCEMIA",
    "XR-CHEST",
    "ELEC",
    "US-ABDOMEN",
    "URINE",
}


async def reports(client: httpx.AsyncClient, **params: str) -> list[dict[str, Any]]:
    return matches(await fetch_bundle(client, REPORTS, params))


async def codes(client: httpx.AsyncClient, **params: str) -> set[str]:
    return {code_of(report) for report in await reports(client, **params)}


async def test_a_patients_reports_newest_first(client: httpx.AsyncClient) -> None:
    found = await reports(client, patient=f"Patient/{ELDER.id}")
    assert {code_of(r) for r in found} == ELDER_TESTS
    assert {r["subject"]["reference"] for r in found} == {f"Patient/{ELDER.id}"}
    effective = [instant(r["effectiveDateTime"]) for r in found]
    assert effective == sorted(effective, reverse=True)
    oldest_first = await reports(client, patient=ELDER.id, _sort="date")
    assert [r["id"] for r in oldest_first][::-1] == [r["id"] for r in found]


async def test_status_is_a_comma_separated_list(client: httpx.AsyncClient) -> None:
    pending = await codes(client, patient=ELDER.id, status="registered,partial,preliminary")
    assert pending == {"US-ABDOMEN", "URINE"}
    assert await codes(client, patient=WOMAN.id, status="amended") == {"URINE"}
    assert await codes(client, patient=ELDER.id, status="final") == ELDER_TESTS - pending


async def test_category_with_or_without_system(client: httpx.AsyncClient) -> None:
    assert await codes(client, patient=ELDER.id, category="RAD") == {"XR-CHEST", "US-ABDOMEN"}
    lab = await codes(client, patient=ELDER.id, category=f"{systems.REPORT_CATEGORY}|LAB")
    assert lab == ELDER_TESTS - {"XR-CHEST", "US-ABDOMEN"}
    assert await codes(client, patient=ELDER.id, category="urn:other|LAB") == set()
    assert await codes(client, patient=ELDER.id, category="HM") == set()


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("CBC", {"CBC"}),
        (f"{systems.TEST_CODE}|CBC", {"CBC"}),
        (f"{systems.LOINC}|58410-2", {"CBC"}),
        ("CBC,ELEC", {"CBC", "ELEC"}),
        (f"{systems.LOINC}|CBC", set()),
        (f"{systems.TEST_CODE}|HGB", set()),
    ],
)
async def test_code_token(client: httpx.AsyncClient, code: str, expected: set[str]) -> None:
    assert await codes(client, patient=ELDER.id, code=code) == expected


async def test_date_prefixes_on_effective(client: httpx.AsyncClient, today: date) -> None:
    yesterday = (today - timedelta(days=1)).isoformat()
    assert await codes(client, patient=ELDER.id, date=f"ge{yesterday}") == {
        "ELEC",
        "US-ABDOMEN",
        "URINE",
    }
    assert await codes(client, patient=ELDER.id, date=f"gt{yesterday}") == {"URINE"}
    assert await codes(client, patient=ELDER.id, date=f"lt{yesterday}") == ELDER_TESTS - {
        "ELEC",
        "US-ABDOMEN",
        "URINE",
    }
    # Two occurrences are AND'ed: a window.
    three_days_ago = (today - timedelta(days=3)).isoformat()
    window = await fetch_bundle(
        client,
        REPORTS,
        [("patient", ELDER.id), ("date", f"ge{three_days_ago}"), ("date", f"le{three_days_ago}")],
    )
    assert {code_of(r) for r in matches(window)} == {"CBC", "LFT", "RFT", "LIPID", "GLYCEMIA"}


async def test_last_updated_feed_in_change_order(client: httpx.AsyncClient, today: date) -> None:
    since = (today - timedelta(days=2)).isoformat()
    found = await reports(client, _lastUpdated=f"gt{since}T00:00:00+08:00", _sort="_lastUpdated")
    updated = [instant(r["meta"]["lastUpdated"]) for r in found]
    assert updated == sorted(updated)
    assert all(u >= instant(f"{since}T00:00:00+08:00") for u in updated)
    # The feed crosses patients: yesterday's critical potassium and today's child's results.
    subjects = {r["subject"]["reference"] for r in found}
    assert {f"Patient/{ELDER.id}", f"Patient/{CHILD.id}"} <= subjects
    newest_first = await reports(client, _lastUpdated=f"ge{since}", _sort="-_lastUpdated")
    assert [r["id"] for r in newest_first] == [r["id"] for r in found][::-1]


async def test_paging_follows_next_links_and_keeps_the_search(client: httpx.AsyncClient) -> None:
    everything = await reports(client, patient=ELDER.id)
    params = {"patient": ELDER.id, "_count": "4", "_include": "DiagnosticReport:result"}
    bundle = await fetch_bundle(client, REPORTS, params)
    assert bundle["total"] == len(ELDER_TESTS)
    pages = [bundle]
    while (url := next_url(pages[-1])) is not None:
        query = parse_qs(urlsplit(url).query)
        assert query["_include"] == ["DiagnosticReport:result"] and query["patient"] == [ELDER.id]
        pages.append(await fetch_bundle(client, url))
    assert len(pages) == 3
    assert [i for page in pages for i in match_ids(page)] == [r["id"] for r in everything]


async def test_include_adds_the_results_of_the_page(client: httpx.AsyncClient) -> None:
    bundle = await fetch_bundle(
        client, REPORTS, {"patient": ELDER.id, "_include": "DiagnosticReport:result"}
    )
    referenced = {ref["reference"] for r in matches(bundle) for ref in r.get("result", [])}
    observations = included(bundle)
    assert {f"Observation/{o['id']}" for o in observations} == referenced
    assert len(observations) == 8 + 8 + 4 + 4 + 2 + 3  # CBC, LFT, RFT, LIPID, GLYCEMIA, ELEC
    assert bundle["total"] == len(ELDER_TESTS)  # included resources are not matches
    without = await fetch_bundle(client, REPORTS, {"patient": ELDER.id})
    assert included(without) == []


async def test_pending_reports_show_when_not_what(client: httpx.AsyncClient, today: date) -> None:
    (ultrasound,) = await reports(client, patient=ELDER.id, code="US-ABDOMEN")
    assert ultrasound["status"] == "registered"
    for hidden in ("issued", "result", "conclusion", "presentedForm"):
        assert hidden not in ultrasound
    expected = extension(ultrasound, systems.REPORT_EXPECTED_EXTENSION)
    assert expected is not None
    tomorrow_four_pm = instant(f"{(today + timedelta(days=1)).isoformat()}T16:00:00+08:00")
    assert instant(expected["valueDateTime"]) == tomorrow_four_pm


async def test_imaging_report_has_findings_and_impression(client: httpx.AsyncClient) -> None:
    (xray,) = await reports(client, patient=ELDER.id, code="XR-CHEST")
    assert xray["category"][0]["coding"][0] == {
        "system": systems.REPORT_CATEGORY,
        "code": "RAD",
        "display": "检查",
    }
    assert xray["code"]["text"] == "胸部X线"
    assert {"system": systems.LOINC, "code": "36643-5"} in xray["code"]["coding"]
    assert xray["presentedForm"][0]["contentType"] == "text/plain; charset=utf-8"
    assert xray["presentedForm"][0]["title"] == "检查所见"
    assert "右下肺野" in findings_text(xray)
    assert "炎症" in xray["conclusion"]
    assert "result" not in xray
    assert xray["performer"] == [
        {"reference": "Organization/lw-lizhiwan-hospital", "display": "荔枝湾中心医院"}
    ]


async def test_sensitive_reports_carry_security_labels(client: httpx.AsyncClient) -> None:
    found = {
        code_of(r): r
        for r in matches(
            await fetch_bundle(
                client, REPORTS, {"patient": WOMAN.id, "_include": "DiagnosticReport:result"}
            )
        )
    }
    restricted = {"system": "http://terminology.hl7.org/CodeSystem/v3-Confidentiality", "code": "R"}
    hiv = {"system": systems.SECURITY_ACT_CODE, "code": "HIV"}

    def labels(resource: dict[str, Any]) -> list[dict[str, str]]:
        return [
            {"system": c["system"], "code": c["code"]} for c in resource["meta"].get("security", [])
        ]

    assert labels(found["HCG"]) == [restricted]
    assert labels(found["HIV"]) == [hiv]
    assert labels(found["CBC"]) == []
    # Results inherit their report's labels, so they are never less protected than it.
    (hiv_result,) = [
        o
        for o in included(
            await fetch_bundle(
                client,
                REPORTS,
                {"patient": WOMAN.id, "code": "HIV", "_include": "DiagnosticReport:result"},
            )
        )
    ]
    assert labels(hiv_result) == [hiv]


async def test_read_report_and_observation(client: httpx.AsyncClient) -> None:
    response = await client.get(f"{REPORTS}/dr-demo-elder-elec")
    assert response.status_code == 200
    report = response.json()
    assert report["status"] == "final" and report["meta"]["versionId"] == "1"
    first = report["result"][0]["reference"]
    observation = (await client.get(f"/fhir/{first}")).json()
    assert observation["resourceType"] == "Observation" and observation["status"] == "final"
    assert observation["subject"] == {"reference": f"Patient/{ELDER.id}"}
    assert observation["effectiveDateTime"] == report["effectiveDateTime"]
    assert observation["issued"] == report["issued"]
    assert observation["category"][0]["coding"][0]["code"] == "laboratory"
    assert_outcome(await client.get(f"{REPORTS}/nope"), 404, "not-found")
    assert_outcome(await client.get("/fhir/Observation/nope"), 404, "not-found")


async def test_observation_search_by_ids_and_patient(client: httpx.AsyncClient) -> None:
    report = (await client.get(f"{REPORTS}/dr-demo-child-cbc")).json()
    ids = [ref["reference"].removeprefix("Observation/") for ref in report["result"]]
    bundle = await fetch_bundle(client, "/fhir/Observation", {"_id": ",".join(ids[:3])})
    assert match_ids(bundle) == ids[:3]
    by_patient = await fetch_bundle(client, "/fhir/Observation", {"patient": CHILD.id})
    assert match_ids(by_patient) == ids  # the pending CRP has no results yet


async def test_metadata_lists_reports(client: httpx.AsyncClient) -> None:
    statement = (await client.get("/fhir/metadata")).json()
    resources = {r["type"]: r for r in statement["rest"][0]["resource"]}
    report = resources["DiagnosticReport"]
    names = {p["name"] for p in report["searchParam"]}
    assert {"patient", "status", "category", "code", "date", "_lastUpdated", "_sort"} <= names
    assert report["searchInclude"] == ["DiagnosticReport:result"]
    assert {i["code"] for i in report["interaction"]} == {"read", "search-type"}
    assert {p["name"] for p in resources["Observation"]["searchParam"]} >= {"_id", "patient"}


@pytest.mark.parametrize(
    ("url", "params"),
    [
        (REPORTS, {}),
        (REPORTS, {"status": "final"}),
        (REPORTS, {"patient": ""}),
        (REPORTS, {"patient": ELDER.id, "status": "done"}),
        (REPORTS, {"patient": ELDER.id, "_sort": "code"}),
        (REPORTS, {"patient": ELDER.id, "date": "last-week"}),
        (REPORTS, {"patient": "Practitioner/x"}),
        (REPORTS, {"patient": ELDER.id, "_include": "DiagnosticReport:subject"}),
        (REPORTS, {"_lastUpdated": "yesterday"}),
        ("/fhir/Observation", {}),
        ("/fhir/Observation", {"patient": "Organization/x"}),
    ],
)
async def test_bad_searches_are_400(
    client: httpx.AsyncClient, url: str, params: dict[str, str]
) -> None:
    assert_outcome(await client.get(url, params=params), 400, "invalid")
