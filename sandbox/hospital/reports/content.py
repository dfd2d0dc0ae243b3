"""What a report says: its result values (lab) or findings and impression (imaging), composed
from the test's template, a scenario's overrides and the patient.

A pending report keeps the content it will release as JSON (``pending_content``): the sandbox
plays the lab too, so the result is decided when the test is registered.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from common.fhir_contract import CRITICAL_INTERPRETATIONS
from sandbox.hospital.reports.dictionary import ReportDefinition
from sandbox.hospital.reports.egfr import ckd_epi_2021
from sandbox.hospital.reports.interpretation import interpret
from sandbox.hospital.reports.subject import Subject
from sandbox.hospital.reports.templates import DERIVED_ANALYTES, TEMPLATES


class NoCriticalValue(ValueError):
    """The test has no critical value to put in (imaging, or no critical limits)."""


@dataclass(frozen=True)
class ReportContent:
    # Result code -> value as printed, in the report's line order.
    values: Mapping[str, str] = field(default_factory=dict)
    findings: str | None = None
    conclusion: str | None = None

    def to_json(self) -> str:
        data = {
            "values": dict(self.values),
            "findings": self.findings,
            "conclusion": self.conclusion,
        }
        return json.dumps(data, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> ReportContent:
        data = json.loads(text)
        return cls(dict(data["values"]), data["findings"], data["conclusion"])


def compose(
    definition: ReportDefinition,
    subject: Subject,
    *,
    overrides: Mapping[str, str] | None = None,
    critical: bool = False,
    findings: str | None = None,
    conclusion: str | None = None,
) -> ReportContent:
    """The template's typical result with ``overrides`` and, if asked, its critical value.

    Raises ValueError for overrides the test does not have (or derived ones) and
    NoCriticalValue when ``critical`` is asked of a test without one.
    """
    template = TEMPLATES[definition.code]
    overrides = dict(overrides or {})
    unknown = set(overrides) - ({a.code for a in definition.analytes} - DERIVED_ANALYTES)
    if unknown:
        raise ValueError(f"{definition.code} has no settable result {sorted(unknown)}")
    if critical:
        if template.critical is None:
            raise NoCriticalValue(f"{definition.code} has no critical value")
        critical_code, critical_value = template.critical
        overrides[critical_code] = critical_value
    values: dict[str, str] = {}
    for analyte in definition.analytes:
        if analyte.code in DERIVED_ANALYTES:
            derived = _derive(analyte.code, values, subject)
            if derived is not None:
                values[analyte.code] = derived
            continue
        typical = template.typical(analyte.code, female=subject.sex == "female")
        values[analyte.code] = overrides.get(analyte.code, typical)
    if definition.category == "RAD":
        return ReportContent(
            findings=findings or template.findings, conclusion=conclusion or template.conclusion
        )
    return ReportContent(
        values, conclusion=conclusion or _critical_comment(definition, values, subject)
    )


def _derive(code: str, values: Mapping[str, str], subject: Subject) -> str | None:
    if code == "EGFR":
        if "CREA" not in values or subject.age is None or subject.sex is None:
            return None
        egfr = ckd_epi_2021(Decimal(values["CREA"]), subject.age, subject.sex)
        return None if egfr is None else str(egfr)
    raise ValueError(f"no derivation for {code}")


def _critical_comment(
    definition: ReportDefinition, values: Mapping[str, str], subject: Subject
) -> str | None:
    """Labs record that a critical value (危急值) was phoned through to the clinician."""
    critical = []
    for analyte in definition.analytes:
        value = values.get(analyte.code)
        if value is None:
            continue
        if interpret(analyte, value, analyte.range_for(subject.sex)) in CRITICAL_INTERPRETATIONS:
            critical.append(f"{analyte.name} {value} {analyte.unit or ''}".strip())
    if not critical:
        return None
    return f"危急值：{'，'.join(critical)}，已电话通知临床医生。"
