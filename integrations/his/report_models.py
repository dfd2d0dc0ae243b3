"""Domain views of lab and imaging reports (FHIR DiagnosticReport + Observation).

The FHIR side is frontdoor's report contract (`common/fhir_contract.py`, section "Reports").
Times are aware datetimes in China time; numbers are `Decimal` so 1.020 stays 1.020.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from common.fhir_contract import CRITICAL_INTERPRETATIONS

# frontdoor's records keep a report revision in 32 characters.
REVISION_LENGTH = 32


class ReportStatus(StrEnum):
    """What a resident may be told about a report; the FHIR status is kept beside it."""

    PENDING = "pending"  # registered, partial, preliminary (and any status we do not know)
    RELEASED = "released"  # final, amended, corrected, appended: results may be read
    CANCELLED = "cancelled"  # cancelled, or withdrawn as entered-in-error


class ReportCategory(StrEnum):
    """DiagnosticReport.category: LAB (检验) or RAD (检查/影像)."""

    LAB = "lab"
    IMAGING = "imaging"


class Interpretation(StrEnum):
    """Observation.interpretation (v3-ObservationInterpretation), as frontdoor groups it."""

    NORMAL = "normal"  # N
    HIGH = "high"  # H
    LOW = "low"  # L
    ABNORMAL = "abnormal"  # A, and any code we do not know other than N
    CRITICAL_HIGH = "critical_high"  # HH
    CRITICAL_LOW = "critical_low"  # LL
    CRITICAL = "critical"  # AA

    @property
    def fhir_code(self) -> str:
        return INTERPRETATION_CODES[self]

    @property
    def is_abnormal(self) -> bool:
        return self is not Interpretation.NORMAL

    @property
    def is_critical(self) -> bool:
        """A critical value (危急值): it goes to a clinician, never only to a bot explanation."""
        return self.fhir_code in CRITICAL_INTERPRETATIONS


INTERPRETATION_CODES: dict[Interpretation, str] = {
    Interpretation.NORMAL: "N",
    Interpretation.HIGH: "H",
    Interpretation.LOW: "L",
    Interpretation.ABNORMAL: "A",
    Interpretation.CRITICAL_HIGH: "HH",
    Interpretation.CRITICAL_LOW: "LL",
    Interpretation.CRITICAL: "AA",
}


class ReportResult(BaseModel):
    """One result line of a lab report (FHIR Observation)."""

    model_config = ConfigDict(frozen=True)

    id: str
    code: str  # in the district's test dictionary (TEST_CODE), e.g. "HGB"
    name: str  # the hospital's Chinese name, e.g. 血红蛋白
    fhir_status: str  # final | amended | preliminary
    value_text: str | None = None  # as the hospital gives it: "1.020", "<0.1", "阴性", "2+"
    value: Decimal | None = None  # numeric results only
    unit: str | None = None
    reference_range: str | None = None  # "3.5-9.5", "<5.2", "阴性"
    low: Decimal | None = None
    high: Decimal | None = None
    interpretation: Interpretation | None = None  # None: the hospital gave no flag


class ReportSummary(BaseModel):
    """A report as listed: what was tested, its state and where; no results."""

    model_config = ConfigDict(frozen=True)

    id: str
    patient_id: str
    code: str  # in TEST_CODE, e.g. "CBC", "XR-CHEST"
    name: str  # e.g. 血常规
    category: ReportCategory
    status: ReportStatus
    fhir_status: str
    effective: datetime | None = None  # specimen taken / exam done
    issued: datetime | None = None  # released; only for released statuses
    expected_at: datetime | None = None  # pending reports: when results are expected
    institution_id: str | None = None
    institution_name: str | None = None
    # v3-ActCode codes (HIV, PSY, GDIS, STD, SDV, ETH) and confidentiality R/V.
    security_labels: tuple[str, ...] = ()
    version_id: str | None = None
    last_updated: datetime | None = None
    amendment_note: str | None = None  # amended/corrected: what changed and why
    # Known only once the results were read (`Report`); None in lists and for imaging.
    has_critical: bool | None = None

    @property
    def revision(self) -> str:
        """One key per revision a resident would call news (at most 32 characters): a final
        report is one revision whatever metadata-only updates do to its FHIR version; each
        amendment or correction is another. Notices and critical-value alerts are keyed by it."""
        if self.fhir_status == "final":
            return "final"
        version = self.version_id or (self.last_updated.isoformat() if self.last_updated else "")
        key = f"{self.fhir_status}:{version}"
        if len(key) <= REVISION_LENGTH:
            return key
        digest = hashlib.sha256(version.encode()).hexdigest()[:20]
        return f"{self.fhir_status[:10]}:{digest}"

    @property
    def is_sensitive(self) -> bool:
        """HIV, mental health, genetics, ... or restricted: never shown without extra care."""
        return bool(self.security_labels)


class Report(ReportSummary):
    """A report with its content: result lines (lab), impression and findings (imaging)."""

    results: tuple[ReportResult, ...] = ()  # in the order the report lists them
    conclusion: str | None = None  # imaging: the impression (诊断意见); lab: a comment
    findings: str | None = None  # imaging: 检查所见, decoded from presentedForm
