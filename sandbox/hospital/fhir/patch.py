"""JSON Patch (RFC 6902) bodies of ``PATCH /Appointment/{id}`` (https://hl7.org/fhir/R4/http.html#patch).

Appointments change only by status (cancelled by the resident; noshow / fulfilled by the
hospital), optionally with a cancelationReason. Malformed patches are 400; well-formed ones that
change anything else are refused as a business rule (422).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fhir.resources.R4B.codeableconcept import CodeableConcept
from pydantic import ValidationError

from common import fhir_contract as systems
from sandbox.hospital.fhir.appointment import APPOINTMENT_STATUSES
from sandbox.hospital.fhir.outcome import business_rule, invalid

JSON_PATCH = "application/json-patch+json"
_OPERATIONS = frozenset({"add", "remove", "replace", "move", "copy", "test"})


@dataclass(frozen=True)
class StatusChange:
    status: str
    cancellation_reason: CodeableConcept | None = None


def status_change_from_patch(document: Any) -> StatusChange:
    if not isinstance(document, list) or not document:
        raise invalid("a JSON Patch document is a non-empty array of operations")
    status: str | None = None
    reason: CodeableConcept | None = None
    for operation in document:
        if not isinstance(operation, dict):
            raise invalid("every JSON Patch operation is an object")
        op, path = operation.get("op"), operation.get("path")
        if op not in _OPERATIONS or not isinstance(path, str):
            raise invalid("every JSON Patch operation needs a known 'op' and a 'path'")
        if op in ("add", "replace", "test") and "value" not in operation:
            raise invalid(f"JSON Patch '{op}' needs a 'value'")
        value = operation.get("value")
        if op == "replace" and path == "/status":
            if value not in APPOINTMENT_STATUSES:
                raise invalid(f"unknown appointment status {value!r}")
            status = str(value)
        elif op in ("add", "replace") and path == "/cancelationReason":
            try:
                reason = CodeableConcept.model_validate(value)
            except ValidationError:
                raise invalid("cancelationReason must be a CodeableConcept") from None
        else:
            raise business_rule(
                systems.RULE_UNSUPPORTED_CHANGE,
                f"只能修改预约状态（{op} {path} 不受支持）",
            )
    if status is None:
        raise business_rule(
            systems.RULE_UNSUPPORTED_CHANGE, "只能修改预约状态：请使用 replace /status"
        )
    if reason is not None and status != "cancelled":
        raise business_rule(systems.RULE_UNSUPPORTED_CHANGE, "只有取消预约时才能填写取消原因")
    return StatusChange(status, reason)
