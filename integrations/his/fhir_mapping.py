"""Mapping between FHIR R4 resources (validated with `fhir.resources.R4B`) and domain models.

Which codes mean what is part of frontdoor's contract with hospitals (see BRIEF §5); the code
systems are shared with the sandbox hospital (`common/fhir_contract.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from fhir.resources.R4B.appointment import Appointment as FHIRAppointment
from fhir.resources.R4B.healthcareservice import HealthcareService
from fhir.resources.R4B.location import Location
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.organization import Organization
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.practitionerrole import PractitionerRole
from fhir.resources.R4B.schedule import Schedule
from fhir.resources.R4B.slot import Slot
from pydantic import ValidationError

from common import fhir_contract as systems
from integrations.his.models import (
    CHINA_TZ,
    Appointment,
    AppointmentStatus,
    Department,
    IdentityDocument,
    Institution,
    InstitutionKind,
    PatientRegistration,
    PractitionerTitle,
    SlotOption,
)

INSTITUTION_KIND_SYSTEM = systems.INSTITUTION_KIND
DEPARTMENT_SYSTEM = systems.DEPARTMENT
PRACTITIONER_TITLE_SYSTEM = systems.PRACTITIONER_TITLE
BOOKING_REQUEST_SYSTEM = systems.BOOKING_REQUEST

IDENTITY_SYSTEMS: dict[IdentityDocument, str] = {
    IdentityDocument.RESIDENT_ID: systems.RESIDENT_ID,
    IdentityDocument.HK_MACAU_PERMIT: systems.HK_MACAU_PERMIT,
    IdentityDocument.PASSPORT: systems.PASSPORT,
}
TITLE_NAMES: dict[PractitionerTitle, str] = {
    PractitionerTitle.CHIEF_PHYSICIAN: "主任医师",
    PractitionerTitle.ASSOCIATE_CHIEF_PHYSICIAN: "副主任医师",
    PractitionerTitle.ATTENDING_PHYSICIAN: "主治医师",
    PractitionerTitle.RESIDENT_PHYSICIAN: "医师",
}


def institution_from_fhir(org: Organization) -> Institution:
    kind: InstitutionKind | None = None
    for concept in org.type or []:
        for coding in concept.coding or []:
            if coding.system == INSTITUTION_KIND_SYSTEM and coding.code:
                try:
                    kind = InstitutionKind(coding.code)
                except ValueError:
                    kind = None
    address = org.address[0] if org.address else None
    phone = next(
        (t.value for t in org.telecom or [] if t.system == "phone" and t.value),
        None,
    )
    return Institution(
        id=str(org.id),
        name=org.name or str(org.id),
        kind=kind,
        district=address.district if address else None,
        address=_address_text(address) if address else None,
        phone=phone,
    )


def department_from_fhir(service: HealthcareService) -> Department:
    provider = service.providedBy
    reference = provider.reference if provider and provider.reference else ""
    code = next(
        (
            coding.code
            for concept in service.type or []
            for coding in concept.coding or []
            if coding.system == DEPARTMENT_SYSTEM
        ),
        None,
    )
    return Department(
        id=str(service.id),
        name=service.name or str(service.id),
        institution_id=reference.removeprefix("Organization/"),
        institution_name=provider.display if provider else None,
        code=code,
        description=service.comment,
        bookable=service.appointmentRequired is not False,
    )


# --- booking requests -----------------------------------------------------------------------------


def patient_to_fhir(registration: PatientRegistration) -> dict[str, Any]:
    patient: dict[str, Any] = {
        "resourceType": "Patient",
        "identifier": [
            {
                "use": "official",
                "system": IDENTITY_SYSTEMS[registration.document],
                "value": registration.document_number,
            }
        ],
        "name": [{"use": "official", "text": registration.name}],
    }
    if registration.gender:
        patient["gender"] = registration.gender.value
    if registration.birth_date:
        patient["birthDate"] = registration.birth_date.isoformat()
    if registration.phone:
        patient["telecom"] = [{"system": "phone", "value": registration.phone, "use": "mobile"}]
    return patient


def patient_name(patient: Patient) -> str | None:
    """The official (else the first) name as one string: text, or family name + given names."""
    names = patient.name or []
    chosen = next((n for n in names if n.use == "official"), names[0] if names else None)
    if chosen is None:
        return None
    if chosen.text:
        return str(chosen.text).strip()
    parts = [chosen.family or "", *(chosen.given or [])]
    joined = "".join(str(part) for part in parts).strip()
    return joined or None


def identifier_criteria(system: str, value: str) -> str:
    """The If-None-Exist header value of a conditional create on an identifier."""
    return f"identifier={system}|{value}"


def booking_to_fhir(slot_id: str, patient_id: str, idempotency_key: str) -> dict[str, Any]:
    return {
        "resourceType": "Appointment",
        "identifier": [{"system": BOOKING_REQUEST_SYSTEM, "value": idempotency_key}],
        "status": "booked",
        "slot": [{"reference": f"Slot/{slot_id}"}],
        "participant": [
            {
                "actor": {"reference": f"Patient/{patient_id}"},
                "required": "required",
                "status": "accepted",
            }
        ],
    }


def cancellation_patch(reason_text: str | None) -> list[dict[str, Any]]:
    """JSON Patch cancelling an appointment, by the patient ("pat")."""
    reason: dict[str, Any] = {
        "coding": [{"system": systems.CANCELLATION_REASON, "code": "pat", "display": "Patient"}]
    }
    if reason_text:
        reason["text"] = reason_text
    return [
        {"op": "replace", "path": "/status", "value": "cancelled"},
        {"op": "add", "path": "/cancelationReason", "value": reason},
    ]


# --- refusals -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Refusal:
    """The first issue of an OperationOutcome: FHIR issue code, business rule, explanation."""

    code: str | None
    reason: str
    detail: str
    bookable_from: date | None


def refusal_from_outcome(data: Any) -> Refusal:
    """Read an error body; anything but a valid OperationOutcome yields reason ``unknown``."""
    try:
        outcome = OperationOutcome.model_validate(data)
    except (ValidationError, TypeError, ValueError):
        return Refusal(None, "unknown", "", None)
    if not outcome.issue:
        return Refusal(None, "unknown", "", None)
    issue = outcome.issue[0]
    reason = next(
        (
            str(coding.code)
            for coding in (issue.details.coding or [] if issue.details else [])
            if coding.system == systems.BUSINESS_RULE and coding.code
        ),
        "unknown",
    )
    bookable_from = next(
        (
            ext.valueDate
            for ext in issue.extension or []
            if ext.url == systems.BOOKABLE_FROM_EXTENSION and isinstance(ext.valueDate, date)
        ),
        None,
    )
    return Refusal(issue.code, reason, issue.diagnostics or "", bookable_from)


# --- slots and appointments -----------------------------------------------------------------------


@dataclass(frozen=True)
class References:
    """Reference data a slot or appointment points to, fetched by id (see `HISClient`)."""

    schedules: dict[str, Schedule]
    roles: dict[str, PractitionerRole]
    services: dict[str, HealthcareService]
    locations: dict[str, Location]


def reference_id(reference: str | None, resource_type: str) -> str | None:
    """``"Slot/abc"`` → ``"abc"`` for the given type (also from absolute URLs), else None."""
    if not reference:
        return None
    parts = reference.rstrip("/").split("/")
    if len(parts) >= 2 and parts[-2] == resource_type:
        return parts[-1]
    return None


def schedule_actors(schedule: Schedule) -> tuple[str | None, str | None]:
    """The PractitionerRole id (doctor schedules only) and HealthcareService id of a schedule."""
    refs = [actor.reference for actor in schedule.actor or []]
    role = next((r for ref in refs if (r := reference_id(ref, "PractitionerRole"))), None)
    service = next((s for ref in refs if (s := reference_id(ref, "HealthcareService"))), None)
    return role, service


def service_location_id(service: HealthcareService) -> str | None:
    for ref in service.location or []:
        if found := reference_id(ref.reference, "Location"):
            return found
    return None


def slot_option_from_fhir(slot: Slot, refs: References) -> SlotOption | None:
    """None when the slot's schedule or department cannot be resolved."""
    schedule_id = reference_id(slot.schedule.reference if slot.schedule else None, "Schedule")
    schedule = refs.schedules.get(schedule_id or "")
    if schedule is None:
        return None
    role_id, service_id = schedule_actors(schedule)
    details = _details(
        str(slot.id), slot.start, slot.end, role_id, service_id, service_location_id, refs
    )
    return SlotOption(**details, status=str(slot.status)) if details else None


