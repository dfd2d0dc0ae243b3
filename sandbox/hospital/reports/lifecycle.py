"""A report's life in the database: registered (pending) or released final, then released from
pending, then amended. Every change bumps ``version_id`` and ``last_updated``.

Functions add and flush; the caller commits (one transaction per request or seed run).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from common import fhir_contract as systems
from sandbox.hospital.models import DiagnosticReport, Observation
from sandbox.hospital.reports.content import ReportContent
from sandbox.hospital.reports.dictionary import ReferenceRange, report_definition
from sandbox.hospital.reports.interpretation import interpret
from sandbox.hospital.reports.subject import subject_of
from sandbox.hospital.reports.templates import (
    TEMPLATES,
    ImagingAmendment,
    NumericAmendment,
    QualitativeAmendment,
)
from sandbox.hospital.settings import HOSPITAL_TZ


class NotPending(ValueError):
    """Only pending reports can be released."""


class NotReleased(ValueError):
    """Only released reports can be amended."""


@dataclass(frozen=True)
class NewReport:
    """Who, what and where; when and in which state are the recording function's job."""

    id: str
    patient_id: str
    test_code: str
    institution_id: str


def new_report_id() -> str:
    return f"dr-{uuid.uuid4().hex[:16]}"


def record_final(
    session: Session,
    new: NewReport,
    content: ReportContent,
    *,
    effective: datetime,
    issued: datetime,
    recorded: datetime,
) -> DiagnosticReport:
    """A report already released at ``issued``; ``recorded``: when this server learnt of it."""
    report = _report(new, "final", effective, recorded)
    session.add(report)
    session.flush()
    _publish(report, content, issued)
    session.flush()
    return report


def record_pending(
    session: Session,
    new: NewReport,
    content: ReportContent,
    *,
    effective: datetime,
    expected: datetime,
    recorded: datetime,
) -> DiagnosticReport:
    """A registered report whose ``content`` is released later (see :func:`release`)."""
    report = _report(new, "registered", effective, recorded)
    report.expected = expected
    report.pending_content = content.to_json()
    session.add(report)
    session.flush()
    return report


def release(session: Session, report: DiagnosticReport, now: datetime) -> DiagnosticReport:
    """Pending → final with its results, issued now."""
    if report.status not in systems.REPORT_PENDING_STATUSES or report.pending_content is None:
        raise NotPending(f"DiagnosticReport/{report.id} is {report.status}, not pending")
    content = ReportContent.from_json(report.pending_content)
    report.status = "final"
    report.expected = None
    report.pending_content = None
    _publish(report, content, now)
    _bump(report, now)
    session.flush()
    return report


def amend(session: Session, report: DiagnosticReport, note: str, now: datetime) -> DiagnosticReport:
    """Released → amended: the template's amendment changes one result (or adds an imaging
    finding), and the report says why in ``note``."""
    if report.status not in systems.REPORT_RELEASED_STATUSES:
        raise NotReleased(f"DiagnosticReport/{report.id} is {report.status}, not released")
    amendment = TEMPLATES[report.test_code].amendment
    if isinstance(amendment, ImagingAmendment):
        report.findings = _append(report.findings, amendment.findings)
        report.conclusion = _append(report.conclusion, amendment.conclusion)
    else:
        result = next(o for o in report.results if o.code == amendment.analyte)
        result.value = _amended_value(result, amendment)
        analyte = report_definition(report.test_code).analyte(result.code)
        result.interpretation = interpret(analyte, result.value, _printed_range(result))
        result.status = "amended"
        result.issued = now
        _bump(result, now)
    report.status = "amended"
    report.amendment_note = note
    # FHIR: issued is when *this version* was made available.
    report.issued = now
    _bump(report, now)
    session.flush()
    return report


def _report(
    new: NewReport, status: str, effective: datetime, recorded: datetime
) -> DiagnosticReport:
    return DiagnosticReport(
        id=new.id,
        patient_id=new.patient_id,
        institution_id=new.institution_id,
        test_code=new.test_code,
        status=status,
        effective=effective,
        version_id=1,
        last_updated=recorded,
    )


def _publish(report: DiagnosticReport, content: ReportContent, issued: datetime) -> None:
    """Give a report its released content: result lines, or findings and impression."""
    report.issued = issued
    report.findings = content.findings
    report.conclusion = content.conclusion
    if not content.values:
        return
    definition = report_definition(report.test_code)
    sex = subject_of(report.patient, report.effective.astimezone(HOSPITAL_TZ).date()).sex
    for position, (code, value) in enumerate(content.values.items(), start=1):
        analyte = definition.analyte(code)
        printed = analyte.range_for(sex)
        report.results.append(
            Observation(
                id=f"{report.id}-{position}",
                position=position,
                code=code,
                status="final",
                value=value,
                range_low=_text(printed.low),
                range_high=_text(printed.high),
                range_text=printed.text,
                interpretation=interpret(analyte, value, printed),
                issued=issued,
                version_id=1,
                last_updated=issued,
            )
        )


def _amended_value(result: Observation, amendment: NumericAmendment | QualitativeAmendment) -> str:
    if isinstance(amendment, NumericAmendment):
        return str(Decimal(result.value) + amendment.delta)
    normal = result.range_text or ""
    return amendment.abnormal if result.value == normal else normal


def _printed_range(result: Observation) -> ReferenceRange:
    low = Decimal(result.range_low) if result.range_low is not None else None
    high = Decimal(result.range_high) if result.range_high is not None else None
    return ReferenceRange(result.range_text or "", low, high)


def _append(text: str | None, addition: str) -> str:
    if not text:
        return addition
    return text if text.endswith(addition) else text + addition


def _bump(row: DiagnosticReport | Observation, now: datetime) -> None:
    row.version_id += 1
    row.last_updated = now


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)
