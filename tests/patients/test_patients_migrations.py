"""Migrations reproduce the ORM schema exactly and downgrade cleanly, on SQLite and PostgreSQL
(all at once, and the triage trail's step on its own); one binding flow runs on PostgreSQL
through the async psycopg driver."""

from __future__ import annotations

import httpx
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from patients_testdata import CONSENT_TEXT, CONSENT_VERSION, FakeClock, latest_code, resident_id
from sqlalchemy import inspect, text

from integrations.sms.client import SMSClient
from patients.db import (
    make_async_engine,
    make_session_factory,
    make_sync_engine,
    normalize_database_url,
    sync_database_url,
)
from patients.drafts import PatientDraft
from patients.migrate import VERSION_TABLE, downgrade, migrate, owns_name
from patients.models import Base
from patients.protection import Protector
from patients.service import PatientBook

TABLES = {
    "wechat_accounts",
    "patients",
    "consents",
    "patient_verifications",
    "pii_vault",
    "patient_audit_events",
    "report_access_events",
    "critical_value_alerts",
    "report_notifications",
    "notification_subscriptions",
    "feed_cursors",
    "triage_events",
    "triage_red_flags",
}
TRIAGE_TABLES = {"triage_events", "triage_red_flags"}


def schema_diffs(url: str) -> list[object]:
    engine = make_sync_engine(url)
    try:
        with engine.connect() as conn:
            opts = {"compare_type": True, "include_name": owns_name}
            context = MigrationContext.configure(conn, opts=opts)
            return list(compare_metadata(context, Base.metadata))
    finally:
        engine.dispose()


def table_names(url: str) -> set[str]:
    engine = make_sync_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_urls_pick_async_drivers_and_their_blocking_twins() -> None:
    assert normalize_database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalize_database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalize_database_url("sqlite:///x.db") == "sqlite+aiosqlite:///x.db"
    assert normalize_database_url("sqlite+aiosqlite:///x.db") == "sqlite+aiosqlite:///x.db"
    assert sync_database_url("sqlite+aiosqlite:///x.db") == "sqlite:///x.db"
    assert sync_database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"


def check_upgrade_and_downgrade(url: str) -> None:
    # Before migrating the comparison must see differences, or the check below proves nothing.
    assert schema_diffs(url)
    migrate(url)
    assert schema_diffs(url) == []
    assert TABLES | {VERSION_TABLE} <= table_names(url)
    migrate(url)  # already at head: a no-op, not an error
    downgrade(url)
    assert table_names(url) & TABLES == set()
    migrate(url)
    assert schema_diffs(url) == []


def check_triage_step(url: str) -> None:
    """0003 adds the triage trail and takes only it away again."""
    migrate(url, "0002")
    assert table_names(url) & TRIAGE_TABLES == set()
    migrate(url)
    assert schema_diffs(url) == []
    downgrade(url, "0002")
    assert table_names(url) & TABLES == TABLES - TRIAGE_TABLES
    migrate(url)
    assert schema_diffs(url) == []


def test_sqlite_migrations(sqlite_url: str) -> None:
    check_upgrade_and_downgrade(sqlite_url)


def test_postgres_migrations(pg_url: str) -> None:
    check_upgrade_and_downgrade(pg_url)


def test_sqlite_triage_migration(sqlite_url: str) -> None:
    check_triage_step(sqlite_url)


def test_postgres_triage_migration(pg_url: str) -> None:
    check_triage_step(pg_url)


def test_other_packages_tables_are_left_alone(sqlite_url: str) -> None:
    engine = make_sync_engine(sqlite_url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE someone_elses (id INTEGER PRIMARY KEY)"))
    engine.dispose()
    migrate(sqlite_url)
    assert schema_diffs(sqlite_url) == []
    downgrade(sqlite_url)
    assert "someone_elses" in table_names(sqlite_url)


async def test_binding_flow_on_postgres(
    pg_url: str,
    protector: Protector,
    sms_client: SMSClient,
    sms_control: httpx.AsyncClient,
    clock: FakeClock,
) -> None:
    migrate(pg_url)
    engine = make_async_engine(pg_url)
    book = PatientBook(make_session_factory(engine), protector, sms_client, clock=clock)
    openid = "oPOSTGRES00000000000000001"
    document = resident_id(region="440103", birth="19851224", sequence="031")
    try:
        await book.record_consent(openid, CONSENT_VERSION, CONSENT_TEXT)
        draft = PatientDraft("陈大文", "self", document, "+852 5123 4567")
        started = await book.start_binding(openid, draft)
        assert started.masked_phone == "+852 51****67"
        view = await book.confirm_binding(openid, await latest_code(sms_control, "+85251234567"))
        assert view.is_selected and view.age == 40
        assert (await book.identity_for_registration(openid, view.id)).document_number == document
        await book.remove_patient(openid, view.id)
        assert await book.list_patients(openid) == []
    finally:
        await engine.dispose()
