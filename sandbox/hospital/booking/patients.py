"""Registering patients (建档): one record per identity document, created at most once."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sandbox.hospital.booking.identity import normalize_document_number
from sandbox.hospital.fhir.conditional import IdentifierCriteria
from sandbox.hospital.fhir.outcome import FHIRError, invalid
from sandbox.hospital.fhir.patient import NewPatient
from sandbox.hospital.models import Patient


def find_patient(session: Session, system: str, value: str) -> Patient | None:
    return session.scalars(
        select(Patient).where(
            Patient.identifier_system == system,
            Patient.identifier_value == normalize_document_number(value),
        )
    ).one_or_none()


def register_patient(
    session: Session, new: NewPatient, criteria: IdentifierCriteria | None, now: datetime
) -> tuple[Patient, bool]:
    """Create the patient and commit; with ``criteria`` (If-None-Exist) return a match instead.

    Returns the patient and whether it was created. Two concurrent registrations of one document
    meet at the unique constraint; the loser answers with the winner's record.
    """
    if criteria is not None:
        same = criteria.system == new.identifier_system and (
            normalize_document_number(criteria.value) == new.identifier_value
        )
        if not same:
            raise invalid("If-None-Exist must name the Patient's own identifier")
        existing = find_patient(session, criteria.system, criteria.value)
        if existing is not None:
            return existing, False
    patient = Patient(
        id=f"pat-{uuid.uuid4().hex[:16]}",
        identifier_system=new.identifier_system,
        identifier_value=new.identifier_value,
        name=new.name,
        gender=new.gender,
        birth_date=new.birth_date,
        phone=new.phone,
        active=True,
        created=now,
    )
    session.add(patient)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        existing = find_patient(session, new.identifier_system, new.identifier_value)
        if existing is None:
            raise
        if criteria is None:
            raise FHIRError(409, "duplicate", "该证件号码已建档") from None
        return existing, False
    return patient, True
