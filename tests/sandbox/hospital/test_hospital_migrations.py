"""Migrations reproduce the ORM schema exactly, on SQLite and on the real PostgreSQL."""

from __future__ import annotations

from datetime import date

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, inspect, select

from sandbox.hospital.db import make_engine, make_session_factory, normalize_database_url
from sandbox.hospital.migrate import migrate
from sandbox.hospital.models import Base, Institution, Slot
from sandbox.hospital.seed import seed
from sandbox.hospital.settings import HOSPITAL_TZ


def schema_diffs(url: str) -> list[object]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            return list(compare_metadata(context, Base.metadata))
    finally:
        engine.dispose()


def test_postgres_urls_use_psycopg3() -> None:
    assert normalize_database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalize_database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalize_database_url("sqlite:///x.db") == "sqlite:///x.db"


def test_sqlite_migration_matches_models(sqlite_url: str) -> None:
    # Before migrating the comparison must see differences, or the check below proves nothing.
    assert schema_diffs(sqlite_url)
    migrate(sqlite_url)
    assert schema_diffs(sqlite_url) == []
    migrate(sqlite_url)  # already at head: a no-op, not an error
    engine = make_engine(sqlite_url)
    tables = set(inspect(engine).get_table_names())
    engine.dispose()
    assert {"institutions", "departments", "slots", "alembic_version"} <= tables


def test_postgres_migration_matches_models_and_seeds(pg_url: str, today: date) -> None:
    assert schema_diffs(pg_url)
    migrate(pg_url)
    assert schema_diffs(pg_url) == []

    engine = make_engine(pg_url)
    try:
        factory = make_session_factory(engine)
        with factory.begin() as session:
            first = seed(session, today)
        with factory.begin() as session:
            again = seed(session, today)
        with factory() as session:
            assert session.scalar(select(func.count()).select_from(Institution)) == 10
            slots = session.scalar(select(func.count()).select_from(Slot)) or 0
            # timestamptz round trip returns aware instants (08:00 +08:00 is 00:00 UTC)
            earliest = session.scalar(select(func.min(Slot.start)))
    finally:
        engine.dispose()
    assert first.slots == slots > 0
    assert again.slots == 0
    assert earliest is not None
    assert earliest.utcoffset() is not None
    assert earliest.astimezone(HOSPITAL_TZ).hour == 8
