"""Department → FHIR HealthcareService."""

from __future__ import annotations

from datetime import time

from fhir.resources.R4B.healthcareservice import HealthcareService, HealthcareServiceAvailableTime

from sandbox.hospital.fhir.common import department_type, phone, reference
from sandbox.hospital.models import Department


def healthcare_service_resource(row: Department) -> HealthcareService:
    return HealthcareService(
        id=row.id,
        active=row.active,
        providedBy=reference("Organization", row.institution_id, row.institution.name),
        type=[department_type(row.type_code)],
        location=[reference("Location", row.location_id, row.location.name)],
        name=row.name,
        comment=row.comment,
        telecom=[phone(row.phone)],
        appointmentRequired=row.appointment_required,
        availableTime=available_times(row),
    )


def available_times(row: Department) -> list[HealthcareServiceAvailableTime]:
    days: list[str | None] = [day for day in row.available_days.split(",") if day]
    if row.all_day:
        return [HealthcareServiceAvailableTime(daysOfWeek=days, allDay=True)]
    times = []
    for hours in filter(None, row.available_hours.split(",")):
        start, end = hours.split("-")
        times.append(
            HealthcareServiceAvailableTime(
                daysOfWeek=days,
                availableStartTime=time.fromisoformat(start),
                availableEndTime=time.fromisoformat(end),
            )
        )
    return times
