"""Appointment rows ↔ FHIR Appointment (https://hl7.org/fhir/R4/appointment.html)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from fhir.resources.R4B.appointment import Appointment as FHIRAppointment
from fhir.resources.R4B.appointment import AppointmentParticipant
from fhir.resources.R4B.codeableconcept import CodeableConcept
from fhir.resources.R4B.identifier import Identifier
from pydantic import ValidationError

from sandbox.hospital.fhir.common import department_type, local_time, reference
from sandbox.hospital.fhir.conditional import IdentifierCriteria
from sandbox.hospital.fhir.outcome import invalid
from sandbox.hospital.fhir.practitioner import title_display
from sandbox.hospital.models import Appointment

# http://hl7.org/fhir/R4/valueset-appointmentstatus.html
APPOINTMENT_STATUSES = frozenset(
    {
        "proposed",
        "pending",
        "booked",
        "arrived",
        "fulfilled",
        "cancelled",
        "noshow",
        "entered-in-error",
        "checked-in",
        "waitlist",
    }
)


@dataclass(frozen=True)
class BookingRequest:
    """What a POSTed Appointment asks for; the rest is filled in from the slot."""

    slot_id: str
    patient_id: str
    identifier: IdentifierCriteria | None


def appointment_resource(row: Appointment) -> FHIRAppointment:
    department = row.department
    participants = [
        AppointmentParticipant(
            actor=reference("Patient", row.patient_id, row.patient.name),
            required="required",
            status="accepted",
        )
    ]
    role = row.practitioner_role
    if role is not None:
        doctor = role.practitioner.full_name
        participants += [
            AppointmentParticipant(
                actor=reference(
                    "PractitionerRole", role.id, f"{doctor}（{title_display(role.title_code)}）"
                ),
                required="required",
                status="accepted",
            ),
            AppointmentParticipant(
                actor=reference("Practitioner", role.practitioner_id, doctor),
                required="required",
                status="accepted",
            ),
        ]
    participants += [
        AppointmentParticipant(
            actor=reference("HealthcareService", department.id, department.name),
            required="required",
            status="accepted",
        ),
        AppointmentParticipant(
            actor=reference("Location", row.location_id, row.location.name),
            required="required",
            status="accepted",
        ),
    ]
    identifier = None
    if row.request_system and row.request_key:
        identifier = [Identifier(system=row.request_system, value=row.request_key)]
    cancellation = None
    if row.cancellation_reason:
        cancellation = CodeableConcept.model_validate(json.loads(row.cancellation_reason))
    start, end = local_time(row.start), local_time(row.end)
    return FHIRAppointment(
        id=row.id,
        identifier=identifier,
        status=row.status,
        cancelationReason=cancellation,
        serviceType=[department_type(department.type_code)],
        start=start,
        end=end,
        minutesDuration=int((end - start).total_seconds() // 60),
        slot=[reference("Slot", row.slot_id)],
        created=local_time(row.created),
        patientInstruction=row.patient_instruction,
        participant=participants,
    )


def booking_request_from_fhir(data: Any) -> BookingRequest:
    """Check a POSTed Appointment: status booked, one Slot, one Patient participant; else 400."""
    if not isinstance(data, dict) or data.get("resourceType") != "Appointment":
        raise invalid("the body must be a FHIR Appointment resource")
    try:
        resource = FHIRAppointment.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise invalid(f"invalid Appointment: {where}: {first['msg']}") from None
    if resource.status != "booked":
        raise invalid("only appointments with status 'booked' can be created")
    slots = [ref.reference for ref in resource.slot or [] if ref.reference]
    if len(slots) != 1 or not str(slots[0]).startswith("Slot/"):
        raise invalid("an Appointment must reference exactly one slot as Slot/<id>")
    patients = [
        str(p.actor.reference)
        for p in resource.participant or []
        if p.actor is not None and p.actor.reference and p.actor.reference.startswith("Patient/")
    ]
    if len(patients) != 1:
        raise invalid("an Appointment must have exactly one Patient participant")
    identifiers = [i for i in resource.identifier or [] if i.system and i.value]
    if len(identifiers) > 1:
        raise invalid("an Appointment may carry at most one identifier (the booking request)")
    criteria = (
        IdentifierCriteria(str(identifiers[0].system), str(identifiers[0].value))
        if identifiers
        else None
    )
    return BookingRequest(
        slot_id=str(slots[0]).removeprefix("Slot/"),
        patient_id=patients[0].removeprefix("Patient/"),
        identifier=criteria,
    )
