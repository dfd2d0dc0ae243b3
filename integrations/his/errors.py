"""Errors raised by the HIS client, so callers never see HTTP or FHIR details."""

from __future__ import annotations

from datetime import date


class HISError(Exception):
    """The HIS answered, but not with what the contract promises."""


class HISUnavailable(HISError):
    """The HIS could not be reached or kept failing (timeouts, 5xx) after retries."""


class HISNotFound(HISError):
    """The requested resource does not exist in the HIS."""


class SlotTaken(HISError):
    """409: someone else booked the slot first; offer the resident another one."""


class BookingRefused(HISError):
    """422: a booking rule refused the booking.

    ``reason`` is a code of `urn:frontdoor:business-rule` (e.g. ``patient-blocked``,
    ``outside-booking-window``, ``duplicate-department-day``, ``slot-in-past``,
    ``slot-not-bookable``, ``unknown-slot``, ``unknown-patient``; see
    ``common/fhir_contract.py``), or ``unknown`` when the HIS gave none. ``detail`` is
    the hospital's Chinese explanation. ``blocked_until`` is the first day booking is possible
    again (``patient-blocked``: booking reopens; ``outside-booking-window``: the slot opens).
    """

    def __init__(self, reason: str, detail: str, blocked_until: date | None = None) -> None:
        super().__init__(f"booking refused ({reason}): {detail}")
        self.reason = reason
        self.detail = detail
        self.blocked_until = blocked_until


class CancellationRefused(HISError):
    """422: the appointment cannot be cancelled (``too-late-to-cancel`` after the day before,
    ``invalid-status-transition`` e.g. after a no-show)."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"cancellation refused ({reason}): {detail}")
        self.reason = reason
        self.detail = detail