def appointment_from_fhir(resource: FHIRAppointment, refs: References) -> Appointment:
    actors = [p.actor.reference for p in resource.participant or [] if p.actor]
    role_id = next((r for a in actors if (r := reference_id(a, "PractitionerRole"))), None)
    service_id = next((s for a in actors if (s := reference_id(a, "HealthcareService"))), None)
    location_id = next((loc for a in actors if (loc := reference_id(a, "Location"))), None)
    patient_id = next((p for a in actors if (p := reference_id(a, "Patient"))), None)
    slot_id = next(
        (s for ref in resource.slot or [] if (s := reference_id(ref.reference, "Slot"))), None
    )
    if patient_id is None or slot_id is None:
        raise ValueError(f"Appointment {resource.id} lacks a Patient participant or a Slot")
    details = _details(
        slot_id,
        resource.start,
        resource.end,
        role_id,
        service_id,
        lambda service: location_id or service_location_id(service),
        refs,
    )
    if details is None:
        raise ValueError(f"Appointment {resource.id} lacks a known HealthcareService or times")
    return Appointment(
        **details,
        id=str(resource.id),
        status=AppointmentStatus(str(resource.status)),
        patient_id=patient_id,
        patient_instruction=resource.patientInstruction,
        created=_local(resource.created) if isinstance(resource.created, datetime) else None,
    )


