"""What the resident has said about the booking so far, read from the latest message.

Dates and times come from the raw text through the Chinese date parser; departments, doctors,
titles and institutions come from NLU entities (Rasa's slot mappings fill those). A change of
any filter drops a chosen slot, so 「换成后天」 mid-form shows new choices.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from actions.booking.when import When, parse_when

# Slots that narrow down which time slots are offered.
FILTER_SLOTS = (
    "department",
    "institution",
    "doctor",
    "doctor_title",
    "booking_date",
    "booking_period",
    "booking_time",
    "booking_earliest",
)
# Slots of one booking, forgotten when a new booking starts.
BOOKING_SLOTS = (
    *FILTER_SLOTS,
    "booking_patient",
    "booking_slot",
    "booking_confirmed",
    "reschedule_from",
)


class DateProblem(Exception):
    """The day asked for cannot be booked; `kind` is 'past' or 'too_far'."""

    def __init__(self, kind: str, day: date) -> None:
        super().__init__(kind)
        self.kind = kind
        self.day = day


@dataclass(frozen=True)
class WhenSlots:
    """The date/time slots a message sets (only what it mentions)."""

    values: dict[str, Any]
    problem: DateProblem | None = None


def when_slots(text: str, today: date, last_day: date) -> WhenSlots:
    """Slot values for the day and time in `text`; a past day or one beyond the booking
    window is reported, not set."""
    when: When = parse_when(text, today)
    values: dict[str, Any] = {}
    problem: DateProblem | None = None
    if when.date is not None:
        if when.date < today:
            problem = DateProblem("past", when.date)
        elif when.date > last_day:
            problem = DateProblem("too_far", when.date)
        else:
            values["booking_date"] = when.date.isoformat()
            if when.period is None and when.time is None:
                # A new day without a time: a period said for the old day no longer holds.
                values["booking_period"] = None
                values["booking_time"] = None
            values["booking_earliest"] = None
    if when.period is not None:
        values["booking_period"] = when.period
    if when.time is not None:
        values["booking_time"] = when.time.strftime("%H:%M")
    if when.earliest:
        values.update(booking_earliest=True, booking_date=None, booking_time=None)
    return WhenSlots(values, problem)
