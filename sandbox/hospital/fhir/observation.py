"""Observation rows → FHIR Observation (https://hl7.org/fhir/R4/observation.html): one result
line of a lab report, with its reference range and interpretation flag."""

from __future__ import annotations

from decimal import Decimal

from fhir.resources.R4B.codeableconcept import CodeableConcept
from fhir.resources.R4B.coding import Coding
from fhir.resources.R4B.observation import Observation as FHIRObservation
from fhir.resources.R4B.observation import ObservationReferenceRange
from fhir.resources.R4B.quantity import Quantity

from common import fhir_contract as systems
from sandbox.hospital.fhir.common import local_time, reference
from sandbox.hospital.fhir.report import meta, security_labels, test_code
from sandbox.hospital.models import Observation
from sandbox.hospital.reports.dictionary import REPORT_DEFINITIONS, Analyte
from sandbox.hospital.reports.interpretation import DISPLAY

# Standard FHIR code systems the contract relies on without naming a constant.
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
UCUM = "http://unitsofmeasure.org"

_LABORATORY = CodeableConcept(
    coding=[Coding(system=OBSERVATION_CATEGORY, code="laboratory", display="Laboratory")],
    text="检验",
)


def observation_resource(row: Observation) -> FHIRObservation:
    report = row.report
    analyte = _analyte(report.test_code, row.code)
    value_quantity = low = high = None
    if analyte is not None and analyte.quantitative:
        value_quantity = _quantity(row.value, analyte)
        low = _quantity(row.range_low, analyte) if row.range_low is not None else None
        high = _quantity(row.range_high, analyte) if row.range_high is not None else None
    return FHIRObservation(
        id=row.id,
        meta=meta(row.version_id, row.last_updated, security_labels(report.test_code)),
        status=row.status,
        category=[_LABORATORY],
        code=test_code(
            row.code, analyte.name if analyte else row.code, analyte.loinc if analyte else None
        ),
        subject=reference("Patient", report.patient_id),
        effectiveDateTime=local_time(report.effective),
        issued=local_time(row.issued),
        valueQuantity=value_quantity,
        valueString=row.value if value_quantity is None else None,
        interpretation=[_interpretation(row.interpretation)],
        referenceRange=[ObservationReferenceRange(low=low, high=high, text=row.range_text)],
    )


def _analyte(test: str, code: str) -> Analyte | None:
    definition = REPORT_DEFINITIONS.get(test)
    if definition is None:
        return None
    return next((a for a in definition.analytes if a.code == code), None)


def _quantity(value: str, analyte: Analyte) -> Quantity:
    return Quantity(value=Decimal(value), unit=analyte.unit, system=UCUM, code=analyte.ucum)


def _interpretation(code: str) -> CodeableConcept:
    display, text = DISPLAY.get(code, (code, code))
    return CodeableConcept(
        coding=[Coding(system=systems.OBSERVATION_INTERPRETATION, code=code, display=display)],
        text=text,
    )
