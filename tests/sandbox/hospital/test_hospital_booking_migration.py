"""Migration 0002 (patients, appointments): upgrade and downgrade on SQLite and PostgreSQL,
with the partial unique indexes that forbid double booking really partial."""

from __future__ import annotations

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from sandbox.hospital.db import make_engine
from sandbox.hospital.migrate import alembic_config, downgrade, migrate

BOOKING_TABLES = {"patients", "appointments"}
HOLDING_INDEXES = {
    "uq_appointments_slot_id_holding",
    "uq_appointments_patient_department_day_holding",
}


def head_revision() -> str | None:
    """The newest migration: later ones (0003 reports, ...) build on 0002."""
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def tables_and_revision(url: str) -> tuple[set[str], str | None]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
            revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    finally:
        engine.dispose()
    return tables, revision


def index_definitions(url: str) -> dict[str, str]:
    """Index name → its SQL, as the database itself keeps it."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            if engine.dialect.name == "sqlite":
                rows = conn.execute(
                    text("SELECT name, sql FROM sqlite_master WHERE tbl_name = 'appointments'")
                )
            else:
                rows = conn.execute(
                    text(
                        "SELECT indexname, indexdef FROM pg_indexes "
                        "WHERE tablename = 'appointments' AND schemaname = current_schema()"
                    )
                )
            return {name: sql or "" for name, sql in rows}
    finally:
        engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.services)])
def database_url(request: pytest.FixtureRequest) -> str:
    url: str = request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg_url")
    return url


def test_upgrade_downgrade_upgrade(database_url: str) -> None:
    migrate(database_url)
    tables, revision = tables_and_revision(database_url)
    assert tables >= BOOKING_TABLES and revision == head_revision()

    downgrade(database_url, "0001")
    tables, revision = tables_and_revision(database_url)
    assert not BOOKING_TABLES & tables and revision == "0001"
    assert {"slots", "schedules"} <= tables

    migrate(database_url)
    tables, revision = tables_and_revision(database_url)
    assert tables >= BOOKING_TABLES and revision == head_revision()


def test_holding_indexes_are_unique_and_partial(database_url: str) -> None:
    migrate(database_url)
    definitions = index_definitions(database_url)
    for name in HOLDING_INDEXES:
        sql = " ".join(definitions[name].split()).upper()
        assert sql.startswith("CREATE UNIQUE INDEX"), sql
        assert "WHERE" in sql and "CANCELLED" in sql and "ENTERED-IN-ERROR" in sql, sql
