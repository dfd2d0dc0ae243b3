"""``GET /fhir/Appointment``: a patient's appointments by date and status, sorted and paged."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from hospital_booking_helpers import assert_outcome, book, free_slots, register, resident_id
from hospital_fhir_checks import SearchFn, ids, validate_resource


@pytest.fixture
async def three_bookings(booking: httpx.AsyncClient, today: date) -> tuple[str, list[str]]:
    """A patient with appointments on three days, the middle one cancelled."""
    patient = await register(booking, resident_id(1))
    booked = []
    for offset in (3, 1, 2):
        slot = (await free_slots(booking, today + timedelta(days=offset), count=1))[0]
        response = await book(booking, slot["id"], patient, f"day-{offset}")
        assert response.status_code == 201, response.text
        booked.append(response.json()["id"])
    cancelled = await booking.patch(
        f"/fhir/Appointment/{booked[2]}",
        json=[{"op": "replace", "path": "/status", "value": "cancelled"}],
        headers={"Content-Type": "application/json-patch+json"},
    )
    assert cancelled.status_code == 200
    # Someone else's appointment must never show up.
    other = await register(booking, resident_id(2))
    slot = (await free_slots(booking, today + timedelta(days=1), count=1))[0]
    assert (await book(booking, slot["id"], other, "other")).status_code == 201
    on_day_3, on_day_1, on_day_2 = booked
    return patient, [on_day_1, on_day_2, on_day_3]


@pytest.fixture
def booked_search(booking: httpx.AsyncClient) -> SearchFn:
    async def run(url: str, params: Any = None) -> dict[str, Any]:
        response = await booking.get(url, params=params)
        assert response.status_code == 200, response.text
        bundle: dict[str, Any] = response.json()
        validate_resource(bundle)
        assert bundle["type"] == "searchset"
        return bundle

    return run


async def test_upcoming_booked_appointments_soonest_first(
    booked_search: SearchFn, three_bookings: tuple[str, list[str]], today: date
) -> None:
    patient, (day_1, _cancelled, day_3) = three_bookings
    params = {
        "patient": f"Patient/{patient}",
        "date": f"ge{today.isoformat()}",
        "status": "booked",
        "_sort": "date",
    }
    bundle = await booked_search("/fhir/Appointment", params)
    assert ids(bundle) == [day_1, day_3]

    descending = await booked_search("/fhir/Appointment", {**params, "_sort": "-date"})
    assert ids(descending) == [day_3, day_1]
    everything = await booked_search("/fhir/Appointment", {"patient": patient})
    assert ids(everything) == three_bookings[1]
    later = await booked_search(
        "/fhir/Appointment",
        {"patient": patient, "date": f"ge{(today + timedelta(days=2)).isoformat()}"},
    )
    assert ids(later) == three_bookings[1][1:]
    cancelled = await booked_search(
        "/fhir/Appointment", {"patient": patient, "status": "cancelled"}
    )
    assert ids(cancelled) == [three_bookings[1][1]]


async def test_paging_keeps_sort_and_filters(
    booked_search: SearchFn, three_bookings: tuple[str, list[str]]
) -> None:
    patient, expected = three_bookings
    bundle = await booked_search(
        "/fhir/Appointment", {"patient": patient, "_sort": "date", "_count": "2"}
    )
    assert bundle["total"] == 3
    next_url = next(link["url"] for link in bundle["link"] if link["relation"] == "next")
    assert parse_qs(urlsplit(next_url).query)["_sort"] == ["date"]
    second = await booked_search(next_url)
    assert ids(bundle) + ids(second) == expected


async def test_search_by_identifier(
    booked_search: SearchFn, three_bookings: tuple[str, list[str]]
) -> None:
    bundle = await booked_search(
        "/fhir/Appointment", {"identifier": "urn:frontdoor:booking-request|day-1"}
    )
    assert ids(bundle) == [three_bookings[1][0]]


@pytest.mark.parametrize(
    "params",
    [
        {"status": "maybe"},
        {"_sort": "patient"},
        {"date": "soon"},
        {"patient": "Practitioner/x"},
        {"identifier": "no-system"},
    ],
)
async def test_bad_search_parameters_are_400(
    booking: httpx.AsyncClient, params: dict[str, str]
) -> None:
    assert_outcome(await booking.get("/fhir/Appointment", params=params), 400, "invalid")
