"""DiagnosticReport rows → FHIR DiagnosticReport (https://hl7.org/fhir/R4/diagnosticreport.html),
as frontdoor's report contract shapes it; helpers shared with the Observation mapper."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from datetime import datetime

from fhir.resources.R4B.attachment import Attachment
from fhir.resources.R4B.codeableconcept import CodeableConcept
from fhir.resources.R4B.coding import Coding
from fhir.resources.R4B.diagnosticreport import DiagnosticReport as FHIRDiagnosticReport
from fhir.resources.R4B.extension import Extension
from fhir.resources.R4B.meta import Meta
from fhir.resources.R4B.reference import Reference

from common import fhir_contract as systems
from sandbox.hospital.fhir.common import local_time, reference
from sandbox.hospital.models import DiagnosticReport
from sandbox.hospital.reports.dictionary import (
    CATEGORY_DISPLAY,
    REPORT_DEFINITIONS,
    SecurityLabel,
)

# http://hl7.org/fhir/R4/valueset-diagnostic-report-status.html
REPORT_STATUSES = frozenset(
    {
        "registered",
        "partial",
        "preliminary",
        "final",
        "amended",
        "corrected",
        "appended",
        "cancelled",
        "entered-in-error",
        "unknown",
    }
)
FINDINGS_TITLE = "检查所见"
_TEXT_PLAIN = "text/plain; charset=utf-8"


def test_code(code: str, name: str, loinc: str | None) -> CodeableConcept:
    """The dictionary coding, LOINC beside it where known, and the hospital's Chinese name."""
    codings = [Coding(system=systems.TEST_CODE, code=code, display=name)]
    if loinc:
        codings.append(Coding(system=systems.LOINC, code=loinc))
    return CodeableConcept(coding=codings, text=name)


def meta(version_id: int, last_updated: datetime, labels: Sequence[SecurityLabel]) -> Meta:
    security = [
        Coding(system=label.system, code=label.code, display=label.display) for label in labels
    ]
    return Meta(
        versionId=str(version_id),
        lastUpdated=local_time(last_updated),
        security=security or None,
    )


def security_labels(test_code: str) -> tuple[SecurityLabel, ...]:
    definition = REPORT_DEFINITIONS.get(test_code)
    return definition.security if definition else ()


def diagnostic_report_resource(row: DiagnosticReport) -> FHIRDiagnosticReport:
    definition = REPORT_DEFINITIONS.get(row.test_code)
    name = definition.name if definition else row.test_code
    released = row.status in systems.REPORT_RELEASED_STATUSES
    category = None
    if definition is not None:
        category = [
            CodeableConcept(
                coding=[
                    Coding(
                        system=systems.REPORT_CATEGORY,
                        code=definition.category,
                        display=CATEGORY_DISPLAY[definition.category],
                    )
                ]
            )
        ]
    return FHIRDiagnosticReport(
        id=row.id,
        meta=meta(row.version_id, row.last_updated, security_labels(row.test_code)),
        extension=_extensions(row) or None,
        status=row.status,
        category=category,
        code=test_code(row.test_code, name, definition.loinc if definition else None),
        subject=reference("Patient", row.patient_id),
        effectiveDateTime=local_time(row.effective),
        issued=local_time(row.issued) if released and row.issued else None,
        performer=[reference("Organization", row.institution_id, row.institution.name)],
        result=[Reference(reference=f"Observation/{o.id}") for o in row.results] or None,
        conclusion=row.conclusion if released else None,
        presentedForm=_findings(row.findings) if released and row.findings else None,
    )


def _extensions(row: DiagnosticReport) -> list[Extension]:
    extensions = []
    if row.status in systems.REPORT_PENDING_STATUSES and row.expected is not None:
        extensions.append(
            Extension(url=systems.REPORT_EXPECTED_EXTENSION, valueDateTime=local_time(row.expected))
        )
    if row.status in ("amended", "corrected") and row.amendment_note:
        extensions.append(
            Extension(url=systems.REPORT_AMENDMENT_EXTENSION, valueString=row.amendment_note)
        )
    return extensions


def _findings(text: str) -> list[Attachment]:
    # Base64Binary takes the already encoded bytes.
    data = base64.b64encode(text.encode("utf-8"))
    return [Attachment(contentType=_TEXT_PLAIN, title=FINDINGS_TITLE, data=data)]
