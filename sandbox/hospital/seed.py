"""Idempotent demo data: inserts the catalogue once, keeps a rolling 14-day slot horizon, and
adds the demo patients with their lab and imaging reports (``reports/demo.py``).

``seed(session, today)`` may run on every start: it inserts only missing rows, never updates
existing ones (so booked or cancelled slots survive restarts), and the caller commits.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from sandbox.hospital import catalogue
from sandbox.hospital.catalogue import CITY, STATE
from sandbox.hospital.models import (
    Department,
    Institution,
    Location,
    Practitioner,
    PractitionerRole,
    Schedule,
    Slot,
)
from sandbox.hospital.reports.seeding import seed_demo_reports
from sandbox.hospital.settings import HOSPITAL_TZ

logger = logging.getLogger(__name__)

HORIZON_DAYS = 14
BUSY_SHARE = 0.3


@dataclass(frozen=True)
class SeedReport:
    """Rows inserted by one seed run."""

    institutions: int
    departments: int
    practitioners: int
    schedules: int
    slots: int
    patients: int = 0
    reports: int = 0


@dataclass(frozen=True)
class WorkSession:
    """One weekly working session, e.g. Monday 08:00-12:00."""

    day: str
    start: time
    end: time


def parse_sessions(text: str) -> list[WorkSession]:
    """Parse ``"mon 08:00-12:00,wed 14:00-17:00"`` as stored in ``schedules.sessions``."""
    sessions = []
    for item in filter(None, (part.strip() for part in text.split(","))):
        day, hours = item.split()
        start, end = hours.split("-")
        sessions.append(WorkSession(day, time.fromisoformat(start), time.fromisoformat(end)))
    return sessions


def slot_starts(sessions: list[WorkSession], day: date, minutes: int) -> Iterator[datetime]:
    """Local (+08:00) start times of the slots of ``day``."""
    weekday = catalogue.WEEKDAYS[day.weekday()]
    step = timedelta(minutes=minutes)
    for session in sessions:
        if session.day != weekday:
            continue
        current = datetime.combine(day, session.start, HOSPITAL_TZ)
        end = datetime.combine(day, session.end, HOSPITAL_TZ)
        while current + step <= end:
            yield current
            current += step


def slot_id(schedule_id: str, start: datetime) -> str:
    """Stable id so the same slot keeps its id across restarts and fresh databases."""
    return f"{schedule_id}-{start.astimezone(HOSPITAL_TZ):%Y%m%d%H%M}"


def initial_status(slot_identifier: str) -> str:
    # Seeded by the slot id (not by run order) so top-ups on later days stay deterministic.
    return "busy" if random.Random(slot_identifier).random() < BUSY_SHARE else "free"


def seed(session: Session, today: date) -> SeedReport:
    """Insert missing catalogue rows and slots for every day in ``[today, today + 14)``, and
    the demo patients with reports placed around ``today`` (the first time only)."""
    counts = _seed_catalogue(session)
    slots = _top_up_slots(session, today)
    demo = seed_demo_reports(session, today)
    report = SeedReport(*counts, slots=slots, patients=demo.patients, reports=demo.reports)
    logger.info("seed for %s inserted %s", today, report)
    return report


def _seed_catalogue(session: Session) -> tuple[int, int, int, int]:
    existing_institutions = set(session.scalars(select(Institution.id)))
    existing_departments = set(session.scalars(select(Department.id)))
    existing_practitioners = set(session.scalars(select(Practitioner.id)))
    existing_roles = set(session.scalars(select(PractitionerRole.id)))
    existing_schedules = set(session.scalars(select(Schedule.id)))
    new_institutions = new_departments = new_practitioners = new_schedules = 0

    for spec in catalogue.INSTITUTIONS:
        if spec.id in existing_institutions:
            continue
        address = {
            "address_line": spec.address_line,
            "district": spec.district,
            "city": CITY,
            "state": STATE,
            "postal_code": spec.postal_code,
            "phone": spec.phone,
        }
        session.add(
            Institution(
                id=spec.id,
                name=spec.name,
                alias=spec.alias,
                kind=spec.kind,
                grade=spec.grade,
                specialty=spec.specialty,
                active=True,
                **address,
            )
        )
        session.add(
            Location(
                id=catalogue.location_id(spec.id),
                institution_id=spec.id,
                name=f"{spec.name}（本部）",
                description=f"{spec.name}本部院区",
                active=True,
                **address,
            )
        )
        new_institutions += 1
    session.flush()

    for spec in catalogue.INSTITUTIONS:
        for number, type_code in enumerate(spec.departments, start=1):
            dept_id = catalogue.department_id(spec.id, type_code)
            if dept_id in existing_departments:
                continue
            session.add(_department(spec, type_code, number))
            new_departments += 1
            if type_code in catalogue.SERVICE_SCHEDULED_TYPES:
                session.add(
                    Schedule(
                        id=catalogue.service_schedule_id(dept_id),
                        department_id=dept_id,
                        practitioner_role_id=None,
                        sessions=",".join(catalogue.vaccination_sessions()),
                        slot_minutes=catalogue.VACCINATION_SLOT_MINUTES,
                        active=True,
                    )
                )
                new_schedules += 1
    session.flush()

    for doctor in catalogue.build_doctors():
        if doctor.practitioner_id not in existing_practitioners:
            session.add(
                Practitioner(
                    id=doctor.practitioner_id,
                    family_name=doctor.family_name,
                    given_name=doctor.given_name,
                    gender=doctor.gender,
                    active=True,
                )
            )
            new_practitioners += 1
        if doctor.role_id not in existing_roles:
            session.add(
                PractitionerRole(
                    id=doctor.role_id,
                    practitioner_id=doctor.practitioner_id,
                    institution_id=doctor.institution_id,
                    department_id=doctor.department_id,
                    title_code=doctor.title_code,
                    active=True,
                )
            )
        if doctor.schedule_id and doctor.schedule_id not in existing_schedules:
            session.add(
                Schedule(
                    id=doctor.schedule_id,
                    department_id=doctor.department_id,
                    practitioner_role_id=doctor.role_id,
                    sessions=",".join(doctor.sessions),
                    slot_minutes=catalogue.DOCTOR_SLOT_MINUTES,
                    active=True,
                )
            )
            new_schedules += 1
    session.flush()
    return new_institutions, new_departments, new_practitioners, new_schedules


def _department(spec: catalogue.InstitutionSpec, type_code: str, number: int) -> Department:
    kind = catalogue.DEPARTMENT_TYPES[type_code]
    days: tuple[str, ...]
    hours: tuple[str, ...]
    if type_code in catalogue.UNBOOKABLE_TYPES:
        days, hours, all_day = catalogue.WEEKDAYS, (), True
    elif type_code in catalogue.SERVICE_SCHEDULED_TYPES:
        days, hours, all_day = catalogue.VACCINATION_DAYS, catalogue.VACCINATION_HOURS, False
    else:
        days = catalogue.WEEKDAYS[:6]
        hours, all_day = tuple(catalogue.DOCTOR_SESSIONS.values()), False
    return Department(
        id=catalogue.department_id(spec.id, type_code),
        institution_id=spec.id,
        location_id=catalogue.location_id(spec.id),
        type_code=type_code,
        name=kind.name,
        comment=kind.comment,
        # Extension numbers after the switchboard number keep phones unique and fictional.
        phone=f"{spec.phone} 转 {800 + number}",
        appointment_required=type_code not in catalogue.UNBOOKABLE_TYPES,
        all_day=all_day,
        available_days=",".join(days),
        available_hours=",".join(hours),
        active=True,
    )


def _top_up_slots(session: Session, today: date) -> int:
    window_start = datetime.combine(today, time(0), HOSPITAL_TZ)
    window_end = window_start + timedelta(days=HORIZON_DAYS)
    existing = set(
        session.scalars(select(Slot.id).where(Slot.start >= window_start, Slot.start < window_end))
    )
    rows: list[dict[str, object]] = []
    schedules = session.scalars(select(Schedule).where(Schedule.active.is_(True))).all()
    for schedule in schedules:
        sessions = parse_sessions(schedule.sessions)
        step = timedelta(minutes=schedule.slot_minutes)
        for offset in range(HORIZON_DAYS):
            for start in slot_starts(
                sessions, today + timedelta(days=offset), schedule.slot_minutes
            ):
                identifier = slot_id(schedule.id, start)
                if identifier in existing:
                    continue
                rows.append(
                    {
                        "id": identifier,
                        "schedule_id": schedule.id,
                        "start": start,
                        "end": start + step,
                        "status": initial_status(identifier),
                    }
                )
        schedule.horizon_start = window_start
        schedule.horizon_end = window_end
    if rows:
        # Core bulk insert: ORM unit-of-work would be ~10x slower for ~20k rows.
        session.execute(insert(Slot), rows)
    session.flush()
    return len(rows)
