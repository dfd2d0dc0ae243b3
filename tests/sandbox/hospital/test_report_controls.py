"""``/sandbox/reports``: make reports, release pending ones, amend released ones; each change is
a new version at the sandbox clock's now and shows up in the ``_lastUpdated`` feed."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from hospital_booking_helpers import assert_outcome
from hospital_report_helpers import (
    CHILD,
    ELDER,
    WOMAN,
    extension,
    fetch_bundle,
    findings_text,
    flag,
    instant,
    match_ids,
    results_of,
    value,
)

from common import fhir_contract as systems

REPORTS = "/fhir/DiagnosticReport"


async def order(client: httpx.AsyncClient, **body: Any) -> str:
    response = await client.post("/sandbox/reports", json=body)
    assert response.status_code == 201, response.text
    report_id: str = response.json()["id"]
    return report_id


async def read(client: httpx.AsyncClient, report_id: str) -> dict[str, Any]:
    response = await client.get(f"{REPORTS}/{report_id}")
    assert response.status_code == 200, response.text
    report: dict[str, Any] = response.json()
    return report


async def set_clock(client: httpx.AsyncClient, now: datetime) -> None:
    response = await client.post("/sandbox/clock", json={"now": now.isoformat()})
    assert response.status_code == 200


async def test_a_final_report_from_the_template(booking: httpx.AsyncClient, now: datetime) -> None:
    report_id = await order(booking, patient_id=WOMAN.id, test="CBC", status="final")
    report = await read(booking, report_id)
    assert report["status"] == "final" and report["meta"]["versionId"] == "1"
    assert instant(report["issued"]) == now == instant(report["meta"]["lastUpdated"])
    assert instant(report["effectiveDateTime"]) == now - timedelta(hours=1)
    assert report["performer"][0]["reference"] == "Organization/lw-lizhiwan-hospital"
    results = await results_of(booking, report)
    assert len(results) == 8 and {flag(o) for o in results.values()} == {"N"}
    # Female ranges for a woman.
    assert results["HGB"]["referenceRange"][0]["text"] == "115-150"
    assert "conclusion" not in report


async def test_days_ago_and_institution(booking: httpx.AsyncClient, now: datetime) -> None:
    report_id = await order(
        booking,
        patient_id=ELDER.id,
        test="XR-CHEST",
        days_ago=3,
        institution_id="hz-jiangxin-hospital",
    )
    report = await read(booking, report_id)
    assert instant(report["issued"]) == now - timedelta(days=3)
    # A new record of the server all the same: feeds must see it.
    assert instant(report["meta"]["lastUpdated"]) == now
    assert report["performer"][0]["display"] == "海珠江心医院"
    assert "心肺膈未见明显异常" in report["conclusion"]
    assert findings_text(report).startswith("两肺纹理清晰")


@pytest.mark.parametrize(
    ("test", "analyte", "critical_flag"),
    [("CBC", "PLT", "LL"), ("ELEC", "K", "HH"), ("GLYCEMIA", "GLU", "LL"), ("RFT", "CREA", "HH")],
)
async def test_critical_puts_one_critical_value_in(
    booking: httpx.AsyncClient, test: str, analyte: str, critical_flag: str
) -> None:
    report = await read(
        booking, await order(booking, patient_id=ELDER.id, test=test, critical=True)
    )
    flags = {code: flag(o) for code, o in (await results_of(booking, report)).items()}
    critical = {code for code, f in flags.items() if f in systems.CRITICAL_INTERPRETATIONS}
    assert critical == {analyte} and flags[analyte] == critical_flag
    assert "危急值" in report["conclusion"]


async def test_register_then_release(booking: httpx.AsyncClient, now: datetime) -> None:
    report_id = await order(
        booking, patient_id=CHILD.id, test="CBC", status="registered", critical=True
    )
    pending = await read(booking, report_id)
    assert pending["status"] == "registered" and "result" not in pending
    assert "issued" not in pending
    expected = extension(pending, systems.REPORT_EXPECTED_EXTENSION)
    assert expected is not None and instant(expected["valueDateTime"]) == now + timedelta(hours=1)

    later = now + timedelta(minutes=50)
    await set_clock(booking, later)
    response = await booking.post(f"/sandbox/reports/{report_id}/release")
    assert response.status_code == 200, response.text
    released = await read(booking, report_id)
    assert released == response.json()
    assert released["status"] == "final" and released["meta"]["versionId"] == "2"
    assert instant(released["issued"]) == later == instant(released["meta"]["lastUpdated"])
    assert instant(released["effectiveDateTime"]) == now
    assert extension(released, systems.REPORT_EXPECTED_EXTENSION) is None
    results = await results_of(booking, released)
    assert flag(results["PLT"]) == "LL"  # decided when it was registered
    assert {instant(o["issued"]) for o in results.values()} == {later}

    again = await booking.post(f"/sandbox/reports/{report_id}/release")
    assert_outcome(again, 409, "conflict")


async def test_releasing_seeded_pending_reports(booking: httpx.AsyncClient) -> None:
    crp = (await booking.post("/sandbox/reports/dr-demo-child-crp/release")).json()
    (result,) = (await results_of(booking, crp)).values()
    assert (value(result), flag(result)) == (36.5, "H")
    ultrasound = (await booking.post("/sandbox/reports/dr-demo-elder-us-abdomen/release")).json()
    assert ultrasound["status"] == "final" and "脂肪肝" in ultrasound["conclusion"]
    assert "双肾" in findings_text(ultrasound)


async def test_amend_changes_one_result(booking: httpx.AsyncClient, now: datetime) -> None:
    before = await read(booking, "dr-demo-elder-elec")
    old = await results_of(booking, before)
    later = now + timedelta(hours=2)
    await set_clock(booking, later)
    note = "血钾复测：原标本溶血，重新采血结果更正。"
    response = await booking.post("/sandbox/reports/dr-demo-elder-elec/amend", json={"note": note})
    assert response.status_code == 200, response.text
    after = await read(booking, "dr-demo-elder-elec")
    assert after["status"] == "amended" and after["meta"]["versionId"] == "2"
    assert instant(after["meta"]["lastUpdated"]) == later == instant(after["issued"])
    assert extension(after, systems.REPORT_AMENDMENT_EXTENSION) == {
        "url": systems.REPORT_AMENDMENT_EXTENSION,
        "valueString": note,
    }
    new = await results_of(booking, after)
    changed = {code for code in old if value(old[code]) != value(new[code])}
    assert changed == {"K"}
    assert (value(new["K"]), flag(new["K"]), new["K"]["status"]) == (6.2, "H", "amended")
    assert new["K"]["meta"]["versionId"] == "2"
    assert new["NA"]["status"] == "final" and new["NA"]["meta"]["versionId"] == "1"


async def test_amend_an_imaging_report(booking: httpx.AsyncClient) -> None:
    response = await booking.post(
        "/sandbox/reports/dr-demo-woman-us-abdomen/amend", json={"note": "补充右肾所见。"}
    )
    amended = response.json()
    assert amended["status"] == "amended"
    assert amended["conclusion"].endswith("右肾小囊肿。")
    assert "无回声区" in findings_text(amended)


async def test_amend_and_release_refusals(booking: httpx.AsyncClient) -> None:
    pending = await booking.post("/sandbox/reports/dr-demo-elder-urine/amend", json={"note": "x"})
    assert_outcome(pending, 409, "conflict")
    assert_outcome(
        await booking.post("/sandbox/reports/dr-nope/amend", json={"note": "x"}), 404, "not-found"
    )
    assert_outcome(await booking.post("/sandbox/reports/dr-nope/release"), 404, "not-found")
    assert_outcome(
        await booking.post("/sandbox/reports/dr-demo-woman-cbc/release"), 409, "conflict"
    )
    empty_note = await booking.post("/sandbox/reports/dr-demo-woman-cbc/amend", json={"note": ""})
    assert_outcome(empty_note, 400, "invalid")


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"patient_id": ELDER.id, "test": "MRI-KNEE"}, 400, "invalid"),
        ({"patient_id": ELDER.id, "test": "XR-CHEST", "critical": True}, 400, "invalid"),
        ({"patient_id": ELDER.id, "test": "URINE", "critical": True}, 400, "invalid"),
        ({"patient_id": ELDER.id, "test": "CBC", "status": "amended"}, 400, "invalid"),
        ({"patient_id": ELDER.id, "test": "CBC", "days_ago": -1}, 400, "invalid"),
        ({"patient_id": "pat-nobody", "test": "CBC"}, 404, "not-found"),
        ({"patient_id": ELDER.id, "test": "CBC", "institution_id": "nowhere"}, 404, "not-found"),
    ],
)
async def test_bad_orders(
    booking: httpx.AsyncClient, body: dict[str, Any], status: int, code: str
) -> None:
    assert_outcome(await booking.post("/sandbox/reports", json=body), status, code)


async def test_feed_sees_releases_and_amendments(booking: httpx.AsyncClient, now: datetime) -> None:
    feed = {"_lastUpdated": f"gt{now.isoformat()}", "_sort": "_lastUpdated"}
    assert match_ids(await fetch_bundle(booking, REPORTS, feed)) == []
    await set_clock(booking, now + timedelta(minutes=5))
    await booking.post("/sandbox/reports/dr-demo-elder-urine/release")
    await set_clock(booking, now + timedelta(minutes=10))
    await booking.post("/sandbox/reports/dr-demo-woman-hcg/amend", json={"note": "复核。"})
    changed = await fetch_bundle(booking, REPORTS, {**feed, "_include": "DiagnosticReport:result"})
    assert match_ids(changed) == ["dr-demo-elder-urine", "dr-demo-woman-hcg"]
    # A client resuming after the first change sees only the second.
    resumed = await fetch_bundle(
        booking,
        REPORTS,
        {"_lastUpdated": f"gt{(now + timedelta(minutes=5)).isoformat()}", "_sort": "_lastUpdated"},
    )
    assert match_ids(resumed) == ["dr-demo-woman-hcg"]
