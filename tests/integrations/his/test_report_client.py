"""`HISClient` report reads against a fake FHIR server (`httpx.MockTransport`): the requests it
sends, paging, filtering, ordering and errors."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from datetime import date, datetime
from typing import Any

import httpx
import pytest
from his_report_support import PATIENT, bundle, observation, report

from common import fhir_contract as systems
from integrations.his import (
    HISClient,
    HISError,
    HISNotFound,
    HISUnavailable,
    Interpretation,
    ReportCategory,
    ReportStatus,
)
from integrations.his.models import CHINA_TZ

BASE = "http://his.test/fhir"
Handler = Callable[[httpx.Request], httpx.Response]


class FakeHIS:
    """Answers each request with the next queued response and records what was asked."""

    def __init__(self, *answers: dict[str, Any] | httpx.Response) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if not self.answers:
            raise AssertionError(f"unexpected request {request.url}")
        answer = self.answers.pop(0)
        return answer if isinstance(answer, httpx.Response) else httpx.Response(200, json=answer)

    def params(self, index: int = 0) -> list[tuple[str, str]]:
        return list(self.requests[index].url.params.multi_items())


@pytest.fixture
async def make_client() -> AsyncIterator[Callable[[Handler], HISClient]]:
    clients: list[HISClient] = []

    def make(handler: Handler) -> HISClient:
        client = HISClient(BASE, transport=httpx.MockTransport(handler), backoff=0)
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.aclose()


def reports_with_days(*days: int, patient: str = PATIENT) -> list[dict[str, Any]]:
    return [
        report(f"rep-{day}", effectiveDateTime=f"2026-11-{day:02d}T08:00:00+08:00", patient=patient)
        for day in days
    ]


# --- find_patient ---------------------------------------------------------------------------------


async def test_find_patient_by_identifier(make_client: Any) -> None:
    patient = {"resourceType": "Patient", "id": "p-42"}
    fake = FakeHIS(bundle(patient), bundle())
    his = make_client(fake)
    assert await his.find_patient(systems.RESIDENT_ID, "440103198005170011") == "p-42"
    assert await his.find_patient(systems.RESIDENT_ID, "440103198005170029") is None
    assert fake.requests[0].method == "GET"
    assert fake.requests[0].url.path == "/fhir/Patient"
    assert ("identifier", f"{systems.RESIDENT_ID}|440103198005170011") in fake.params()


async def test_find_patient_refuses_to_guess_between_two(make_client: Any) -> None:
    two = bundle({"resourceType": "Patient", "id": "a"}, {"resourceType": "Patient", "id": "b"})
    his = make_client(FakeHIS(two))
    with pytest.raises(HISError, match="2 patients share") as raised:
        await his.find_patient(systems.RESIDENT_ID, "440103198005170011")
    assert "440103198005170011" not in str(raised.value)  # no ID numbers in errors


# --- list_reports ---------------------------------------------------------------------------------


async def test_list_reports_sends_every_filter(make_client: Any) -> None:
    fake = FakeHIS(bundle(report(status="final")))
    his = make_client(fake)
    found = await his.list_reports(
        PATIENT,
        since=date(2026, 11, 1),
        category=ReportCategory.LAB,
        code="CBC",
        statuses=[ReportStatus.RELEASED],
    )
    assert [r.id for r in found] == ["rep-cbc"]
    assert fake.requests[0].url.path == "/fhir/DiagnosticReport"
    assert fake.params() == [
        ("patient", f"Patient/{PATIENT}"),
        ("_sort", "-date"),
        ("date", "ge2026-11-01"),
        ("category", f"{systems.REPORT_CATEGORY}|LAB"),
        ("code", f"{systems.TEST_CODE}|CBC"),
        ("status", "final,amended,corrected,appended"),
        ("_count", "100"),
    ]


async def test_list_reports_follows_pages_newest_first(make_client: Any) -> None:
    next_url = f"{BASE}/DiagnosticReport?patient=Patient/{PATIENT}&_offset=2"
    fake = FakeHIS(
        bundle(*reports_with_days(20, 18), next_url=next_url),
        bundle(*reports_with_days(19), report("rep-undated", effectiveDateTime=None)),
    )
    his = make_client(fake)
    found = await his.list_reports(PATIENT)
    assert [r.id for r in found] == ["rep-20", "rep-19", "rep-18", "rep-undated"]
    assert str(fake.requests[1].url) == next_url  # the next link as given, no params added
    assert found[0].effective == datetime(2026, 11, 20, 8, 0, tzinfo=CHINA_TZ)


async def test_list_reports_stops_fetching_at_the_limit(make_client: Any) -> None:
    fake = FakeHIS(bundle(*reports_with_days(20, 19, 18), next_url=f"{BASE}/DiagnosticReport?p=2"))
    his = make_client(fake)
    found = await his.list_reports(PATIENT, limit=2)
    assert [r.id for r in found] == ["rep-20", "rep-19"]
    assert len(fake.requests) == 1
    with pytest.raises(ValueError, match="limit"):
        await his.list_reports(PATIENT, limit=0)


async def test_a_server_ignoring_filters_never_widens_the_answer(make_client: Any) -> None:
    """FHIR lets servers ignore parameters; another patient's report must still never show."""
    answer = bundle(
        *reports_with_days(20),
        *reports_with_days(21, patient="someone-else"),
        report("rep-old", effectiveDateTime="2026-10-01T08:00:00+08:00"),
        report("rep-xr", category="RAD", code="XR-CHEST", name="胸片"),
        report("rep-pending", status="registered"),
    )
    his = make_client(FakeHIS(answer, answer))
    assert [r.id for r in await his.list_reports(PATIENT, since=date(2026, 11, 2))] == [
        "rep-xr",  # 08:15, before rep-20 at 08:00
        "rep-pending",
        "rep-20",
    ]
    found = await his.list_reports(
        PATIENT, category=ReportCategory.LAB, code="CBC", statuses=[ReportStatus.RELEASED]
    )
    assert [r.id for r in found] == ["rep-20", "rep-old"]


