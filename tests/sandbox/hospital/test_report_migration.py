"""Migration 0003 (reports) up and down on SQLite and PostgreSQL, and the reports API on a
seeded PostgreSQL (timestamptz instants, the row lock of the release control)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import date, datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI
from hospital_report_helpers import ELDER, fetch_bundle, instant, match_ids, results_of
from sqlalchemy import inspect, text
from sqlalchemy.orm import Session

from sandbox.hospital.api.deps import get_session
from sandbox.hospital.app import create_app
from sandbox.hospital.clock import SandboxClock
from sandbox.hospital.db import make_engine, make_session_factory
from sandbox.hospital.migrate import downgrade, migrate
from sandbox.hospital.seed import seed
from sandbox.hospital.settings import HospitalSettings

REPORT_TABLES = {"diagnostic_reports", "observations"}


def tables_and_revision(url: str) -> tuple[set[str], str | None]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
            revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    finally:
        engine.dispose()
    return tables, revision


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.services)])
def database_url(request: pytest.FixtureRequest) -> str:
    url: str = request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg_url")
    return url


def test_upgrade_downgrade_upgrade(database_url: str, today: date) -> None:
    migrate(database_url)
    tables, revision = tables_and_revision(database_url)
    assert tables >= REPORT_TABLES and revision == "0003"

    engine = make_engine(database_url)
    with make_session_factory(engine).begin() as session:
        assert seed(session, today).reports > 0
    engine.dispose()
    # Downgrading drops the reports (and only them); patients and appointments stay.
    downgrade(database_url, "0002")
    tables, revision = tables_and_revision(database_url)
    assert not REPORT_TABLES & tables and revision == "0002"
    assert {"patients", "appointments", "slots"} <= tables

    migrate(database_url)
    tables, revision = tables_and_revision(database_url)
    assert tables >= REPORT_TABLES and revision == "0003"


@pytest.fixture
def pg_app(pg_url: str, today: date, now: datetime) -> Iterator[FastAPI]:
    migrate(pg_url)
    engine = make_engine(pg_url)
    factory = make_session_factory(engine)
    with factory.begin() as session:
        seed(session, today)
    app = create_app(HospitalSettings(database_url=pg_url), clock=SandboxClock(now))

    def override_session() -> Iterator[Session]:
        with factory() as session:
            yield session

    app.dependency_overrides[get_session] = override_session
    yield app
    engine.dispose()


@pytest.fixture
async def pg_client(pg_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=pg_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://hospital.test") as c:
        yield c


@pytest.mark.services
async def test_reports_on_postgresql(pg_client: httpx.AsyncClient, now: datetime) -> None:
    bundle = await fetch_bundle(
        pg_client,
        "/fhir/DiagnosticReport",
        {"patient": ELDER.id, "code": "ELEC", "_include": "DiagnosticReport:result"},
    )
    (elec,) = [e["resource"] for e in bundle["entry"] if e["search"]["mode"] == "match"]
    assert instant(elec["effectiveDateTime"]).utcoffset() == timedelta(hours=8)
    assert len(bundle["entry"]) == 4

    released = await pg_client.post("/sandbox/reports/dr-demo-elder-urine/release")
    assert released.status_code == 200, released.text
    urine = released.json()
    assert instant(urine["meta"]["lastUpdated"]) == now
    assert (await results_of(pg_client, urine))["U-PRO"]["valueString"] == "+"
    feed = await fetch_bundle(
        pg_client,
        "/fhir/DiagnosticReport",
        {"_lastUpdated": f"ge{now.isoformat()}", "_sort": "_lastUpdated"},
    )
    assert match_ids(feed) == ["dr-demo-elder-urine"]
