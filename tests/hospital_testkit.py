"""The sandbox hospital's FHIR app on a migrated, seeded SQLite file, served in-process."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from fastapi import FastAPI
from sqlalchemy.orm import Session

from sandbox.hospital.api.deps import get_session
from sandbox.hospital.app import create_app
from sandbox.hospital.db import make_engine, make_session_factory
from sandbox.hospital.migrate import migrate
from sandbox.hospital.seed import seed
from sandbox.hospital.settings import HospitalSettings


@contextmanager
def seeded_hospital_app(database: Path, today: date) -> Iterator[FastAPI]:
    """Migrate and seed (for `today`) a hospital in `database`, and serve it until exit."""
    url = f"sqlite:///{database}"
    migrate(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    with factory.begin() as session:
        seed(session, today)
    app = create_app(HospitalSettings(database_url=url))

    def session_override() -> Iterator[Session]:
        with factory() as session:
            yield session

    app.dependency_overrides[get_session] = session_override
    try:
        yield app
    finally:
        engine.dispose()
