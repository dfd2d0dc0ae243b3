"""Fixtures of the sandbox hospital tests: temporary SQLite and PostgreSQL databases, a seeded
app and an HTTP client talking to it in-process (ASGI), plus FHIR response checks.

Booking tests write, so each gets its own copy of a seeded database (``booking_app``) with the
clock pinned to ``NOW``; the read-only tests share one database (``app``)."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Iterator
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from hospital_fhir_checks import FHIR_JSON, SearchFn, validate_resource
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from sandbox.hospital.api.deps import get_session
from sandbox.hospital.app import create_app
from sandbox.hospital.clock import SandboxClock
from sandbox.hospital.db import make_engine, make_session_factory
from sandbox.hospital.migrate import migrate
from sandbox.hospital.seed import seed
from sandbox.hospital.settings import HOSPITAL_TZ, HospitalSettings

# A Monday; every test reasons about slots relative to it.
TODAY = date(2026, 11, 23)
# Booking tests run at 09:00 that Monday: the morning's first slots have already started.
NOW = datetime.combine(TODAY, time(9, 0), HOSPITAL_TZ)


@pytest.fixture
def today() -> date:
    """The day the shared database is seeded for."""
    return TODAY


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'hospital.db'}"


@pytest.fixture(scope="session")
def seeded_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """One migrated and seeded SQLite database shared by the read-only API tests."""
    url = f"sqlite:///{tmp_path_factory.mktemp('hospital') / 'hospital.db'}"
    migrate(url)
    engine = make_engine(url)
    with make_session_factory(engine).begin() as session:
        seed(session, TODAY)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def session_factory(seeded_engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(seeded_engine)


@pytest.fixture(scope="session")
def app(seeded_engine: Engine, session_factory: sessionmaker[Session]) -> FastAPI:
    application = create_app(HospitalSettings(database_url=str(seeded_engine.url)))

    def override_session() -> Iterator[Session]:
        with session_factory() as session:
            yield session

    application.dependency_overrides[get_session] = override_session
    return application


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://hospital.test") as c:
        yield c


@pytest.fixture
def search(client: httpx.AsyncClient) -> SearchFn:
    """GET a search URL, check it is a valid searchset, return the Bundle JSON."""

    async def run(url: str, params: Any = None) -> dict[str, Any]:
        response = await client.get(url, params=params)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith(FHIR_JSON)
        bundle: dict[str, Any] = response.json()
        validate_resource(bundle)
        assert bundle["type"] == "searchset"
        for entry in bundle.get("entry", []):
            validate_resource(entry["resource"])
            assert entry["search"] == {"mode": "match"}
            resource = entry["resource"]
            assert entry["fullUrl"].endswith(f"/fhir/{resource['resourceType']}/{resource['id']}")
        return bundle

    return run


@pytest.fixture
def now() -> datetime:
    """The instant the booking apps' clocks are pinned to."""
    return NOW


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file seeded for TODAY, copied by each booking test."""
    path = tmp_path_factory.mktemp("template") / "hospital.db"
    url = f"sqlite:///{path}"
    migrate(url)
    engine = make_engine(url)
    with make_session_factory(engine).begin() as session:
        seed(session, TODAY)
    engine.dispose()
    return path


@pytest.fixture
def booking_factory(seeded_template: Path, tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    """Sessions on this test's own copy of the seeded database."""
    path = tmp_path / "booking.db"
    shutil.copyfile(seeded_template, path)
    engine = make_engine(f"sqlite:///{path}")
    yield make_session_factory(engine)
    engine.dispose()


@pytest.fixture
def booking_app(booking_factory: sessionmaker[Session]) -> FastAPI:
    """The app on this test's own database, its clock pinned to NOW."""
    url = str(booking_factory.kw["bind"].url)
    application = create_app(HospitalSettings(database_url=url), clock=SandboxClock(NOW))

    def override_session() -> Iterator[Session]:
        with booking_factory() as session:
            yield session

    application.dependency_overrides[get_session] = override_session
    return application


@pytest.fixture
async def booking(booking_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """HTTP client of ``booking_app``."""
    transport = httpx.ASGITransport(app=booking_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://hospital.test") as c:
        yield c
