"""Schedules → FHIR Schedule, slots → FHIR Slot."""

from __future__ import annotations

from fhir.resources.R4B.period import Period
from fhir.resources.R4B.schedule import Schedule as FHIRSchedule
from fhir.resources.R4B.slot import Slot as FHIRSlot

from sandbox.hospital.fhir.common import department_type, local_time, reference
from sandbox.hospital.fhir.practitioner import title_display
from sandbox.hospital.models import Schedule, Slot

_DAY_NAMES = {
    "mon": "周一",
    "tue": "周二",
    "wed": "周三",
    "thu": "周四",
    "fri": "周五",
    "sat": "周六",
    "sun": "周日",
}


def schedule_resource(row: Schedule) -> FHIRSchedule:
    department = row.department
    actors = []
    role = row.practitioner_role
    if role is not None:
        display = f"{role.practitioner.full_name}（{title_display(role.title_code)}）"
        actors.append(reference("PractitionerRole", role.id, display))
    actors.append(reference("HealthcareService", department.id, department.name))
    horizon = None
    if row.horizon_start and row.horizon_end:
        horizon = Period(start=local_time(row.horizon_start), end=local_time(row.horizon_end))
    return FHIRSchedule(
        id=row.id,
        active=row.active,
        serviceType=[department_type(department.type_code)],
        actor=actors,
        planningHorizon=horizon,
        comment=sessions_text(row.sessions),
    )


def sessions_text(sessions: str) -> str:
    """Human-readable weekly rota, e.g. ``周一 08:00-12:00；周三 14:00-17:00``."""
    parts = []
    for item in filter(None, sessions.split(",")):
        day, hours = item.split()
        parts.append(f"{_DAY_NAMES.get(day, day)} {hours}")
    return "；".join(parts)


def slot_resource(row: Slot) -> FHIRSlot:
    return FHIRSlot(
        id=row.id,
        serviceType=[department_type(row.schedule.department.type_code)],
        schedule=reference("Schedule", row.schedule_id),
        status=row.status,
        start=local_time(row.start),
        end=local_time(row.end),
    )
