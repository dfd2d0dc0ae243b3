"""What a report needs to know about its patient: sex (for sex-specific ranges) and age (for
eGFR), from the registration or else from the resident ID number, as a hospital would."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from common import fhir_contract as systems
from sandbox.hospital.booking.identity import document_problem
from sandbox.hospital.models import Patient
from sandbox.hospital.reports.dictionary import Sex


@dataclass(frozen=True)
class Subject:
    sex: Sex | None
    age: int | None


def subject_of(patient: Patient, on: date) -> Subject:
    """The patient's sex and their age in whole years on ``on``; None where unknown."""
    sex: Sex | None = None
    if patient.gender in ("male", "female"):
        sex = "male" if patient.gender == "male" else "female"
    birth = patient.birth_date
    number = patient.identifier_value
    if patient.identifier_system == systems.RESIDENT_ID and not document_problem(
        systems.RESIDENT_ID, number
    ):
        # GB 11643: digits 7-14 are the birth date, an odd 17th digit means male.
        birth = birth or date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
        sex = sex or ("male" if int(number[16]) % 2 else "female")
    return Subject(sex, _age(birth, on) if birth else None)


def _age(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
