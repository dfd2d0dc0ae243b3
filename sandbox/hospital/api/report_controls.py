"""``/sandbox/reports``: test controls that play the lab and the radiologist.

Reports arrive, get released and get amended over hours and days in a real hospital; tests and
demos make those events happen on demand (at the sandbox clock's now) to exercise what
frontdoor does when a result comes in, is critical, or is corrected.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from sandbox.hospital.api.deps import DbSession, Now
from sandbox.hospital.api.searching import FHIR_ID
from sandbox.hospital.fhir.outcome import FHIRError, invalid, not_found
from sandbox.hospital.fhir.report import diagnostic_report_resource
from sandbox.hospital.fhir.response import FHIRResponse
from sandbox.hospital.models import DiagnosticReport, Institution, Patient
from sandbox.hospital.reports.content import NoCriticalValue, compose
from sandbox.hospital.reports.dictionary import REPORT_DEFINITIONS
from sandbox.hospital.reports.lifecycle import (
    NewReport,
    NotPending,
    NotReleased,
    amend,
    new_report_id,
    record_final,
    record_pending,
    release,
)
from sandbox.hospital.reports.subject import subject_of
from sandbox.hospital.reports.templates import TEMPLATES

router = APIRouter(tags=["sandbox control"])

_ID_PATTERN = r"^[A-Za-z0-9\-.]{1,64}$"
DEFAULT_INSTITUTION = "lw-lizhiwan-hospital"


class ReportOrder(BaseModel):
    """A report to make: released now (``final``) or waiting for its results (``registered``),
    ``days_ago`` days back; ``critical`` puts the test's critical value in."""

    patient_id: str = Field(pattern=_ID_PATTERN)
    test: str = Field(max_length=32)
    status: Literal["final", "registered"] = "final"
    critical: bool = False
    days_ago: int = Field(default=0, ge=0, le=3650)
    institution_id: str = Field(default=DEFAULT_INSTITUTION, pattern=_ID_PATTERN)


class CreatedReport(BaseModel):
    id: str


class AmendmentRequest(BaseModel):
    note: str = Field(min_length=1, max_length=500)


@router.post("/sandbox/reports", status_code=201)
def create_report(order: ReportOrder, session: DbSession, now: Now) -> CreatedReport:
    definition = REPORT_DEFINITIONS.get(order.test)
    if definition is None:
        raise invalid(f"unknown test {order.test!r}; one of {', '.join(REPORT_DEFINITIONS)}")
    patient = session.get(Patient, order.patient_id)
    if patient is None:
        raise not_found("Patient", order.patient_id)
    if session.get(Institution, order.institution_id) is None:
        raise not_found("Organization", order.institution_id)
    turnaround = TEMPLATES[order.test].turnaround
    moment = now - timedelta(days=order.days_ago)
    # A final report was released at ``moment``; a registered one was taken then.
    effective = moment - turnaround if order.status == "final" else moment
    try:
        content = compose(
            definition, subject_of(patient, effective.date()), critical=order.critical
        )
    except NoCriticalValue as error:
        raise invalid(str(error)) from None
    new = NewReport(new_report_id(), patient.id, definition.code, order.institution_id)
    if order.status == "final":
        record_final(session, new, content, effective=effective, issued=moment, recorded=now)
    else:
        record_pending(
            session, new, content, effective=effective, expected=moment + turnaround, recorded=now
        )
    session.commit()
    return CreatedReport(id=new.id)


@router.post("/sandbox/reports/{report_id}/release")
def release_report(report_id: str, session: DbSession, now: Now) -> FHIRResponse:
    """Pending → final with its results; 409 when it is not pending."""
    report = _existing(session, report_id)
    try:
        release(session, report, now)
    except NotPending as error:
        raise FHIRError(409, "conflict", str(error)) from None
    session.commit()
    return FHIRResponse(diagnostic_report_resource(report))


@router.post("/sandbox/reports/{report_id}/amend")
def amend_report(
    report_id: str, amendment: AmendmentRequest, session: DbSession, now: Now
) -> FHIRResponse:
    """Released → amended, one result changed; 409 when it has not been released."""
    report = _existing(session, report_id)
    try:
        amend(session, report, amendment.note, now)
    except NotReleased as error:
        raise FHIRError(409, "conflict", str(error)) from None
    session.commit()
    return FHIRResponse(diagnostic_report_resource(report))


def _existing(session: DbSession, report_id: str) -> DiagnosticReport:
    # Locked so that two controls on one report take turns (PostgreSQL; SQLite serialises).
    report = (
        session.get(DiagnosticReport, report_id, with_for_update=True)
        if FHIR_ID.fullmatch(report_id)
        else None
    )
    if report is None:
        raise not_found("DiagnosticReport", report_id)
    return report
