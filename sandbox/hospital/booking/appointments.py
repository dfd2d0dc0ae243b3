"""Booking, cancelling and closing appointments, with "no double booking" left to the database.

Taking a slot is one conditional UPDATE (``status='busy' WHERE status='free'``): of concurrent
bookings exactly one sees a row change, on SQLite and PostgreSQL alike. Partial unique indexes
(see ``models.Appointment``) back it up: one appointment holding a slot per slot, one per
patient, department and day. A repeated request with the same idempotency key is answered with
the appointment the first one made, even when the two run concurrently.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from common import fhir_contract as systems
from sandbox.hospital import catalogue
from sandbox.hospital.booking import rules
from sandbox.hospital.fhir.appointment import BookingRequest
from sandbox.hospital.fhir.conditional import IdentifierCriteria
from sandbox.hospital.fhir.outcome import FHIRError, business_rule, not_found
from sandbox.hospital.fhir.patch import StatusChange
from sandbox.hospital.models import (
    RELEASED_STATUSES,
    Appointment,
    Department,
    Patient,
    PractitionerRole,
    Schedule,
    Slot,
)

logger = logging.getLogger(__name__)

# Slot statuses a booking may find; "busy" means taken (409), anything else is not bookable.
_BOOKABLE_SLOT_STATUSES = ("free", "busy")
_CLOSING_STATUSES = ("noshow", "fulfilled")  # set by the hospital once the time has come


@dataclass(frozen=True)
class BookingPolicy:
    window_days: int


def slot_taken() -> FHIRError:
    return FHIRError(409, "conflict", "该号源已被预约")


def load_appointment(session: Session, appointment_id: str) -> Appointment | None:
    return session.scalars(
        select(Appointment)
        .where(Appointment.id == appointment_id)
        .options(*appointment_load_options())
    ).one_or_none()


def appointment_load_options() -> list[Any]:
    """Everything ``fhir.appointment.appointment_resource`` reads, in one query."""
    return [
        joinedload(Appointment.patient),
        joinedload(Appointment.department),
        joinedload(Appointment.location),
        joinedload(Appointment.practitioner_role).joinedload(PractitionerRole.practitioner),
    ]


def find_by_identifier(session: Session, criteria: IdentifierCriteria) -> Appointment | None:
    appointment_id = session.scalar(
        select(Appointment.id).where(
            Appointment.request_system == criteria.system,
            Appointment.request_key == criteria.value,
        )
    )
    return load_appointment(session, appointment_id) if appointment_id else None


def book(
    session: Session,
    request: BookingRequest,
    *,
    conditional: bool,
    now: datetime,
    policy: BookingPolicy,
) -> tuple[Appointment, bool]:
    """Book ``request`` and commit; returns the appointment and whether it was created.

    With ``conditional`` (If-None-Exist on the request's identifier) an existing appointment
    with that identifier is returned instead, also when it was committed by a concurrent
    request while this one ran: that request's refusal (slot taken, same department that day)
    would be this one's own success.
    """
    key = request.identifier
    if conditional and key is not None:
        existing = find_by_identifier(session, key)
        if existing is not None:
            return existing, False
    try:
        appointment_id = _book_new(session, request, now, policy)
        session.commit()
    except (FHIRError, IntegrityError) as error:
        session.rollback()
        if key is not None:
            existing = find_by_identifier(session, key)
            if existing is not None:
                if conditional:
                    return existing, False
                raise FHIRError(409, "duplicate", "该预约请求编号已使用") from None
        if isinstance(error, IntegrityError):
            raise _integrity_refusal(session, request) from error
        raise
    appointment = load_appointment(session, appointment_id)
    assert appointment is not None
    logger.info("booked %s: slot %s", appointment.id, appointment.slot_id)
    return appointment, True


def _book_new(
    session: Session, request: BookingRequest, now: datetime, policy: BookingPolicy
) -> str:
    slot = session.scalars(
        select(Slot)
        .where(Slot.id == request.slot_id)
        .options(
            joinedload(Slot.schedule).joinedload(Schedule.department),
            joinedload(Slot.schedule).joinedload(Schedule.practitioner_role),
        )
    ).one_or_none()
    if slot is None:
        raise business_rule(systems.RULE_UNKNOWN_SLOT, f"号源 {request.slot_id} 不存在")
    patient = session.get(Patient, request.patient_id)
    if patient is None or not patient.active:
        raise business_rule(systems.RULE_UNKNOWN_PATIENT, "就诊人未建档，请先建档")
    schedule = slot.schedule
    department = schedule.department
    bookable = (
        schedule.active
        and department.active
        and department.appointment_required
        and slot.status in _BOOKABLE_SLOT_STATUSES
    )
    if not bookable:
        raise business_rule(systems.RULE_SLOT_NOT_BOOKABLE, "该号源不开放预约")
    check_slot_time(slot.start, now, policy)
    check_patient_may_book(session, patient.id, now)
    service_date = rules.local_day(slot.start)
    check_department_day(session, patient.id, department, service_date)

    taken = cast(
        CursorResult[Any],
        session.execute(
            update(Slot)
            .where(Slot.id == slot.id, Slot.status == "free")
            .values(status="busy")
            .execution_options(synchronize_session=False)
        ),
    )
    if taken.rowcount != 1:
        raise slot_taken()
    appointment = Appointment(
        id=f"appt-{uuid.uuid4().hex[:16]}",
        slot_id=slot.id,
        patient_id=patient.id,
        department_id=department.id,
        practitioner_role_id=schedule.practitioner_role_id,
        location_id=department.location_id,
        status="booked",
        start=slot.start,
        end=slot.end,
        service_date=service_date,
        request_system=request.identifier.system if request.identifier else None,
        request_key=request.identifier.value if request.identifier else None,
        patient_instruction=catalogue.patient_instruction(
            department.institution_id, department.type_code
        ),
        created=now,
    )
    session.add(appointment)
    session.flush()
    return appointment.id


def check_slot_time(start: datetime, now: datetime, policy: BookingPolicy) -> None:
    if rules.is_in_past(start, now):
        raise business_rule(systems.RULE_SLOT_IN_PAST, "该号源时间已过，请选择其他时间")
    opens_on = rules.booking_opens_on(rules.local_day(start), policy.window_days)
    if rules.local_day(now) < opens_on:
        raise business_rule(
            systems.RULE_OUTSIDE_BOOKING_WINDOW,
            f"该号源尚未开放预约，{_chinese_date(opens_on)}起可预约",
            bookable_from=opens_on,
        )


def no_show_days(session: Session, patient_id: str) -> list[date]:
    return list(
        session.scalars(
            select(Appointment.service_date).where(
                Appointment.patient_id == patient_id, Appointment.status == "noshow"
            )
        )
    )


def check_patient_may_book(session: Session, patient_id: str, now: datetime) -> None:
    reopens_on = rules.booking_reopens_on(no_show_days(session, patient_id), rules.local_day(now))
    if reopens_on is not None:
        raise business_rule(
            systems.RULE_PATIENT_BLOCKED,
            f"您{rules.NO_SHOW_LOOKBACK_DAYS}天内爽约已达{rules.NO_SHOW_LIMIT}次，暂停预约挂号，"
            f"{_chinese_date(reopens_on)}起可重新预约",
            bookable_from=reopens_on,
        )


def check_department_day(
    session: Session, patient_id: str, department: Department, service_date: date
) -> None:
    held = session.scalar(
        select(Appointment.id).where(
            Appointment.patient_id == patient_id,
            Appointment.department_id == department.id,
            Appointment.service_date == service_date,
            Appointment.status.not_in(RELEASED_STATUSES),
        )
    )
    if held is not None:
        raise business_rule(
            systems.RULE_DUPLICATE_DEPARTMENT_DAY,
            f"您已预约{_chinese_date(service_date)}的{department.name}，同一科室每天只能预约一个号",
        )


def _integrity_refusal(session: Session, request: BookingRequest) -> FHIRError:
    """Name the rule a concurrent booking broke (the unique indexes caught it, not our checks)."""
    slot = session.get(Slot, request.slot_id)
    if slot is not None:
        holder = session.scalar(
            select(Appointment.id).where(
                Appointment.slot_id == slot.id, Appointment.status.not_in(RELEASED_STATUSES)
            )
        )
        if holder is not None:
            return slot_taken()
        schedule = session.get(Schedule, slot.schedule_id)
        if schedule is not None:
            try:
                check_department_day(
                    session, request.patient_id, schedule.department, rules.local_day(slot.start)
                )
            except FHIRError as refusal:
                return refusal
    return FHIRError(409, "conflict", "预约未成功，请重试")


def change_status(
    session: Session, appointment_id: str, change: StatusChange, now: datetime
) -> Appointment:
    """Apply a status PATCH and commit. Repeating a change returns the appointment unchanged."""
    appointment = load_appointment(session, appointment_id)
    if appointment is None:
        raise not_found("Appointment", appointment_id)
    if appointment.status == change.status:
        return appointment
    if change.status == "cancelled":
        allowed_from: tuple[str, ...] = ("booked",)
        check: Callable[[Appointment, datetime], None] = _check_cancellable
    elif change.status in _CLOSING_STATUSES:
        allowed_from, check = ("booked", "arrived", "checked-in"), _check_started
    else:
        raise _transition_refused(appointment.status, change.status)
    if appointment.status not in allowed_from:
        raise _transition_refused(appointment.status, change.status)
    check(appointment, now)

    values: dict[str, Any] = {"status": change.status, "status_changed": now}
    if change.cancellation_reason is not None:
        values["cancellation_reason"] = json.dumps(
            change.cancellation_reason.model_dump(mode="json", exclude_none=True),
            ensure_ascii=False,
        )
    changed = cast(
        CursorResult[Any],
        session.execute(
            update(Appointment)
            .where(Appointment.id == appointment.id, Appointment.status.in_(allowed_from))
            .values(**values)
            .execution_options(synchronize_session=False)
        ),
    )
    if changed.rowcount != 1:
        # A concurrent PATCH got there first: answer from what it left.
        session.rollback()
        return _after_concurrent_change(session, appointment_id, change)
    if change.status == "cancelled":
        session.execute(
            update(Slot)
            .where(Slot.id == appointment.slot_id)
            .values(status="free")
            .execution_options(synchronize_session=False)
        )
    session.commit()
    session.expire_all()
    reloaded = load_appointment(session, appointment_id)
    assert reloaded is not None
    logger.info("appointment %s: %s -> %s", appointment_id, appointment.status, change.status)
    return reloaded


def _after_concurrent_change(
    session: Session, appointment_id: str, change: StatusChange
) -> Appointment:
    session.expire_all()
    current = load_appointment(session, appointment_id)
    assert current is not None
    if current.status != change.status:
        raise _transition_refused(current.status, change.status)
    return current


def _check_cancellable(appointment: Appointment, now: datetime) -> None:
    if not rules.can_cancel(appointment.start, now):
        raise business_rule(
            systems.RULE_TOO_LATE_TO_CANCEL,
            "预约只能在就诊日前一天24:00前取消，现在已不能取消；如不能按时就诊，请联系医院",
        )


def _check_started(appointment: Appointment, now: datetime) -> None:
    if now < appointment.start:
        raise business_rule(
            systems.RULE_APPOINTMENT_NOT_STARTED, "就诊时间未到，不能标记为爽约或已就诊"
        )


def _transition_refused(current: str, wanted: str) -> FHIRError:
    return business_rule(
        systems.RULE_INVALID_STATUS_TRANSITION,
        f"预约状态不能从 {current} 改为 {wanted}",
    )


def _chinese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"
