"""Admin queries on report data: the access trail (filters, masking, bounds) and critical-value
alerts (open list, all, acknowledge once), behind the admin bearer token."""

from __future__ import annotations

from datetime import timedelta

import pytest
from report_world import ADMIN_TOKEN, ALICE, BOB, FATHER, START, open_gateway, open_world

from patients.report_records import AccessAction, CriticalItem

POTASSIUM = CriticalItem(code="K", name="血钾", value="6.8 mmol/L", flag="HH")


@pytest.fixture
async def world(tmp_path):
    async with open_world(tmp_path) as world:
        records = world.records
        await records.record_access(
            ALICE, AccessAction.LIST, account_id=1, patient_id=7, his_patient_id=FATHER
        )
        world.clock.advance(minutes=10)
        await records.record_access(
            ALICE,
            AccessAction.VIEW,
            account_id=1,
            patient_id=7,
            his_patient_id=FATHER,
            report_id="r-1",
            detail={"page": 1},
        )
        world.clock.advance(minutes=10)
        await records.record_access(BOB, AccessAction.REFUSED, detail={"reason": "not_bound"})
        for report_id in ("r-1", "r-2"):
            await records.flag_critical(
                report_id=report_id,
                report_version="final",
                his_patient_id=FATHER,
                institution_id="org-1",
                items=[POTASSIUM],
                source="feed",
            )
        yield world


@pytest.fixture
async def gateway(world):
    async with open_gateway(world) as gateway:
        yield gateway


@pytest.mark.parametrize(
    "path",
    ["/admin/reports/access", "/admin/critical-values"],
)
async def test_every_admin_query_needs_the_bearer_token(gateway, path):
    http = gateway.http
    assert (await http.get(path)).status_code == 401
    basic = await http.get(path, headers={"Authorization": f"Basic {ADMIN_TOKEN}"})
    assert basic.status_code == 401
    assert (await http.get(path, headers={"Authorization": "Bearer wrong"})).status_code == 403
    odd = await http.get(path, headers={"Authorization": "Bearer 秘密".encode()})
    assert odd.status_code == 403
    assert (await gateway.admin_get(path)).status_code == 200


async def test_acknowledging_needs_the_token_too(gateway):
    response = await gateway.http.post("/admin/critical-values/1/acknowledge", json={"by": "王"})
    assert response.status_code == 401


async def test_without_an_admin_token_the_endpoints_do_not_exist(world):
    async with open_gateway(world, admin_token="") as gateway:
        response = await gateway.http.get(
            "/admin/reports/access", headers={"Authorization": "Bearer "}
        )
    assert response.status_code == 404


async def test_the_trail_is_newest_first_with_openids_masked(gateway):
    response = await gateway.admin_get("/admin/reports/access")
    assert response.status_code == 200
    rows = response.json()
    assert [row["action"] for row in rows] == ["refused", "view", "list"]
    assert ALICE not in response.text and BOB not in response.text
    assert rows[1]["openid"] == "oRep…0001"
    assert rows[1]["detail"] == {"page": 1}
    assert rows[1]["report_id"] == "r-1"


async def test_the_trail_filters(gateway):
    async def ids(**params):
        response = await gateway.admin_get("/admin/reports/access", **params)
        assert response.status_code == 200, response.text
        return [row["action"] for row in response.json()]

    assert await ids(openid=ALICE) == ["view", "list"]
    assert await ids(patient_id=7) == ["view", "list"]
    assert await ids(his_patient_id=FATHER) == ["view", "list"]
    assert await ids(report_id="r-1") == ["view"]
    assert await ids(action="refused") == ["refused"]
    since = START + timedelta(minutes=5)
    assert await ids(since=since.isoformat()) == ["refused", "view"]
    assert await ids(until=since.isoformat()) == ["list"]
    # Without an offset a time is China time: 10:05 there is 02:05 UTC.
    assert await ids(since="2026-11-23T10:05:00") == ["refused", "view"]
    assert await ids(limit=1) == ["refused"]


@pytest.mark.parametrize(
    "params",
    [{"limit": 501}, {"limit": 0}, {"action": "peeked"}, {"since": "yesterday"}],
)
async def test_bad_filters_are_refused(gateway, params):
    response = await gateway.admin_get("/admin/reports/access", **params)
    assert response.status_code == 422


async def test_critical_values_are_listed_open_first_and_acknowledged_once(gateway):
    listed = (await gateway.admin_get("/admin/critical-values")).json()
    assert [alert["report_id"] for alert in listed] == ["r-1", "r-2"]
    first = listed[0]
    assert first["items"] == [{"code": "K", "name": "血钾", "value": "6.8 mmol/L", "flag": "HH"}]
    assert (first["source"], first["acknowledged_at"]) == ("feed", None)

    headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    path = f"/admin/critical-values/{first['id']}/acknowledge"
    done = await gateway.http.post(path, json={"by": " 护士长王 "}, headers=headers)
    assert done.status_code == 200
    assert done.json()["acknowledged_by"] == "护士长王"
    again = await gateway.http.post(path, json={"by": "someone else"}, headers=headers)
    assert again.json()["acknowledged_by"] == "护士长王"

    still_open = (await gateway.admin_get("/admin/critical-values")).json()
    assert [alert["report_id"] for alert in still_open] == ["r-2"]
    everything = (await gateway.admin_get("/admin/critical-values", all="true")).json()
    assert [alert["report_id"] for alert in everything] == ["r-1", "r-2"]


async def test_acknowledging_needs_a_name_and_an_existing_alert(gateway):
    headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    post = gateway.http.post
    path = "/admin/critical-values/999/acknowledge"
    missing = await post(path, json={"by": "王"}, headers=headers)
    assert missing.status_code == 404
    for body in ({"by": ""}, {"by": "   "}, {}, {"by": "x" * 65}):
        response = await post("/admin/critical-values/1/acknowledge", json=body, headers=headers)
        assert response.status_code == 422, body
