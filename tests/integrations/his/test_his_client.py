"""The HIS client against the sandbox hospital's real FHIR app, in-process."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from integrations.his import HISClient, HISNotFound, HISUnavailable, InstitutionKind, SlotTaken


@pytest.fixture
async def his(hospital_app) -> AsyncIterator[HISClient]:
    transport = httpx.ASGITransport(app=hospital_app)
    async with HISClient("http://his.test/fhir", transport=transport) as client:
        yield client


async def test_institutions_by_district(his: HISClient):
    found = await his.search_institutions(district="荔湾区")
    assert len(found) == 6
    assert {i.district for i in found} == {"荔湾区"}
    lizhiwan = next(i for i in found if i.id == "lw-lizhiwan-hospital")
    assert lizhiwan.name == "荔枝湾中心医院"
    assert lizhiwan.kind is InstitutionKind.HOSPITAL
    assert lizhiwan.phone


async def test_institutions_by_kind_and_district(his: HISClient):
    centres = await his.search_institutions(kind=InstitutionKind.COMMUNITY_HEALTH_CENTRE)
    assert len(centres) == 5
    assert all(c.kind is InstitutionKind.COMMUNITY_HEALTH_CENTRE for c in centres)
    liwan_hospitals = await his.search_institutions(
        district="荔湾区", kind=InstitutionKind.HOSPITAL
    )
    assert {h.id for h in liwan_hospitals} == {
        "lw-lizhiwan-hospital",
        "lw-xiguan-kangning-hospital",
        "lw-tcm-hospital",
    }


async def test_unknown_district_is_empty_not_an_error(his: HISClient):
    assert await his.search_institutions(district="火星区") == []


async def test_name_contains(his: HISClient):
    found = await his.search_institutions(name_contains="云山")
    assert [i.id for i in found] == ["yx-yunshan-hospital"]


async def test_departments_of_several_institutions_follow_paging(his: HISClient):
    centres = await his.search_institutions(kind=InstitutionKind.COMMUNITY_HEALTH_CENTRE)
    departments = await his.list_departments([c.id for c in centres])
    assert {d.institution_id for d in departments} == {c.id for c in centres}
    names = [d.name for d in departments]
    assert names.count("全科医学科") == 5
    assert names.count("预防接种门诊") == 5


async def test_emergency_department_is_not_bookable(his: HISClient):
    departments = await his.list_departments(["lw-lizhiwan-hospital"])
    emergency = next(d for d in departments if d.name == "急诊科")
    assert emergency.bookable is False
    assert all(d.institution_name == "荔枝湾中心医院" for d in departments)


async def test_get_institution_and_not_found(his: HISClient):
    assert (await his.get_institution("hz-jiangxin-hospital")).name == "海珠江心医院"
    with pytest.raises(HISNotFound):
        await his.get_institution("no-such-id")


async def test_server_errors_are_retried_then_reported():
    calls = 0

    def failing(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return httpx.Response(503)

    client = HISClient("http://his.test/fhir", transport=httpx.MockTransport(failing), backoff=0)
    with pytest.raises(HISUnavailable):
        await client.search_institutions()
    assert calls == 3  # first try + 2 retries
    await client.aclose()


async def test_unreachable_his_is_unavailable():
    client = HISClient("http://127.0.0.1:9/fhir", timeout=0.5, retries=1, backoff=0)
    with pytest.raises(HISUnavailable):
        await client.search_institutions()
    await client.aclose()


async def test_bookings_are_retried_after_server_errors() -> None:
    """A 5xx may hide a booking made before the failure: the retry carries the same key."""
    seen: list[tuple[str, str | None]] = []

    def failing_twice(request: httpx.Request) -> httpx.Response:
        seen.append((request.method, request.headers.get("If-None-Exist")))
        return httpx.Response(503 if len(seen) < 3 else 409, json={})

    client = HISClient(
        "http://his.test/fhir", transport=httpx.MockTransport(failing_twice), backoff=0
    )
    with pytest.raises(SlotTaken):
        await client.book_appointment("slot-1", "pat-1", "decision-9")
    await client.aclose()
    assert seen == [("POST", "identifier=urn:frontdoor:booking-request|decision-9")] * 3
