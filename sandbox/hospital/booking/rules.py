"""Pure booking rules of Guangzhou hospitals (BRIEF §4), on dates and instants only.

Days are local (+08:00) calendar days; callers convert instants with ``local_day``.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from sandbox.hospital.settings import HOSPITAL_TZ

NO_SHOW_LIMIT = 3  # no-shows ...
NO_SHOW_LOOKBACK_DAYS = 90  # ... within this many consecutive days ...
NO_SHOW_BLOCK_MONTHS = 3  # ... block booking for this many months from the last of them


def local_day(instant: datetime) -> date:
    return instant.astimezone(HOSPITAL_TZ).date()


def add_months(day: date, months: int) -> date:
    """``day`` plus calendar months, clamped to the month's end (Nov 30 + 3 months = Feb 28)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def booking_opens_on(slot_day: date, window_days: int) -> date:
    """The first day a slot on ``slot_day`` may be booked: slots open ``window_days`` ahead."""
    return slot_day - timedelta(days=window_days)


def is_in_past(slot_start: datetime, now: datetime) -> bool:
    """A slot that has started can no longer be booked."""
    return slot_start <= now


def booking_reopens_on(
    no_show_days: Iterable[date],
    today: date,
    *,
    limit: int = NO_SHOW_LIMIT,
    lookback_days: int = NO_SHOW_LOOKBACK_DAYS,
    block_months: int = NO_SHOW_BLOCK_MONTHS,
) -> date | None:
    """The day a blocked patient may book again, or None when they are not blocked today.

    ``limit`` no-shows within ``lookback_days`` consecutive days (the first and the last at
    most ``lookback_days - 1`` days apart) block booking from the last of them for
    ``block_months`` months. Older blocks that have run out do not count.
    """
    days = sorted(no_show_days)
    reopens: date | None = None
    for last in range(limit - 1, len(days)):
        first = days[last - limit + 1]
        if (days[last] - first).days < lookback_days:
            candidate = add_months(days[last], block_months)
            reopens = candidate if reopens is None else max(reopens, candidate)
    return reopens if reopens is not None and reopens > today else None


def cancellation_deadline(appointment_start: datetime) -> datetime:
    """Residents may cancel until the end of the day before the appointment (local time)."""
    return datetime.combine(local_day(appointment_start), time(0), HOSPITAL_TZ)


def can_cancel(appointment_start: datetime, now: datetime) -> bool:
    return now < cancellation_deadline(appointment_start)
