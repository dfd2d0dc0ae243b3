"""Typed errors of `PatientBook`. Each has a machine-readable `reason`; the dialogue words them.

The class says what kind of problem it is (bad input, a refused binding, a rejected code, …);
`reason` says exactly which, and some classes carry what the resident needs next
(`attempts_left`, `retry_after`).
"""

from __future__ import annotations

from enum import StrEnum

from patients.identity import IdentityErrorReason, NameErrorReason, PhoneErrorReason


class ErrorReason(StrEnum):
    INVALID_NAME = "invalid_name"
    INVALID_RELATION = "invalid_relation"
    INVALID_DOCUMENT = "invalid_document"
    INVALID_PHONE = "invalid_phone"
    CONSENT_REQUIRED = "consent_required"
    TOO_MANY_PATIENTS = "too_many_patients"
    DUPLICATE_DOCUMENT = "duplicate_document"
    SELF_ALREADY_BOUND = "self_already_bound"
    NO_PENDING_BINDING = "no_pending_binding"
    BINDING_EXPIRED = "binding_expired"  # the draft is gone: start again
    CODE_EXPIRED = "code_expired"  # ask for a new code (resend)
    MALFORMED_CODE = "malformed_code"  # not 6 digits; no attempt is used up
    WRONG_CODE = "wrong_code"
    TOO_MANY_ATTEMPTS = "too_many_attempts"  # the pending binding is void: start again
    RESEND_TOO_SOON = "resend_too_soon"
    TOO_MANY_CODES = "too_many_codes"  # the account's daily SMS budget is spent
    SMS_REJECTED = "sms_rejected"  # the SMS gateway refused the number
    SMS_RATE_LIMITED = "sms_rate_limited"
    SMS_UNAVAILABLE = "sms_unavailable"
    PATIENT_NOT_FOUND = "patient_not_found"


class PatientsError(Exception):
    def __init__(self, reason: ErrorReason) -> None:
        super().__init__(reason.value)
        self.reason = reason


class InvalidDraft(PatientsError):
    """A field of the binding form is invalid; `detail` is the parser's own reason."""

    def __init__(
        self,
        reason: ErrorReason,
        detail: IdentityErrorReason | PhoneErrorReason | NameErrorReason | None = None,
    ) -> None:
        super().__init__(reason)
        self.detail = detail


class BindingRefused(PatientsError):
    """The account may not bind this patient (limits, duplicates, missing consent)."""


class NoPendingBinding(PatientsError):
    """There is no binding waiting for a code (never started, confirmed, void or expired)."""


class CodeRejected(PatientsError):
    """The code did not confirm the binding; `attempts_left` before the binding is void."""

    def __init__(self, reason: ErrorReason, attempts_left: int) -> None:
        super().__init__(reason)
        self.attempts_left = attempts_left


class SendRefused(PatientsError):
    """No new code now; `retry_after` seconds until one may be sent (None: not today)."""

    def __init__(self, reason: ErrorReason, retry_after: int | None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class SMSNotSent(PatientsError):
    """The SMS gateway did not take the message; the binding stays pending unless rejected."""

    def __init__(self, reason: ErrorReason, retry_after: int | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class PatientNotFound(PatientsError):
    """No such patient for this account (another account's patient looks the same)."""

    def __init__(self) -> None:
        super().__init__(ErrorReason.PATIENT_NOT_FOUND)
