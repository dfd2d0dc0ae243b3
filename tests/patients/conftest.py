"""Fixtures of the patients tests: a fake clock, keys, migrated SQLite and PostgreSQL databases,
and the SMS stand-in served in-process (real HTTP protocol through ASGI, sharing the clock)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from patients_testdata import FakeClock
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from integrations.sms.client import SMSClient
from patients.db import make_async_engine, make_session_factory
from patients.migrate import migrate
from patients.protection import Protector
from patients.service import PatientBook
from patients.vault import PIIVault
from sandbox.sms.app import DEFAULT_API_KEY, create_app

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
