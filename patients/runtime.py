"""Wiring for services: build the `PatientBook` and the `PIIVault` from the environment.

The action server and the gateway call `open_patients()` once at start-up (never at import)
and `aclose()` at shutdown.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from integrations.sms.client import SMSClient
from integrations.sms.settings import SMSSettings
from patients.db import make_async_engine, make_session_factory
from patients.migrate import migrate
from patients.service import PatientBook
from patients.settings import PatientsSettings
from patients.vault import PIIVault


@dataclass
class PatientsRuntime:
    engine: AsyncEngine
    sms: SMSClient
    book: PatientBook
    vault: PIIVault

    async def aclose(self) -> None:
        await self.sms.aclose()
        await self.engine.dispose()


async def open_patients(
    settings: PatientsSettings | None = None,
    sms_settings: SMSSettings | None = None,
    *,
    run_migrations: bool = True,
) -> PatientsRuntime:
    """Migrate (in a worker thread: Alembic blocks) and build the services."""
    settings = settings or PatientsSettings()
    sms_settings = sms_settings or SMSSettings()
    protector = await asyncio.to_thread(settings.protector)  # may create the dev key file
    if run_migrations:
        await asyncio.to_thread(migrate, settings.database_url)
    engine = make_async_engine(settings.database_url)
    sessions = make_session_factory(engine)
    sms = SMSClient(
        sms_settings.sms_base_url,
        sms_settings.sms_api_key.get_secret_value(),
        timeout=sms_settings.sms_timeout_seconds,
    )
    return PatientsRuntime(
        engine=engine,
        sms=sms,
        book=PatientBook(sessions, protector, sms),
        vault=PIIVault(sessions, protector),
    )
