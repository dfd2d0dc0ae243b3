"""Fixtures of the HIS booking tests: a sandbox hospital of their own, on a copy of a seeded
database, with the hospital's and the client's clocks pinned to one Monday morning."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from his_booking_support import MONDAY, MONDAY_MORNING, Hospital
from sqlalchemy.orm import Session

from integrations.his import HISClient
from sandbox.hospital.api.deps import get_session
from sandbox.hospital.app import create_app
from sandbox.hospital.clock import SandboxClock
from sandbox.hospital.db import make_engine, make_session_factory
from sandbox.hospital.migrate import migrate
from sandbox.hospital.seed import seed
from sandbox.hospital.settings import HospitalSettings


@pytest.fixture(scope="session")
def his_seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("his-template") / "hospital.db"
    url = f"sqlite:///{path}"
    migrate(url)
    engine = make_engine(url)
    with make_session_factory(engine).begin() as session:
        seed(session, MONDAY)
    engine.dispose()
    return path


@pytest.fixture
def hospital(his_seeded_template: Path, tmp_path: Path) -> Iterator[Hospital]:
    path = tmp_path / "hospital.db"
    shutil.copyfile(his_seeded_template, path)
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    factory = make_session_factory(engine)
    app = create_app(HospitalSettings(database_url=url), clock=SandboxClock(MONDAY_MORNING))

    def session_override() -> Iterator[Session]:
        with factory() as session:
            yield session

    app.dependency_overrides[get_session] = session_override
    yield Hospital(app, factory)
    engine.dispose()


@pytest.fixture
async def booking_his(hospital: Hospital) -> AsyncIterator[HISClient]:
    """A client of the booking hospital whose "today" is MONDAY too."""
    transport = httpx.ASGITransport(app=hospital.app)
    async with HISClient(
        "http://his.test/fhir", transport=transport, clock=lambda: MONDAY_MORNING, backoff=0
    ) as client:
        yield client