def _details(
    slot_id: str,
    start: datetime | None,
    end: datetime | None,
    role_id: str | None,
    service_id: str | None,
    location_of: Any,
    refs: References,
) -> dict[str, Any] | None:
    service = refs.services.get(service_id or "")
    if service is None or start is None or end is None:
        return None
    provider = service.providedBy
    location_id = location_of(service)
    location = refs.locations.get(location_id or "")
    role = refs.roles.get(role_id or "")
    practitioner = role.practitioner if role else None
    return {
        "slot_id": slot_id,
        "start": _local(start),
        "end": _local(end),
        "institution_id": reference_id(provider.reference if provider else None, "Organization")
        or "",
        "institution_name": (provider.display if provider else None) or "",
        "department_id": str(service.id),
        "department_name": service.name or str(service.id),
        "location_id": location_id,
        "location_name": location.name if location else None,
        "address": _address_text(location.address) if location and location.address else None,
        "practitioner_id": reference_id(practitioner.reference, "Practitioner")
        if practitioner
        else None,
        "practitioner_name": practitioner.display if practitioner else None,
        "practitioner_title": title_name(role) if role else None,
    }


def title_name(role: PractitionerRole) -> str | None:
    for concept in role.code or []:
        for coding in concept.coding or []:
            if coding.system == PRACTITIONER_TITLE_SYSTEM and coding.code:
                try:
                    return TITLE_NAMES[PractitionerTitle(coding.code)]
                except ValueError:
                    return coding.display or concept.text
    return None


def _local(value: datetime) -> datetime:
    return value.astimezone(CHINA_TZ)


def _address_text(address: object) -> str | None:
    text = getattr(address, "text", None)
    if text:
        return str(text)
    parts = [
        getattr(address, "city", None),
        getattr(address, "district", None),
        *(getattr(address, "line", None) or []),
    ]
    joined = "".join(str(p) for p in parts if p)
    return joined or None
