"""Patient rows ↔ FHIR Patient (https://hl7.org/fhir/R4/patient.html)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from fhir.resources.R4B.contactpoint import ContactPoint
from fhir.resources.R4B.humanname import HumanName
from fhir.resources.R4B.identifier import Identifier
from fhir.resources.R4B.patient import Patient as FHIRPatient
from pydantic import ValidationError

from common import fhir_contract as systems
from sandbox.hospital.booking.identity import document_problem, normalize_document_number
from sandbox.hospital.fhir.outcome import invalid
from sandbox.hospital.models import Patient

GENDERS = frozenset({"male", "female", "other", "unknown"})


@dataclass(frozen=True)
class NewPatient:
    """What a registration carries, checked."""

    identifier_system: str
    identifier_value: str
    name: str
    gender: str | None
    birth_date: date | None
    phone: str | None


def patient_resource(row: Patient) -> FHIRPatient:
    return FHIRPatient(
        id=row.id,
        identifier=[
            Identifier(use="official", system=row.identifier_system, value=row.identifier_value)
        ],
        active=row.active,
        name=[HumanName(use="official", text=row.name)],
        telecom=[ContactPoint(system="phone", value=row.phone, use="mobile")]
        if row.phone
        else None,
        gender=row.gender,
        birthDate=row.birth_date,
    )


def new_patient_from_fhir(data: Any) -> NewPatient:
    """Check a POSTed Patient: one identity document of a known system, a name; else 400."""
    if not isinstance(data, dict) or data.get("resourceType") != "Patient":
        raise invalid("the body must be a FHIR Patient resource")
    try:
        resource = FHIRPatient.model_validate(data)
    except ValidationError as error:
        raise invalid(f"invalid Patient: {_first(error)}") from None
    documents = [
        i
        for i in resource.identifier or []
        if i.system in systems.PATIENT_IDENTIFIER_SYSTEMS and i.value
    ]
    if len(documents) != 1:
        raise invalid(
            "a Patient needs exactly one identifier in "
            + ", ".join(systems.PATIENT_IDENTIFIER_SYSTEMS)
        )
    system, value = str(documents[0].system), normalize_document_number(str(documents[0].value))
    problem = document_problem(system, value)
    if problem:
        raise invalid(problem)
    name = _name_text(resource.name or [])
    if not name:
        raise invalid("a Patient needs a name (name.text, or family and given)")
    if resource.gender is not None and resource.gender not in GENDERS:
        raise invalid(f"gender must be one of {', '.join(sorted(GENDERS))}")
    phone = next(
        (str(t.value) for t in resource.telecom or [] if t.system == "phone" and t.value), None
    )
    return NewPatient(system, value, name, resource.gender, resource.birthDate, phone)


def _name_text(names: list[HumanName]) -> str | None:
    for name in names:
        if name.text and name.text.strip():
            return str(name.text).strip()
        joined = (name.family or "") + "".join(g for g in name.given or [] if g)
        if joined.strip():
            return joined.strip()
    return None


def _first(error: ValidationError) -> str:
    # Never echo input values: they may be ID or phone numbers.
    first = error.errors()[0]
    return f"{'.'.join(str(part) for part in first['loc'])}: {first['msg']}"
