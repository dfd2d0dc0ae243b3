"""OperationOutcome errors (https://hl7.org/fhir/R4/operationoutcome.html)."""

from __future__ import annotations

from datetime import date

from fhir.resources.R4B.codeableconcept import CodeableConcept
from fhir.resources.R4B.coding import Coding
from fhir.resources.R4B.extension import Extension
from fhir.resources.R4B.operationoutcome import OperationOutcome, OperationOutcomeIssue

from common import fhir_contract as systems


class FHIRError(Exception):
    """An error served as an OperationOutcome with an HTTP status."""

    def __init__(
        self,
        status_code: int,
        code: str,
        diagnostics: str,
        *,
        reason: str | None = None,
        bookable_from: date | None = None,
    ) -> None:
        super().__init__(diagnostics)
        self.status_code = status_code
        self.code = code  # FHIR issue-type, e.g. "not-found", "invalid"
        self.diagnostics = diagnostics
        self.reason = reason  # machine-readable code in systems.BUSINESS_RULE
        self.bookable_from = bookable_from


def not_found(resource_type: str, resource_id: str) -> FHIRError:
    return FHIRError(404, "not-found", f"{resource_type}/{resource_id} is not known")


def invalid(diagnostics: str) -> FHIRError:
    return FHIRError(400, "invalid", diagnostics)


def business_rule(reason: str, diagnostics: str, bookable_from: date | None = None) -> FHIRError:
    """422: the request is well-formed but the hospital's rules refuse it."""
    return FHIRError(422, "business-rule", diagnostics, reason=reason, bookable_from=bookable_from)


def operation_outcome(
    code: str,
    diagnostics: str,
    severity: str = "error",
    *,
    reason: str | None = None,
    bookable_from: date | None = None,
) -> OperationOutcome:
    details = None
    if reason is not None:
        details = CodeableConcept(coding=[Coding(system=systems.BUSINESS_RULE, code=reason)])
    extension = None
    if bookable_from is not None:
        extension = [Extension(url=systems.BOOKABLE_FROM_EXTENSION, valueDate=bookable_from)]
    return OperationOutcome(
        issue=[
            OperationOutcomeIssue(
                severity=severity,
                code=code,
                diagnostics=diagnostics,
                details=details,
                extension=extension,
            )
        ]
    )
