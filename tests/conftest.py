"""Fixtures shared across the suite: a migrated, seeded sandbox hospital served in-process."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import date

import pytest
from fastapi import FastAPI
from hospital_testkit import seeded_hospital_app
from sqlalchemy import create_engine, text


@pytest.fixture(scope="session")
def hospital_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    """The sandbox hospital's FHIR app on a seeded SQLite file, for HIS-client and action tests."""
    with seeded_hospital_app(tmp_path_factory.mktemp("his") / "hospital.db", date.today()) as app:
        yield app


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
