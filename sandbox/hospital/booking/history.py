"""Past appointments made up for tests and demos: no-shows that trigger the blocking rule.

Each no-show gets an extra slot at 07:00 (before any clinic session, so it never collides with
a seeded slot) in the first doctor's schedule where the patient has nothing that day.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from sandbox.hospital import catalogue
from sandbox.hospital.fhir.outcome import invalid, not_found
from sandbox.hospital.models import RELEASED_STATUSES, Appointment, Patient, Schedule, Slot
from sandbox.hospital.seed import slot_id
from sandbox.hospital.settings import HOSPITAL_TZ

EXTRA_SLOT_TIME = time(7, 0)


def record_no_shows(
    session: Session, patient_id: str, days: Sequence[date], now: datetime
) -> list[str]:
    """Add one no-show appointment per day (days before today) and commit; returns their ids."""
    if session.get(Patient, patient_id) is None:
        raise not_found("Patient", patient_id)
    today = now.astimezone(HOSPITAL_TZ).date()
    if any(day >= today for day in days):
        raise invalid("no-shows can only be recorded for days before today")
    schedules = session.scalars(
        select(Schedule)
        .where(Schedule.practitioner_role_id.is_not(None), Schedule.active.is_(True))
        .options(joinedload(Schedule.department))
        .order_by(Schedule.id)
    ).all()
    created = []
    for day in days:
        start = datetime.combine(day, EXTRA_SLOT_TIME, HOSPITAL_TZ)
        schedule = next(s for s in schedules if _is_free_for(session, s, patient_id, day, start))
        department = schedule.department
        slot = Slot(
            id=slot_id(schedule.id, start),
            schedule_id=schedule.id,
            start=start,
            end=start + timedelta(minutes=schedule.slot_minutes),
            status="busy",
        )
        session.add(slot)
        appointment = Appointment(
            id=f"appt-{uuid.uuid4().hex[:16]}",
            slot_id=slot.id,
            patient_id=patient_id,
            department_id=department.id,
            practitioner_role_id=schedule.practitioner_role_id,
            location_id=department.location_id,
            status="noshow",
            start=slot.start,
            end=slot.end,
            service_date=day,
            patient_instruction=catalogue.patient_instruction(
                department.institution_id, department.type_code
            ),
            created=start - timedelta(days=1),
            status_changed=slot.end,
        )
        session.add(appointment)
        session.flush()
        created.append(appointment.id)
    session.commit()
    return created


def _is_free_for(
    session: Session, schedule: Schedule, patient_id: str, day: date, start: datetime
) -> bool:
    if session.get(Slot, slot_id(schedule.id, start)) is not None:
        return False
    held = session.scalar(
        select(Appointment.id).where(
            Appointment.patient_id == patient_id,
            Appointment.department_id == schedule.department_id,
            Appointment.service_date == day,
            Appointment.status.not_in(RELEASED_STATUSES),
        )
    )
    return held is None
