"""No double booking under real concurrency: a uvicorn server in a thread, its thread pool and
one database session per request, on PostgreSQL (the race that matters) and on SQLite."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import httpx
import pytest
from hospital_booking_helpers import (
    assert_outcome,
    book,
    free_slots,
    patient_body,
    register,
    resident_id,
)
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from common import fhir_contract as systems
from sandbox.hospital.app import create_app
from sandbox.hospital.background import BackgroundServer
from sandbox.hospital.clock import SandboxClock
from sandbox.hospital.db import make_engine, make_session_factory
from sandbox.hospital.migrate import migrate
from sandbox.hospital.models import RELEASED_STATUSES, Appointment, Patient, Slot
from sandbox.hospital.seed import seed
from sandbox.hospital.settings import HospitalSettings

RACERS = 20
REPEATS = 10


@dataclass(frozen=True)
class Served:
    base_url: str
    factory: sessionmaker[Session]


@pytest.fixture(params=[pytest.param("postgresql", marks=pytest.mark.services), "sqlite"])
def served(request: pytest.FixtureRequest, today: date, now: datetime) -> Iterator[Served]:
    """A seeded hospital on a fresh database, served over HTTP with the clock at NOW."""
    url: str = request.getfixturevalue("pg_url" if request.param == "postgresql" else "sqlite_url")
    migrate(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    with factory.begin() as session:
        seed(session, today)
    app = create_app(HospitalSettings(database_url=url), clock=SandboxClock(now))
    try:
        with BackgroundServer(app) as base_url:
            yield Served(base_url, factory)
    finally:
        engine.dispose()


def http(base_url: str) -> httpx.AsyncClient:
    limits = httpx.Limits(max_connections=RACERS * 2, max_keepalive_connections=RACERS * 2)
    return httpx.AsyncClient(base_url=base_url, limits=limits, timeout=60)


def holding(factory: sessionmaker[Session], slot_id: str) -> list[Appointment]:
    with factory() as session:
        return list(
            session.scalars(
                select(Appointment).where(
                    Appointment.slot_id == slot_id, Appointment.status.not_in(RELEASED_STATUSES)
                )
            )
        )


async def test_twenty_patients_race_for_one_slot(served: Served, today: date) -> None:
    async with http(served.base_url) as client:
        patients = [await register(client, resident_id(n)) for n in range(RACERS)]
        slot = (await free_slots(client, today + timedelta(days=1), count=1))[0]

        responses = await asyncio.gather(
            *(book(client, slot["id"], patient, f"race-{patient}") for patient in patients)
        )
        final_slot = (await client.get(f"/fhir/Slot/{slot['id']}")).json()

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [409] * (RACERS - 1), [r.text for r in responses]
    for response in responses:
        if response.status_code == 409:
            assert assert_outcome(response, 409, "conflict")["diagnostics"] == "该号源已被预约"
    winner = next(r.json() for r in responses if r.status_code == 201)
    assert final_slot["status"] == "busy"
    held = holding(served.factory, slot["id"])
    assert [a.id for a in held] == [winner["id"]]
    with served.factory() as session:
        assert session.scalar(select(func.count()).select_from(Appointment)) == 1


async def test_the_same_request_sent_concurrently_books_once(served: Served, today: date) -> None:
    async with http(served.base_url) as client:
        patient = await register(client, resident_id(1))
        slot = (await free_slots(client, today + timedelta(days=2), count=1))[0]

        responses = await asyncio.gather(
            *(book(client, slot["id"], patient, "one-decision") for _ in range(REPEATS))
        )

    assert sorted(r.status_code for r in responses) == [200] * (REPEATS - 1) + [201], [
        r.text for r in responses
    ]
    assert len({r.json()["id"] for r in responses}) == 1
    with served.factory() as session:
        keyed = session.scalars(
            select(Appointment).where(Appointment.request_key == "one-decision")
        ).all()
    assert len(keyed) == 1
    assert [a.id for a in holding(served.factory, slot["id"])] == [keyed[0].id]


async def test_concurrent_registrations_of_one_document(served: Served) -> None:
    number = resident_id(2)
    headers = {"If-None-Exist": f"identifier={systems.RESIDENT_ID}|{number}"}
    async with http(served.base_url) as client:
        responses = await asyncio.gather(
            *(
                client.post("/fhir/Patient", json=patient_body(number), headers=headers)
                for _ in range(REPEATS)
            )
        )
    assert sorted(r.status_code for r in responses) == [200] * (REPEATS - 1) + [201]
    with served.factory() as session:
        same_document = select(func.count()).where(Patient.identifier_value == number)
        assert session.scalar(same_document) == 1


def test_the_database_refuses_a_second_holder_of_a_slot(served: Served) -> None:
    """The partial unique index alone, with the API's checks bypassed."""
    with served.factory() as session:
        slot = session.scalars(select(Slot).where(Slot.status == "free").limit(1)).one()
        schedule = slot.schedule
        row = {
            "slot_id": slot.id,
            "department_id": schedule.department_id,
            "practitioner_role_id": schedule.practitioner_role_id,
            "location_id": schedule.department.location_id,
            "start": slot.start,
            "end": slot.end,
            "service_date": slot.start.date(),
            "patient_instruction": "-",
            "created": slot.start,
        }

    def insert_holder(appointment_id: str, status: str) -> None:
        with served.factory.begin() as session:
            session.add(
                Patient(
                    id=f"pat-{appointment_id}",
                    identifier_system=systems.PASSPORT,
                    identifier_value=appointment_id.upper(),
                    name="测试",
                    active=True,
                    created=slot.start,
                )
            )
            session.flush()
            session.execute(
                insert(Appointment).values(
                    **row, id=appointment_id, status=status, patient_id=f"pat-{appointment_id}"
                )
            )

    insert_holder("appt-first", "booked")
    insert_holder("appt-cancelled", "cancelled")
    with pytest.raises(IntegrityError):
        insert_holder("appt-second", "noshow")