# --- get_report -----------------------------------------------------------------------------------


async def test_get_report_of_a_patient_is_one_search_with_its_results(make_client: Any) -> None:
    data = report(results=("obs-hgb", "obs-wbc"))
    wbc = observation("obs-wbc", "WBC", "白细胞计数", value=6.2, unit="10^9/L", flag="N")
    hgb = observation("obs-hgb", "HGB", "血红蛋白", value=45, unit="g/L", flag="LL")
    fake = FakeHIS(bundle(data, included=(wbc, hgb)))
    his = make_client(fake)
    found = await his.get_report("rep-cbc", patient_id=PATIENT)
    assert fake.requests[0].url.path == "/fhir/DiagnosticReport"
    assert fake.params() == [
        ("_id", "rep-cbc"),
        ("patient", f"Patient/{PATIENT}"),
        ("_include", "DiagnosticReport:result"),
        ("_count", "100"),
    ]
    assert [r.code for r in found.results] == ["HGB", "WBC"]  # the report's order
    assert found.results[0].interpretation is Interpretation.CRITICAL_LOW
    assert found.has_critical is True
    assert len(fake.requests) == 1


async def test_get_report_by_id_reads_it_then_its_results(make_client: Any) -> None:
    data = report(results=("obs-wbc", "obs-hgb"))
    wbc = observation("obs-wbc", "WBC", "白细胞计数", value=6.2)
    hgb = observation("obs-hgb", "HGB", "血红蛋白", value=140)
    fake = FakeHIS(data, bundle(hgb, wbc))
    his = make_client(fake)
    found = await his.get_report("rep-cbc")
    assert [r.id for r in found.results] == ["obs-wbc", "obs-hgb"]
    assert fake.requests[0].url.path == "/fhir/DiagnosticReport/rep-cbc"
    assert fake.requests[1].url.path == "/fhir/Observation"
    assert fake.params(1) == [("_id", "obs-wbc,obs-hgb"), ("_count", "100")]
    pending = FakeHIS(report(status="registered"))
    assert (await make_client(pending).get_report("rep-cbc")).results == ()
    assert len(pending.requests) == 1  # no results: nothing more to read


async def test_results_a_server_did_not_include_are_read(make_client: Any) -> None:
    data = report(results=("obs-wbc", "obs-hgb"))
    wbc = observation("obs-wbc", "WBC", "白细胞计数", value=6.2)
    hgb = observation("obs-hgb", "HGB", "血红蛋白", value=140)
    fake = FakeHIS(bundle(data, included=(wbc,)), bundle(hgb))
    his = make_client(fake)
    found = await his.get_report("rep-cbc", patient_id=PATIENT)
    assert [r.id for r in found.results] == ["obs-wbc", "obs-hgb"]
    assert fake.params(1) == [("_id", "obs-hgb"), ("_count", "100")]


async def test_get_report_decimals_are_exact(make_client: Any) -> None:
    data = report(results=("obs-sg",))
    gravity = observation("obs-sg", "U-SG", "尿比重", value=1.5, low=1.003, high=1.03)
    text = json.dumps(bundle(data, included=(gravity,))).replace('"value": 1.5', '"value": 1.020')
    his = make_client(FakeHIS(httpx.Response(200, content=text.encode())))
    found = await his.get_report("rep-cbc", patient_id=PATIENT)
    assert found.results[0].value_text == "1.020"
    assert found.results[0].reference_range == "1.003-1.03"


