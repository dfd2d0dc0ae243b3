"""Outside-service clients used by actions, created on first use (never at import time).

rasa_sdk instantiates actions without arguments, so clients are provided here; tests install
their own with `use_his_client`, `use_patient_services`, `use_report_records` and
`use_triage_records`.
"""

from __future__ import annotations

from dataclasses import dataclass

from actions.settings import get_settings
from integrations.his import HISClient
from integrations.sms.client import SMSClient
from integrations.sms.settings import SMSSettings
from patients.db import make_async_engine, make_session_factory
from patients.report_records import ReportRecords
from patients.service import PatientBook
from patients.settings import PatientsSettings
from patients.triage_records import TriageRecords
from patients.vault import PIIVault

_his_client: HISClient | None = None


@dataclass(frozen=True)
class PatientServices:
    """frontdoor's own records of a WeChat user's patients, and the vault of their ID and phone
    numbers (the gateway puts them there so that Rasa's tracker never holds them)."""

    book: PatientBook
    vault: PIIVault


_patient_services: PatientServices | None = None
_report_records: ReportRecords | None = None
_triage_records: TriageRecords | None = None


def his_client() -> HISClient:
    global _his_client
    if _his_client is None:
        settings = get_settings()
        _his_client = HISClient(settings.his_base_url, timeout=settings.his_timeout_seconds)
    return _his_client


def use_his_client(client: HISClient | None) -> None:
    """Replace the HIS client (tests point it at the sandbox hospital app in-process)."""
    global _his_client
    _his_client = client


def patient_services() -> PatientServices:
    global _patient_services
    if _patient_services is None:
        patients = PatientsSettings()
        sms_settings = SMSSettings()
        sessions = make_session_factory(make_async_engine(patients.database_url))
        protector = patients.protector()
        sms = SMSClient(
            sms_settings.sms_base_url,
            sms_settings.sms_api_key.get_secret_value(),
            timeout=sms_settings.sms_timeout_seconds,
        )
        _patient_services = PatientServices(
            PatientBook(sessions, protector, sms), PIIVault(sessions, protector)
        )
    return _patient_services


def use_patient_services(services: PatientServices | None) -> None:
    """Replace the patient services (tests use a temporary database and the SMS stand-in)."""
    global _patient_services
    _patient_services = services


def report_records() -> ReportRecords:
    """Who read which report, critical-value alerts for staff (frontdoor's own database)."""
    global _report_records
    if _report_records is None:
        sessions = make_session_factory(make_async_engine(PatientsSettings().database_url))
        _report_records = ReportRecords(sessions)
    return _report_records


def use_report_records(records: ReportRecords | None) -> None:
    """Replace the report records (tests use a temporary database)."""
    global _report_records
    _report_records = records


def triage_records() -> TriageRecords:
    """The trail of triage answers for admins: codes only, never words (frontdoor's database)."""
    global _triage_records
    if _triage_records is None:
        sessions = make_session_factory(make_async_engine(PatientsSettings().database_url))
        _triage_records = TriageRecords(sessions)
    return _triage_records


def use_triage_records(records: TriageRecords | None) -> None:
    """Replace the triage records (tests use a temporary database)."""
    global _triage_records
    _triage_records = records
