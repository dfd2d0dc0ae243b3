"""Fixtures of the action tests that work with a hospital (booking, reports, triage): a freshly
seeded sandbox hospital per module (bookings change it), frontdoor's patient records, report
trail and triage trail on a temporary database with the SMS stand-in in-process, and a helper
to bind patients."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from action_testkit import OPENID
from fastapi import FastAPI
from hospital_testkit import seeded_hospital_app

from actions.booking.calendar import china_today
from actions.services import (
    PatientServices,
    use_his_client,
    use_patient_services,
    use_report_records,
    use_triage_records,
)
from integrations.his import HISClient
from integrations.sms.client import SMSClient
from patients.db import make_async_engine, make_session_factory
from patients.drafts import PatientDraft
from patients.migrate import migrate as migrate_patients
from patients.protection import Protector
from patients.report_records import ReportRecords
from patients.service import BindingPolicy, PatientBook, PatientView
from patients.triage_records import TriageRecords
from patients.vault import PIIVault
from sandbox.sms.app import DEFAULT_API_KEY
from sandbox.sms.app import create_app as create_sms

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def hospital(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    """A hospital of this module's own: bookings change it."""
    database = tmp_path_factory.mktemp("booking-his") / "hospital.db"
    with seeded_hospital_app(database, china_today()) as app:
        yield app


@pytest.fixture
async def his(hospital: FastAPI) -> AsyncIterator[HISClient]:
    client = HISClient("http://his.test/fhir", transport=httpx.ASGITransport(app=hospital))
    use_his_client(client)
    yield client
    use_his_client(None)
    await client.aclose()


@pytest.fixture
async def hospital_control(hospital: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=hospital)
    async with httpx.AsyncClient(transport=transport, base_url="http://his.test") as client:
        yield client


@pytest.fixture
async def sms() -> AsyncIterator[tuple[SMSClient, httpx.AsyncClient]]:
    app = create_sms(per_minute=100, per_day=1000)
    transport = httpx.ASGITransport(app=app)
    async with (
        SMSClient("http://sms.test", DEFAULT_API_KEY, transport=transport) as client,
        httpx.AsyncClient(transport=transport, base_url="http://sms.test") as control,
    ):
        yield client, control


@pytest.fixture
async def patients(tmp_path: Path, sms) -> AsyncIterator[PatientServices]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'frontdoor.db'}"
    migrate_patients(url)
    engine = make_async_engine(url)
    sessions = make_session_factory(engine)
    protector = Protector(os.urandom(32))
    services = PatientServices(
        # Tests bind several patients in a row: no waiting between codes.
        PatientBook(sessions, protector, sms[0], policy=BindingPolicy(resend_after=timedelta(0))),
        PIIVault(sessions, protector),
    )
    use_patient_services(services)
    use_report_records(ReportRecords(sessions))
    use_triage_records(TriageRecords(sessions))
    yield services
    use_patient_services(None)
    use_report_records(None)
    use_triage_records(None)
    await engine.dispose()


@pytest.fixture
def bind(patients: PatientServices, sms):
    """Binds a patient the way the resident would: draft, SMS code, confirmation."""

    async def binder(
        name: str, document: str, phone: str, relation: str = "self", openid: str = OPENID
    ) -> PatientView:
        await patients.book.record_consent(openid, "v1", "同意处理健康信息（测试）")
        await patients.book.start_binding(openid, PatientDraft(name, relation, document, phone))
        messages = (await sms[1].get("/sandbox/messages", params={"phone": f"+86{phone}"})).json()
        code = messages[0]["params"]["code"]
        return await patients.book.confirm_binding(openid, code)

    return binder


@pytest.fixture(scope="session")
def domain() -> dict[str, Any]:
    """The bot's domain files merged (forms and slots are what the actions read)."""
    merged: dict[str, Any] = {"forms": {}, "slots": {}}
    for path in sorted((REPO / "bot" / "domain").glob("*.yml")):
        part = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        merged["forms"].update(part.get("forms") or {})
        merged["slots"].update(part.get("slots") or {})
    return merged
