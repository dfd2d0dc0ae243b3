"""Fixtures shared across the suite: a migrated, seeded sandbox hospital served in-process."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from fastapi import FastAPI
from sqlalchemy.orm import Session

from sandbox.hospital.api.deps import get_session
from sandbox.hospital.app import create_app
from sandbox.hospital.db import make_engine, make_session_factory
from sandbox.hospital.migrate import migrate
from sandbox.hospital.seed import seed
from sandbox.hospital.settings import HospitalSettings


@pytest.fixture(scope="session")
def hospital_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    """The sandbox hospital's FHIR app on a seeded SQLite file, for HIS-client and action tests."""
    url = f"sqlite:///{tmp_path_factory.mktemp('his') / 'hospital.db'}"
    migrate(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    with factory.begin() as session:
        seed(session, date.today())
    app = create_app(HospitalSettings(database_url=url))

    def session_override() -> Iterator[Session]:
        with factory() as session:
            yield session

    app.dependency_overrides[get_session] = session_override
    yield app
    engine.dispose()
