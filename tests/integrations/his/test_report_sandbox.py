"""`HISClient` report reads against the sandbox hospital's real FHIR app and its seeded demo
patients (`sandbox/hospital/reports/demo.py`): the elder with a critical potassium and pending
tests, the woman with an amended urine test and sensitive reports, the child with a pending CRP.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime, time, timedelta

import httpx
import pytest
from fastapi import FastAPI
from his_booking_support import MONDAY, Hospital

from common import fhir_contract as systems
from integrations.his import (
    HISClient,
    HISNotFound,
    Interpretation,
    ReportCategory,
    ReportStatus,
)
from integrations.his.models import CHINA_TZ
from sandbox.hospital.reports.demo import DEMO_PATIENTS

ELDER, WOMAN, CHILD = (DEMO_PATIENTS[key].id for key in ("elder", "woman", "child"))


@pytest.fixture
async def his(hospital_app: FastAPI) -> AsyncIterator[HISClient]:
    transport = httpx.ASGITransport(app=hospital_app)
    async with HISClient("http://his.test/fhir", transport=transport) as client:
        yield client


async def test_demo_patients_are_found_by_resident_id(his: HISClient) -> None:
    for patient in DEMO_PATIENTS.values():
        assert await his.find_patient(systems.RESIDENT_ID, patient.resident_id) == patient.id
    assert await his.find_patient(systems.RESIDENT_ID, "11010519491231002X") is None


async def test_list_newest_first_with_pending_reports(his: HISClient) -> None:
    reports = await his.list_reports(ELDER)
    assert len(reports) == 9
    times = [r.effective for r in reports]
    assert None not in times
    assert times == sorted(times, key=lambda t: t.timestamp() if t else 0, reverse=True)
    assert {r.patient_id for r in reports} == {ELDER}
    urine = next(r for r in reports if r.code == "URINE")
    assert (urine.status, urine.fhir_status, urine.issued) == (
        ReportStatus.PENDING,
        "registered",
        None,
    )
    assert urine.expected_at is not None and urine.expected_at.tzinfo is CHINA_TZ
    assert urine.name == "尿常规"
    assert all(r.institution_name for r in reports)


async def test_list_filters(his: HISClient) -> None:
    imaging = await his.list_reports(ELDER, category=ReportCategory.IMAGING)
    assert {r.code for r in imaging} == {"XR-CHEST", "US-ABDOMEN"}
    pending = await his.list_reports(ELDER, statuses=[ReportStatus.PENDING])
    assert {r.code for r in pending} == {"URINE", "US-ABDOMEN"}
    assert [r.code for r in await his.list_reports(ELDER, code="CBC")] == ["CBC"]
    assert len(await his.list_reports(ELDER, limit=3)) == 3
    # `hospital_app` placed the demo reports around the machine's today.
    recent = await his.list_reports(ELDER, since=date.today() - timedelta(days=1))
    assert {r.code for r in recent} == {"ELEC", "US-ABDOMEN", "URINE"}


async def test_critical_potassium(his: HISClient) -> None:
    elec = next(r for r in await his.list_reports(ELDER, code="ELEC"))
    assert elec.has_critical is None  # unknown until the results are read
    report = await his.get_report(elec.id)
    assert report == await his.get_report(elec.id, patient_id=ELDER)
    assert report.has_critical is True
    assert [r.code for r in report.results] == ["K", "NA", "CL"]
    potassium = report.results[0]
    assert (potassium.value_text, potassium.unit, potassium.reference_range) == (
        "6.6",
        "mmol/L",
        "3.5-5.3",
    )
    assert potassium.interpretation is Interpretation.CRITICAL_HIGH


async def test_ranges_with_one_bound_and_qualitative_values(his: HISClient) -> None:
    lipid = await his.get_report(
        (await his.list_reports(ELDER, code="LIPID"))[0].id, patient_id=ELDER
    )
    tc = next(r for r in lipid.results if r.code == "TC")
    assert (tc.low, tc.reference_range, tc.interpretation) == (None, "<5.2", Interpretation.HIGH)
    assert tc.high is not None
    assert lipid.has_critical is False
    urine = await his.get_report((await his.list_reports(WOMAN, code="URINE"))[0].id)
    protein = next(r for r in urine.results if r.code == "U-PRO")
    assert (protein.value_text, protein.value, protein.reference_range) == ("阴性", None, "阴性")


async def test_imaging_findings_and_impression(his: HISClient) -> None:
    chest = (await his.list_reports(ELDER, code="XR-CHEST"))[0]
    report = await his.get_report(chest.id, patient_id=ELDER)
    assert report.category is ReportCategory.IMAGING
    assert report.findings is not None and report.findings.startswith("两肺纹理增多")
    assert report.conclusion is not None and "右下肺少许炎症" in report.conclusion
    assert report.results == ()
    assert report.has_critical is None


async def test_amended_and_sensitive_reports(his: HISClient) -> None:
    reports = {r.code: r for r in await his.list_reports(WOMAN)}
    urine = reports["URINE"]
    assert (urine.status, urine.fhir_status, urine.version_id) == (
        ReportStatus.RELEASED,
        "amended",
        "2",
    )
    assert urine.amendment_note is not None and "标本污染" in urine.amendment_note
    assert "HIV" in reports["HIV"].security_labels
    assert reports["HCG"].is_sensitive
    assert not reports["CBC"].is_sensitive


async def test_pending_report_has_no_results_yet(his: HISClient) -> None:
    crp = (await his.list_reports(CHILD, code="CRP"))[0]
    report = await his.get_report(crp.id, patient_id=CHILD)
    assert report.status is ReportStatus.PENDING
    assert report.expected_at is not None
    assert report.results == ()


async def test_another_patients_report_is_not_found(his: HISClient) -> None:
    elec = (await his.list_reports(ELDER, code="ELEC"))[0]
    with pytest.raises(HISNotFound):
        await his.get_report(elec.id, patient_id=CHILD)
    with pytest.raises(HISNotFound):
        await his.get_report("dr-no-such-report")


async def test_changes_since_a_cursor(booking_his: HISClient, hospital: Hospital) -> None:
    """Release the child's CRP and amend the woman's CBC after the cursor; feed them in order."""
    cursor = datetime.combine(MONDAY, time(9, 0), CHINA_TZ)
    crp = (await booking_his.list_reports(CHILD, code="CRP"))[0]
    cbc = (await booking_his.list_reports(WOMAN, code="CBC"))[0]
    transport = httpx.ASGITransport(app=hospital.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://his.test") as control:
        hospital.app.state.clock.set(cursor + timedelta(minutes=90))
        (await control.post(f"/sandbox/reports/{crp.id}/release")).raise_for_status()
        hospital.app.state.clock.set(cursor + timedelta(hours=2))
        note = {"note": "复核后更正。"}
        (await control.post(f"/sandbox/reports/{cbc.id}/amend", json=note)).raise_for_status()
        hospital.app.state.clock.set(cursor + timedelta(hours=3))
        order = {"patient_id": ELDER, "test": "CRP", "status": "registered"}
        (await control.post("/sandbox/reports", json=order)).raise_for_status()

    changed = await booking_his.reports_changed_since(cursor)
    assert [(r.id, r.fhir_status) for r in changed] == [(crp.id, "final"), (cbc.id, "amended")]
    released = await booking_his.get_report(crp.id, patient_id=CHILD)
    assert released.issued == cursor + timedelta(minutes=90)
    assert released.results and released.results[0].code == "CRP"
    assert changed[1].amendment_note == "复核后更正。"

    everything = await booking_his.reports_changed_since(cursor, statuses=None)
    assert [r.status for r in everything] == [
        ReportStatus.RELEASED,
        ReportStatus.RELEASED,
        ReportStatus.PENDING,
    ]
    last = max(r.last_updated for r in everything if r.last_updated)
    assert await booking_his.reports_changed_since(last, statuses=None) == []
