"""Admin queries on the triage trail: the answers (filters, masking, bounds) and the summary by
kind, level, department and red flag, behind the admin bearer token; 503 without a trail."""

from __future__ import annotations

from datetime import timedelta

import pytest
from report_world import ADMIN_TOKEN, ALICE, BOB, START, open_gateway, open_world

from patients.triage_records import TriageKind


@pytest.fixture
async def world(tmp_path):
    async with open_world(tmp_path) as world:
        triage = world.triage
        await triage.record(
            ALICE,
            TriageKind.EMERGENCY,
            department="emergency",
            level="emergency_ambulance",
            red_flags=["chest_pain", "breathing_difficulty"],
            account_id=1,
        )
        world.clock.advance(minutes=10)
        await triage.record(
            ALICE,
            TriageKind.ADVICE,
            department="neurology",
            level="routine",
            account_id=1,
            patient_id=7,
            followup_questions=2,
            booking_offered=True,
        )
        world.clock.advance(minutes=10)
        await triage.record(
            BOB,
            TriageKind.ADVICE,
            department="dermatology",
            level="self_care",
            followup_questions=1,
        )
        yield world


@pytest.fixture
async def gateway(world):
    async with open_gateway(world) as gateway:
        yield gateway


@pytest.mark.parametrize("path", ["/admin/triage", "/admin/triage/summary"])
async def test_every_triage_query_needs_the_bearer_token(gateway, path):
    http = gateway.http
    assert (await http.get(path)).status_code == 401
    basic = await http.get(path, headers={"Authorization": f"Basic {ADMIN_TOKEN}"})
    assert basic.status_code == 401
    assert (await http.get(path, headers={"Authorization": "Bearer wrong"})).status_code == 403
    odd = await http.get(path, headers={"Authorization": "Bearer 秘密".encode()})
    assert odd.status_code == 403
    assert (await gateway.admin_get(path)).status_code == 200


@pytest.mark.parametrize("path", ["/admin/triage", "/admin/triage/summary"])
async def test_without_an_admin_token_the_triage_queries_do_not_exist(world, path):
    async with open_gateway(world, admin_token="") as gateway:
        response = await gateway.http.get(path, headers={"Authorization": "Bearer "})
    assert response.status_code == 404


@pytest.mark.parametrize("path", ["/admin/triage", "/admin/triage/summary"])
async def test_a_gateway_without_the_trail_says_so(world, path):
    async with open_gateway(world, with_triage=False) as gateway:
        response = await gateway.admin_get(path)
    assert response.status_code == 503
    assert "triage" in response.json()["detail"]


async def test_the_answers_are_newest_first_with_openids_masked(gateway):
    response = await gateway.admin_get("/admin/triage")
    assert response.status_code == 200
    rows = response.json()
    assert [row["department"] for row in rows] == ["dermatology", "neurology", "emergency"]
    assert ALICE not in response.text and BOB not in response.text
    emergency = rows[2]
    assert emergency == {
        "id": emergency["id"],
        "openid": "oRep…0001",
        "account_id": 1,
        "patient_id": None,
        "kind": "emergency",
        "department": "emergency",
        "level": "emergency_ambulance",
        "red_flags": ["chest_pain", "breathing_difficulty"],
        "followup_questions": None,
        "booking_offered": False,
        "occurred_at": START.isoformat(),
    }
    advice = rows[1]
    assert (advice["patient_id"], advice["followup_questions"]) == (7, 2)
    assert advice["booking_offered"] is True


async def test_the_answers_filter(gateway):
    async def departments(**params):
        response = await gateway.admin_get("/admin/triage", **params)
        assert response.status_code == 200, response.text
        return [row["department"] for row in response.json()]

    assert await departments(openid=ALICE) == ["neurology", "emergency"]
    assert await departments(level="routine") == ["neurology"]
    assert await departments(department="dermatology") == ["dermatology"]
    assert await departments(red_flag="chest_pain") == ["emergency"]
    assert await departments(red_flag="seizure") == []
    assert await departments(kind="advice") == ["dermatology", "neurology"]
    assert await departments(kind="emergency", level="emergency_ambulance") == ["emergency"]
    since = START + timedelta(minutes=5)
    assert await departments(since=since.isoformat()) == ["dermatology", "neurology"]
    assert await departments(until=since.isoformat()) == ["emergency"]
    # Without an offset a time is China time: 10:05 there is 02:05 UTC.
    assert await departments(since="2026-11-23T10:05:00") == ["dermatology", "neurology"]
    assert await departments(limit=1) == ["dermatology"]
    assert len(await departments(limit=500)) == 3


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 501},
        {"limit": 0},
        {"level": "whenever"},
        {"kind": "diagnosis"},
        {"since": "yesterday"},
        {"red_flag": ""},
        {"department": "x" * 65},
    ],
)
async def test_bad_filters_are_refused(gateway, params):
    response = await gateway.admin_get("/admin/triage", **params)
    assert response.status_code == 422


async def test_the_summary_counts_what_was_routed(gateway):
    response = await gateway.admin_get("/admin/triage/summary")
    assert response.status_code == 200
    assert response.json() == {
        "since": None,
        "until": None,
        "total": 3,
        "booking_offered": 1,
        "by_kind": {"emergency": 1, "advice": 2},
        "by_level": {"emergency_ambulance": 1, "routine": 1, "self_care": 1},
        "by_department": {"dermatology": 1, "emergency": 1, "neurology": 1},
        "by_red_flag": {"breathing_difficulty": 1, "chest_pain": 1},
    }


async def test_the_summary_of_a_time_window(gateway):
    # China time without an offset: 10:05 to 10:15 there holds the headache only.
    response = await gateway.admin_get(
        "/admin/triage/summary", since="2026-11-23T10:05:00", until="2026-11-23T10:15:00"
    )
    assert response.status_code == 200
    summary = response.json()
    assert summary["since"] == "2026-11-23T10:05:00+08:00"
    assert summary["until"] == "2026-11-23T10:15:00+08:00"
    assert summary["total"] == 1 and summary["booking_offered"] == 1
    assert summary["by_kind"] == {"emergency": 0, "advice": 1}
    assert summary["by_department"] == {"neurology": 1}
    assert summary["by_red_flag"] == {}
    bad = await gateway.admin_get("/admin/triage/summary", until="tomorrow")
    assert bad.status_code == 422
