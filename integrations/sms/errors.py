"""Errors raised by the SMS client, so callers never see HTTP details.

`SMSRejected` means the gateway refused this message and sending it again will not help (except
after `SMSRateLimited.retry_after`); `SMSUnavailable` means we do not know whether it was sent.
"""

from __future__ import annotations


class SMSError(Exception):
    """Base class; `code` is the gateway's machine-readable error code."""

    def __init__(self, code: str, message: str = "") -> None:
        super().__init__(f"{code}: {message}" if message else code)
        self.code = code


class SMSUnavailable(SMSError):
    """The gateway could not be reached, timed out, failed (5xx) or answered nonsense."""


class SMSRejected(SMSError):
    """The gateway answered with an error for this request (4xx)."""


class SMSInvalidPhone(SMSRejected):
    """The number is not one the gateway can deliver to."""


class SMSRateLimited(SMSRejected):
    """Too many messages to this number; `retry_after` seconds when the gateway said."""

    def __init__(self, code: str, message: str = "", retry_after: float | None = None) -> None:
        super().__init__(code, message)
        self.retry_after = retry_after


class SMSUnauthorized(SMSRejected):
    """The API key was refused: a configuration error."""