async def test_unknown_or_foreign_reports_are_not_found(make_client: Any) -> None:
    fake = FakeHIS(
        httpx.Response(404),
        bundle(),
        bundle(report(patient="someone-else")),  # a server ignoring `patient`
    )
    his = make_client(fake)
    with pytest.raises(HISNotFound):
        await his.get_report("rep-gone")
    with pytest.raises(HISNotFound):
        await his.get_report("a,b")  # not an id: never sent
    with pytest.raises(HISNotFound):
        await his.get_report("rep-cbc", patient_id=PATIENT)
    with pytest.raises(HISNotFound):
        await his.get_report("rep-cbc", patient_id=PATIENT)
    assert len(fake.requests) == 3


@pytest.mark.parametrize(
    ("answers", "problem"),
    [
        (
            [{"resourceType": "DiagnosticReport", "id": "rep-cbc", "status": "final"}],
            "invalid DiagnosticReport rep-cbc: code: Field required",
        ),
        ([report(subject=None)], "invalid DiagnosticReport rep-cbc: no Patient subject"),
        (
            [report(presentedForm=[{"contentType": "text/plain", "data": "!!!notb64"}])],
            "invalid DiagnosticReport rep-cbc: presentedForm.0.data",
        ),
        ([report(results=("obs-gone",)), bundle()], "Observation obs-gone not found"),
        ([bundle()], "invalid DiagnosticReport rep-cbc: resource_type"),  # not the resource
        ([httpx.Response(200, content=b"<html>")], "non-JSON"),
        ([httpx.Response(400, json={})], "HIS rejected"),
    ],
)
async def test_malformed_answers_are_his_errors(
    make_client: Any, answers: list[Any], problem: str
) -> None:
    his = make_client(FakeHIS(*answers))
    with pytest.raises(HISError, match=problem):
        await his.get_report("rep-cbc")


async def test_malformed_search_bundles_are_his_errors(make_client: Any) -> None:
    uncoded = {"resourceType": "DiagnosticReport", "id": "r", "status": "final"}
    uncategorised = report("rep-bad") | {"category": []}
    his = make_client(FakeHIS(bundle(uncoded), bundle(uncategorised, report())))
    with pytest.raises(HISError, match="invalid DiagnosticReport search bundle"):
        await his.get_report("r", patient_id=PATIENT)
    # One report outside the contract is skipped (and logged): the others are still listed.
    assert [r.id for r in await his.list_reports(PATIENT)] == ["rep-cbc"]


async def test_server_errors_are_retried_then_unavailable(make_client: Any) -> None:
    fake = FakeHIS(httpx.Response(503), httpx.Response(502), httpx.Response(500))
    his = make_client(fake)
    with pytest.raises(HISUnavailable):
        await his.list_reports(PATIENT)
    assert len(fake.requests) == 3
    recovering = FakeHIS(httpx.Response(503), bundle(report()))
    assert [r.id for r in await make_client(recovering).list_reports(PATIENT)] == ["rep-cbc"]


# --- reports_changed_since ------------------------------------------------------------------------


def changed(report_id: str, last_updated: str, status: str = "final") -> dict[str, Any]:
    return report(report_id, status=status, meta={"versionId": "2", "lastUpdated": last_updated})


async def test_changes_since_a_cursor_over_every_page(make_client: Any) -> None:
    fake = FakeHIS(
        bundle(
            changed("rep-a", "2026-11-20T10:00:01+08:00"),
            changed("rep-b", "2026-11-20T10:05:00+08:00"),
            next_url=f"{BASE}/DiagnosticReport?page=2",
        ),
        bundle(
            changed("rep-c", "2026-11-20T03:00:00Z", status="amended"),
            changed("rep-p", "2026-11-20T11:30:00+08:00", status="preliminary"),
        ),
    )
    his = make_client(fake)
    cursor = datetime(2026, 11, 20, 10, 0, tzinfo=CHINA_TZ)
    found = await his.reports_changed_since(cursor)
    assert [(r.id, r.status) for r in found] == [
        ("rep-a", ReportStatus.RELEASED),
        ("rep-b", ReportStatus.RELEASED),
        ("rep-c", ReportStatus.RELEASED),  # a server ignoring `status` is filtered here
    ]
    assert fake.params() == [
        ("_lastUpdated", "gt2026-11-20T10:00:00+08:00"),
        ("_sort", "_lastUpdated"),
        ("status", "final,amended,corrected,appended"),
        ("_count", "100"),
    ]
    assert len(fake.requests) == 2


async def test_changes_of_every_status_and_naive_cursors(make_client: Any) -> None:
    fake = FakeHIS(
        bundle(
            changed("rep-old", "2026-11-20T09:00:00+08:00"),  # not after the cursor
            changed("rep-x", "2026-11-20T10:30:00+08:00", status="cancelled"),
        )
    )
    his = make_client(fake)
    found = await his.reports_changed_since(datetime(2026, 11, 20, 10, 0), statuses=None)
    assert [(r.id, r.status) for r in found] == [("rep-x", ReportStatus.CANCELLED)]
    assert fake.params() == [
        ("_lastUpdated", "gt2026-11-20T10:00:00+08:00"),
        ("_sort", "_lastUpdated"),
        ("_count", "100"),
    ]
