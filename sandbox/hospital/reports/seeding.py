"""Seed the demo patients and their reports: insert what is missing, never update.

Reports keep their fixed ids, so a restart on a later day adds nothing and a report released or
amended through the controls stays so.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, time

from sqlalchemy import select
from sqlalchemy.orm import Session

from common import fhir_contract as systems
from sandbox.hospital.models import DiagnosticReport, Patient
from sandbox.hospital.reports.content import compose
from sandbox.hospital.reports.demo import DEMO_PATIENTS, DEMO_REPORTS, At, DemoReport
from sandbox.hospital.reports.dictionary import report_definition
from sandbox.hospital.reports.lifecycle import NewReport, amend, record_final, record_pending
from sandbox.hospital.reports.subject import subject_of

logger = logging.getLogger(__name__)

# Demo patients registered (建档) a month before the seed day.
_REGISTERED = At(-30, time(9, 0))


@dataclass(frozen=True)
class DemoSeedCounts:
    patients: int
    reports: int


def seed_demo_reports(session: Session, today: date) -> DemoSeedCounts:
    patients = _seed_patients(session, today)
    existing = set(session.scalars(select(DiagnosticReport.id)))
    reports = 0
    for demo in DEMO_REPORTS:
        if demo.id in existing:
            continue
        patient = session.get(Patient, DEMO_PATIENTS[demo.patient].id)
        if patient is None:
            continue
        _seed_report(session, demo, patient, today)
        reports += 1
    session.flush()
    return DemoSeedCounts(patients, reports)


def _seed_patients(session: Session, today: date) -> int:
    ids = set(session.scalars(select(Patient.id)))
    numbers = set(
        session.scalars(
            select(Patient.identifier_value).where(Patient.identifier_system == systems.RESIDENT_ID)
        )
    )
    added = 0
    for demo in DEMO_PATIENTS.values():
        if demo.id in ids:
            continue
        if demo.resident_id in numbers:
            # Someone registered this fictional number through the API first; leave them be.
            logger.warning("demo patient %s already registered under another id", demo.id)
            continue
        session.add(
            Patient(
                id=demo.id,
                identifier_system=systems.RESIDENT_ID,
                identifier_value=demo.resident_id,
                name=demo.name,
                gender=demo.gender,
                birth_date=demo.birth_date,
                phone=demo.phone,
                active=True,
                created=_REGISTERED.on(today),
            )
        )
        added += 1
    session.flush()
    return added


def _seed_report(session: Session, demo: DemoReport, patient: Patient, today: date) -> None:
    effective = demo.effective.on(today)
    content = compose(
        report_definition(demo.test),
        subject_of(patient, effective.date()),
        overrides=demo.values,
        findings=demo.findings,
        conclusion=demo.conclusion,
    )
    new = NewReport(demo.id, patient.id, demo.test, demo.institution_id)
    if demo.issued is None:
        if demo.expected is None:
            raise ValueError(f"{demo.id} needs issued or expected")
        record_pending(
            session,
            new,
            content,
            effective=effective,
            expected=demo.expected.on(today),
            recorded=effective,
        )
        return
    issued = demo.issued.on(today)
    report = record_final(
        session, new, content, effective=effective, issued=issued, recorded=issued
    )
    if demo.amended is not None:
        amend(session, report, demo.amended.note, demo.amended.at.on(today))
