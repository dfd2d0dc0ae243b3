"""Fixtures shared across the suite: a migrated, seeded sandbox hospital served in-process."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import date

import pytest
from fastapi import FastAPI
from sqlalchemy import create_engine, text
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


DEFAULT_TEST_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@pytest.fixture
def pg_url() -> Iterator[str]:
    """URL of a fresh schema in the test PostgreSQL (`TEST_DATABASE_URL`), dropped afterwards.

    Fails (never skips) when PostgreSQL is unreachable: migrations and races must be proven there.
    """
    base = os.environ.get("TEST_DATABASE_URL", DEFAULT_TEST_DATABASE_URL)
    schema = f"frontdoor_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as error:
        admin.dispose()
        pytest.fail(f"PostgreSQL at {base} is required for these tests: {error}")
    separator = "&" if "?" in base else "?"
    try:
        yield f"{base}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
