"""Which domain response answers which problem (pure). The wording is in the domain.

Response names are derived from the machine-readable reasons of `patients`, so a new reason
without a response is caught by the tests rather than by a resident.
"""

from __future__ import annotations

from typing import Any

from actions.patients.parsing import NameProblem
from patients.errors import (
    CodeRejected,
    ErrorReason,
    PatientsError,
    SendRefused,
    SMSNotSent,
)
from patients.identity import IdentityErrorReason, PhoneErrorReason

# Reasons about a single answer: worded by the document, phone and name responses instead.
FIELD_REASONS = frozenset(
    {
        ErrorReason.INVALID_NAME,
        ErrorReason.INVALID_RELATION,
        ErrorReason.INVALID_DOCUMENT,
        ErrorReason.INVALID_PHONE,
    }
)
# When the SMS gateway did not say how long to wait.
DEFAULT_WAIT_SECONDS = 60


def document_problem(reason: IdentityErrorReason) -> str:
    return f"utter_patient_document_{reason.value}"


def phone_problem(reason: PhoneErrorReason) -> str:
    return f"utter_patient_phone_{reason.value}"


def name_problem(problem: NameProblem) -> str:
    return f"utter_patient_name_{problem.value}"


def book_error(error: PatientsError) -> tuple[str, dict[str, Any]]:
    """The response for a `PatientBook` error and the values it needs."""
    params: dict[str, Any] = {}
    if isinstance(error, CodeRejected):
        params["attempts_left"] = error.attempts_left
    if isinstance(error, SendRefused | SMSNotSent):
        params["seconds"] = error.retry_after or DEFAULT_WAIT_SECONDS
    return f"utter_patient_error_{error.reason.value}", params


def every_response() -> list[str]:
    """Every response name this module can return (the domain must define them all)."""
    names = [document_problem(reason) for reason in IdentityErrorReason]
    names += [phone_problem(reason) for reason in PhoneErrorReason]
    names += [name_problem(problem) for problem in NameProblem]
    names += [f"utter_patient_error_{r.value}" for r in ErrorReason if r not in FIELD_REASONS]
    return names
