"""Mapping of FHIR R4 DiagnosticReport and Observation (validated with `fhir.resources.R4B`)
to report models, following frontdoor's report contract (`common/fhir_contract.py`, "Reports").

Resources that break the contract in a way that matters (no patient, no test code, an unknown
category, a result line that cannot be found) raise `HISError`; missing optional fields do not.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from fhir.resources.R4B.codeableconcept import CodeableConcept
from fhir.resources.R4B.diagnosticreport import DiagnosticReport
from fhir.resources.R4B.observation import Observation

from common import fhir_contract as systems
from integrations.his.errors import HISError
from integrations.his.fhir_mapping import reference_id
from integrations.his.models import CHINA_TZ
from integrations.his.report_models import (
    INTERPRETATION_CODES,
    Interpretation,
    Report,
    ReportCategory,
    ReportResult,
    ReportStatus,
    ReportSummary,
)

# http://terminology.hl7.org/CodeSystem/v3-Confidentiality: R (restricted), V (very restricted)
# mark a sensitive report; N, L and M are ordinary.
CONFIDENTIALITY_SYSTEM = systems.CONFIDENTIALITY
V2_ABNORMAL_FLAGS = "http://terminology.hl7.org/CodeSystem/v2-0078"
_RESTRICTED = ("R", "V")

CATEGORY_CODES: dict[ReportCategory, str] = {
    ReportCategory.LAB: "LAB",
    ReportCategory.IMAGING: "RAD",
}
_CATEGORIES = {code: category for category, code in CATEGORY_CODES.items()}
_INTERPRETATIONS = {code: interpretation for interpretation, code in INTERPRETATION_CODES.items()}
# entered-in-error is outside the contract; "withdrawn" tells a resident more than "pending".
_CANCELLED_STATUSES = ("cancelled", "entered-in-error")


# --- statuses ------------------------------------------------------------------------------------


def report_status(fhir_status: str) -> ReportStatus:
    """Group a DiagnosticReport.status; statuses we do not know are pending."""
    if fhir_status in systems.REPORT_RELEASED_STATUSES:
        return ReportStatus.RELEASED
    if fhir_status in _CANCELLED_STATUSES:
        return ReportStatus.CANCELLED
    return ReportStatus.PENDING


def fhir_statuses(groups: Iterable[ReportStatus]) -> list[str]:
    """The DiagnosticReport.status codes of the groups, for a `status` search."""
    codes: dict[ReportStatus, Sequence[str]] = {
        ReportStatus.PENDING: systems.REPORT_PENDING_STATUSES,
        ReportStatus.RELEASED: systems.REPORT_RELEASED_STATUSES,
        ReportStatus.CANCELLED: _CANCELLED_STATUSES,
    }
    wanted = set(groups)
    return [code for group in ReportStatus if group in wanted for code in codes[group]]


# --- reports -------------------------------------------------------------------------------------


def report_summary_from_fhir(report: DiagnosticReport) -> ReportSummary:
    return ReportSummary(**_summary_fields(report))


def result_ids(report: DiagnosticReport) -> list[str]:
    """Ids of the report's result Observations, in the report's order."""
    ids: list[str] = []
    for ref in report.result or []:
        found = reference_id(ref.reference, "Observation")
        if found is None:
            raise _invalid(report, "a result is not an Observation reference")
        ids.append(found)
    return ids


def report_from_fhir(report: DiagnosticReport, observations: Mapping[str, Observation]) -> Report:
    """The report with its result lines; ``observations`` must hold every one of them."""
    fields = _summary_fields(report)
    wanted = result_ids(report)
    missing = [i for i in wanted if i not in observations]
    if missing:
        # Dropping a line silently could hide a critical value.
        raise _invalid(report, f"result Observation {', '.join(missing)} not found")
    results: list[ReportResult] = []
    for observation_id in wanted:
        observation = observations[observation_id]
        subject = observation.subject.reference if observation.subject else None
        if subject is not None and reference_id(subject, "Patient") != fields["patient_id"]:
            raise _invalid(report, f"result Observation {observation_id} is another patient's")
        results.append(result_from_fhir(observation))
    if fields["category"] is ReportCategory.LAB and results:
        fields["has_critical"] = any(
            r.interpretation is not None and r.interpretation.is_critical for r in results
        )
    return Report(
        **fields,
        results=tuple(results),
        conclusion=report.conclusion or None,
        findings=_findings(report),
    )


def _summary_fields(report: DiagnosticReport) -> dict[str, Any]:
    if not report.id:
        raise HISError("invalid DiagnosticReport: no id")
    patient_id = reference_id(report.subject.reference if report.subject else None, "Patient")
    if patient_id is None:
        raise _invalid(report, "no Patient subject")
    code, name = _test_code(report.code, report)
    status = str(report.status)
    performer = next(
        (p for p in report.performer or [] if reference_id(p.reference, "Organization")), None
    )
    meta = report.meta
    return {
        "id": str(report.id),
        "patient_id": patient_id,
        "code": code,
        "name": name,
        "category": _category(report),
        "status": report_status(status),
        "fhir_status": status,
        "effective": _effective(report),
        "issued": _local(report.issued),
        "expected_at": _local(_extension(report, systems.REPORT_EXPECTED_EXTENSION, "DateTime")),
        "institution_id": reference_id(performer.reference, "Organization") if performer else None,
        "institution_name": performer.display if performer else None,
        "security_labels": _security_labels(report),
        "version_id": str(meta.versionId) if meta and meta.versionId else None,
        "last_updated": _local(meta.lastUpdated) if meta else None,
        "amendment_note": _extension(report, systems.REPORT_AMENDMENT_EXTENSION, "String") or None,
    }


def _category(report: DiagnosticReport) -> ReportCategory:
    for concept in report.category or []:
        for coding in concept.coding or []:
            if coding.system == systems.REPORT_CATEGORY and coding.code in _CATEGORIES:
                return _CATEGORIES[coding.code]
    raise _invalid(report, f"no LAB or RAD category in {systems.REPORT_CATEGORY}")


def _test_code(concept: CodeableConcept | None, resource: Any) -> tuple[str, str]:
    """The TEST_CODE code and the Chinese name (text, else the coding's display)."""
    codings = (concept.coding or []) if concept else []
    for coding in codings:
        if coding.system == systems.TEST_CODE and coding.code:
            code = str(coding.code)
            return code, (concept.text if concept else None) or coding.display or code
    # frontdoor's glossary and sensitive-test list are keyed by these codes.
    raise _invalid(resource, f"no code in {systems.TEST_CODE}")


def _effective(report: DiagnosticReport) -> datetime | None:
    if report.effectivePeriod is not None:
        return _local(report.effectivePeriod.start)
    return _local(report.effectiveDateTime)


def _extension(report: DiagnosticReport, url: str, value_type: str) -> Any:
    """The extension's value of the contract's type (``valueDateTime``, ``valueString``)."""
    for extension in report.extension or []:
        if extension.url == url:
            return getattr(extension, f"value{value_type}", None)
    return None


def _security_labels(report: DiagnosticReport) -> tuple[str, ...]:
    codings = (report.meta.security or []) if report.meta else []
    labels = [
        str(coding.code)
        for coding in codings
        if coding.code
        and (
            coding.system == systems.SECURITY_ACT_CODE
            or (coding.system == CONFIDENTIALITY_SYSTEM and coding.code in _RESTRICTED)
        )
    ]
    return tuple(dict.fromkeys(labels))


def _findings(report: DiagnosticReport) -> str | None:
    """Plain-text presentedForm attachments (imaging findings); others (PDF) are skipped."""
    texts: list[str] = []
    for attachment in report.presentedForm or []:
        media_type, _, params = (attachment.contentType or "text/plain").partition(";")
        if media_type.strip().lower() != "text/plain" or not attachment.data:
            continue
        charset = "utf-8"
        for param in params.split(";"):
            key, _, value = param.partition("=")
            if key.strip().lower() == "charset" and value.strip():
                charset = value.strip().strip('"')
        try:
            # fhir.resources has already decoded the base64.
            texts.append(bytes(attachment.data).decode(charset).strip())
        except (LookupError, UnicodeDecodeError) as exc:
            raise _invalid(report, f"findings are not {charset} text") from exc
    return "\n\n".join(t for t in texts if t) or None


# --- result lines --------------------------------------------------------------------------------


def result_from_fhir(observation: Observation) -> ReportResult:
    if not observation.id:
        raise HISError("invalid Observation: no id")
    code, name = _test_code(observation.code, observation)
    value_text, value, unit = _value(observation)
    reference = observation.referenceRange[0] if observation.referenceRange else None
    low = reference.low.value if reference and reference.low else None
    high = reference.high.value if reference and reference.high else None
    return ReportResult(
        id=str(observation.id),
        code=code,
        name=name,
        fhir_status=str(observation.status),
        value_text=value_text,
        value=value,
        unit=unit,
        reference_range=(reference.text if reference else None) or _range_text(low, high),
        low=low,
        high=high,
        interpretation=interpretation_from_fhir(observation.interpretation or []),
    )


def _value(observation: Observation) -> tuple[str | None, Decimal | None, str | None]:
    """(text as shown, number, unit) of valueQuantity, valueString, valueCodeableConcept ..."""
    quantity = observation.valueQuantity
    if quantity is not None:
        number = quantity.value
        text = None if number is None else f"{quantity.comparator or ''}{_number(number)}"
        # `unit` is for people; `code` is UCUM for machines ("10*9/L", "1" for none).
        return text, number, quantity.unit or None
    if observation.valueString:
        return observation.valueString, None, None
    if observation.valueInteger is not None:
        return str(observation.valueInteger), Decimal(observation.valueInteger), None
    concept = observation.valueCodeableConcept
    if concept is not None:
        display = next((c.display for c in concept.coding or [] if c.display), None)
        return concept.text or display, None, None
    return None, None, None


def interpretation_from_fhir(concepts: Iterable[CodeableConcept]) -> Interpretation | None:
    """The most severe flag; a code we do not know is abnormal unless it is N."""
    found: list[Interpretation] = []
    for concept in concepts:
        for coding in concept.coding or []:
            # HL7 v2 table 0078 carries the same codes; many Chinese LIS export it.
            if coding.code and coding.system in (
                systems.OBSERVATION_INTERPRETATION,
                V2_ABNORMAL_FLAGS,
                None,
            ):
                found.append(_INTERPRETATIONS.get(str(coding.code), Interpretation.ABNORMAL))
    if not found:
        return None
    return max(found, key=_severity)


def _severity(interpretation: Interpretation) -> int:
    if interpretation.is_critical:
        return 2
    return 1 if interpretation.is_abnormal else 0


def _range_text(low: Decimal | None, high: Decimal | None) -> str | None:
    if low is not None and high is not None:
        return f"{_number(low)}-{_number(high)}"
    if low is not None:
        return f"≥{_number(low)}"
    if high is not None:
        return f"≤{_number(high)}"
    return None


def _number(value: Decimal) -> str:
    return format(value, "f")  # keeps 1.020's precision, never "1E+2"


# --- helpers -------------------------------------------------------------------------------------


def _local(value: object) -> datetime | None:
    """China time; a bare date is its midnight; partial dates ("2026-11") are unknown."""
    if isinstance(value, datetime):
        return value.astimezone(CHINA_TZ)
    if isinstance(value, date):
        return datetime.combine(value, time(0), CHINA_TZ)
    return None


def _invalid(resource: Any, problem: str) -> HISError:
    kind = type(resource).__name__
    return HISError(f"invalid {kind} {getattr(resource, 'id', None)}: {problem}")
