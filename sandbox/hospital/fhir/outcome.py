"""OperationOutcome errors (https://hl7.org/fhir/R4/operationoutcome.html)."""

from __future__ import annotations

from fhir.resources.R4B.operationoutcome import OperationOutcome, OperationOutcomeIssue


class FHIRError(Exception):
    """An error served as an OperationOutcome with an HTTP status."""

    def __init__(self, status_code: int, code: str, diagnostics: str) -> None:
        super().__init__(diagnostics)
        self.status_code = status_code
        self.code = code  # FHIR issue-type, e.g. "not-found", "invalid"
        self.diagnostics = diagnostics


def not_found(resource_type: str, resource_id: str) -> FHIRError:
    return FHIRError(404, "not-found", f"{resource_type}/{resource_id} is not known")


def operation_outcome(code: str, diagnostics: str, severity: str = "error") -> OperationOutcome:
    return OperationOutcome(
        issue=[OperationOutcomeIssue(severity=severity, code=code, diagnostics=diagnostics)]
    )
