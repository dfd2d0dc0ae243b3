"""Typed async client for a hospital information system (HIS) behind an HL7 FHIR R4 API."""

from integrations.his.client import HISClient
from integrations.his.errors import (
    BookingRefused,
    CancellationRefused,
    HISError,
    HISNotFound,
    HISUnavailable,
    SlotTaken,
)
from integrations.his.models import (
    Appointment,
    AppointmentStatus,
    DayPeriod,
    Department,
    Gender,
    IdentityDocument,
    Institution,
    InstitutionKind,
    PatientRegistration,
    PractitionerTitle,
    SlotOption,
    SlotQuery,
)
from integrations.his.report_models import (
    Interpretation,
    Report,
    ReportCategory,
    ReportResult,
    ReportStatus,
    ReportSummary,
)

__all__ = [
    "Appointment",
    "AppointmentStatus",
    "BookingRefused",
    "CancellationRefused",
    "DayPeriod",
    "Department",
    "Gender",
    "HISClient",
    "HISError",
    "HISNotFound",
    "HISUnavailable",
    "IdentityDocument",
    "Institution",
    "InstitutionKind",
    "Interpretation",
    "PatientRegistration",
    "PractitionerTitle",
    "Report",
    "ReportCategory",
    "ReportResult",
    "ReportStatus",
    "ReportSummary",
    "SlotOption",
    "SlotQuery",
    "SlotTaken",
]
