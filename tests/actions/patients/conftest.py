"""Fixtures of the patient dialogue tests: a patient book on a temporary SQLite database
(migrated with `patients.migrate`), texting through the SMS stand-in in-process through
httpx.ASGITransport, a real PII vault, one fake clock for all three, and the sandbox hospital
(tests/actions/conftest.py) where a new binding is linked to the patient's hospital record."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from patient_dialogue_harness import Chat, FakeClock, Stand

from actions.services import PatientServices, use_patient_services
from integrations.his import HISClient
from integrations.sms.client import SMSClient
from patients.db import make_async_engine, make_session_factory
from patients.migrate import migrate
from patients.protection import Protector
from patients.service import PatientBook
from patients.vault import PIIVault
from sandbox.sms.app import DEFAULT_API_KEY, create_app

DOMAIN_FILE = Path(__file__).resolve().parents[3] / "bot" / "domain" / "patients.yml"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def stand(tmp_path: Path, clock: FakeClock, his: HISClient) -> AsyncIterator[Stand]:
    """`his`: the sandbox hospital, where a new binding looks for the patient's record."""
    url = f"sqlite:///{tmp_path / 'patients.db'}"
    migrate(url)
    engine = make_async_engine(url)
    sessions = make_session_factory(engine)
    protector = Protector(secrets.token_bytes(32))
    sms_app = create_app(clock=clock.timestamp)
    transport = httpx.ASGITransport(app=sms_app)
    sms = SMSClient("http://sms.test", DEFAULT_API_KEY, transport=transport)
    sms_api = httpx.AsyncClient(transport=transport, base_url="http://sms.test")
    book = PatientBook(sessions, protector, sms, clock=clock)
    vault = PIIVault(sessions, protector, clock=clock)
    use_patient_services(PatientServices(book, vault))
    yield Stand(book, vault, sessions, sms_api, clock)
    use_patient_services(None)
    await sms_api.aclose()
    await sms.aclose()
    await engine.dispose()


@pytest.fixture(scope="session")
def domain() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(DOMAIN_FILE.read_text(encoding="utf-8"))
    return loaded


@pytest.fixture
def chat(stand: Stand, domain: dict[str, Any]) -> Chat:
    return Chat(stand, domain)
