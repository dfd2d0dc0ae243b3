"""Hand-written FHIR JSON of the report contract, shared by the HIS report tests.

(A unique module name: tests have no packages, and importing ``conftest`` is ambiguous.)
"""

from __future__ import annotations

import base64
from typing import Any

from common import fhir_contract as systems

PATIENT = "pat-1"
INSTITUTION = "lw-lizhiwan-hospital"
CONFIDENTIALITY = systems.CONFIDENTIALITY


def dictionary_code(code: str, text: str | None, loinc: str | None = None) -> dict[str, Any]:
    codings = [{"system": systems.TEST_CODE, "code": code, "display": text}]
    if loinc:
        codings.append({"system": systems.LOINC, "code": loinc})
    concept: dict[str, Any] = {"coding": codings}
    if text:
        concept["text"] = text
    return concept


def report(
    report_id: str = "rep-cbc",
    *,
    category: str = "LAB",
    code: str = "CBC",
    name: str = "血常规",
    status: str = "final",
    results: tuple[str, ...] = (),
    patient: str = PATIENT,
    **fields: Any,
) -> dict[str, Any]:
    """A DiagnosticReport; ``fields`` override, add or (None) drop top-level elements."""
    resource: dict[str, Any] = {
        "resourceType": "DiagnosticReport",
        "id": report_id,
        "meta": {"versionId": "2", "lastUpdated": "2026-11-20T10:30:00+08:00"},
        "status": status,
        "category": [
            {
                "coding": [
                    {
                        "system": systems.REPORT_CATEGORY,
                        "code": category,
                        "display": "检验" if category == "LAB" else "检查",
                    }
                ]
            }
        ],
        "code": dictionary_code(code, name, "58410-2" if code == "CBC" else None),
        "subject": {"reference": f"Patient/{patient}"},
        "effectiveDateTime": "2026-11-20T08:15:00+08:00",
        "performer": [{"reference": f"Organization/{INSTITUTION}", "display": "荔枝湾中心医院"}],
        "result": [{"reference": f"Observation/{i}"} for i in results],
    }
    if status in systems.REPORT_RELEASED_STATUSES:
        resource["issued"] = "2026-11-20T10:30:00+08:00"
    resource.update(fields)
    return {key: value for key, value in resource.items() if value is not None}


def observation(
    observation_id: str,
    code: str,
    name: str,
    *,
    value: Any = None,
    unit: str | None = None,
    string: str | None = None,
    low: Any = None,
    high: Any = None,
    range_text: str | None = None,
    flag: str | None = None,
    patient: str = PATIENT,
    **fields: Any,
) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Observation",
        "id": observation_id,
        "status": "final",
        "category": [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                        "code": "laboratory",
                    }
                ]
            }
        ],
        "code": dictionary_code(code, name),
        "subject": {"reference": f"Patient/{patient}"},
        "effectiveDateTime": "2026-11-20T08:15:00+08:00",
        "issued": "2026-11-20T10:30:00+08:00",
    }
    if value is not None:
        quantity: dict[str, Any] = {"value": value, "system": "http://unitsofmeasure.org"}
        if unit:
            quantity |= {"unit": unit, "code": unit}
        resource["valueQuantity"] = quantity
    if string is not None:
        resource["valueString"] = string
    if low is not None or high is not None or range_text is not None:
        reference: dict[str, Any] = {}
        if low is not None:
            reference["low"] = {"value": low, **({"unit": unit} if unit else {})}
        if high is not None:
            reference["high"] = {"value": high, **({"unit": unit} if unit else {})}
        if range_text is not None:
            reference["text"] = range_text
        resource["referenceRange"] = [reference]
    if flag is not None:
        resource["interpretation"] = [
            {"coding": [{"system": systems.OBSERVATION_INTERPRETATION, "code": flag}]}
        ]
    resource.update(fields)
    return {key: value for key, value in resource.items() if value is not None}


def findings_form(text: str, content_type: str = "text/plain; charset=utf-8") -> dict[str, Any]:
    return {
        "contentType": content_type,
        "title": "检查所见",
        "data": base64.b64encode(text.encode()).decode(),
    }


def bundle(
    *matches: dict[str, Any],
    included: tuple[dict[str, Any], ...] = (),
    next_url: str | None = None,
) -> dict[str, Any]:
    entries = [{"resource": r, "search": {"mode": "match"}} for r in matches]
    entries += [{"resource": r, "search": {"mode": "include"}} for r in included]
    body: dict[str, Any] = {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": len(matches),
        "entry": entries,
    }
    if next_url:
        body["link"] = [{"relation": "next", "url": next_url}]
    return body
