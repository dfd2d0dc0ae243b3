"""Fixtures of the patients tests: a fake clock, keys, migrated SQLite and PostgreSQL databases,
and the SMS stand-in served in-process (real HTTP protocol through ASGI, sharing the clock)."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from patients_testdata import FakeClock
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from integrations.sms.client import SMSClient
from patients.db import make_async_engine, make_session_factory, make_sync_engine
from patients.migrate import migrate
from patients.protection import Protector
from patients.service import PatientBook
from patients.vault import PIIVault
from sandbox.sms.app import DEFAULT_API_KEY, create_app

DEFAULT_TEST_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
SMS_BASE_URL = "http://sms.test"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def protector() -> Protector:
    return Protector(os.urandom(32))


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'patients.db'}"


@pytest.fixture
def pg_url() -> Iterator[str]:
    """URL of a fresh schema in the test PostgreSQL, dropped afterwards.

    Fails (never skips) when PostgreSQL is unreachable: the migrations must be proven there.
    """
    base = os.environ.get("TEST_DATABASE_URL", DEFAULT_TEST_DATABASE_URL)
    schema = f"patients_test_{uuid.uuid4().hex[:12]}"
    admin = make_sync_engine(base)
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


async def migrated_sessions(url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    migrate(url)
    engine = make_async_engine(url)
    try:
        yield make_session_factory(engine)
    finally:
        await engine.dispose()


@pytest.fixture
async def sessions(sqlite_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    async for factory in migrated_sessions(sqlite_url):
        yield factory


@pytest.fixture
def sms_app(clock: FakeClock) -> FastAPI:
    return create_app(clock=clock.timestamp)


@pytest.fixture
async def sms_client(sms_app: FastAPI) -> AsyncIterator[SMSClient]:
    transport = httpx.ASGITransport(app=sms_app)
    async with SMSClient(SMS_BASE_URL, DEFAULT_API_KEY, transport=transport) as client:
        yield client


@pytest.fixture
async def sms_control(sms_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """Reads what the stand-in "sent" (GET /sandbox/messages) and steers it."""
    transport = httpx.ASGITransport(app=sms_app)
    async with httpx.AsyncClient(transport=transport, base_url=SMS_BASE_URL) as client:
        yield client


@pytest.fixture
def book(
    sessions: async_sessionmaker[AsyncSession],
    protector: Protector,
    sms_client: SMSClient,
    clock: FakeClock,
) -> PatientBook:
    return PatientBook(sessions, protector, sms_client, clock=clock)


@pytest.fixture
def vault(
    sessions: async_sessionmaker[AsyncSession], protector: Protector, clock: FakeClock
) -> PIIVault:
    return PIIVault(sessions, protector, clock=clock)
