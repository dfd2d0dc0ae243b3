"""Parse FHIR date/dateTime search values (with prefixes) into half-open instant ranges.

Values without an offset are local hospital time (+08:00). A ``+`` in an offset often arrives
decoded as a space when clients forget to URL-encode it; that is accepted too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

from sandbox.hospital.search.params import InvalidSearch
from sandbox.hospital.settings import HOSPITAL_TZ

PREFIXES = ("eq", "ne", "gt", "lt", "ge", "le", "sa", "eb")

_DATE_RE = re.compile(
    r"^(?P<year>\d{4})(?:-(?P<month>\d{2})(?:-(?P<day>\d{2})"
    r"(?:T(?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:\.(?P<fraction>\d{1,6}))?)?"
    r"(?P<tz>Z|[+-]\d{2}:\d{2})?)?)?)?$"
)


@dataclass(frozen=True)
class DateRange:
    """``[lower, upper)``: the instants a value of the given precision stands for."""

    lower: datetime
    upper: datetime


@dataclass(frozen=True)
class DateFilter:
    prefix: str
    range: DateRange


def parse_date_filter(raw: str) -> DateFilter:
    """Split ``ge2026-11-24`` into prefix and range; no prefix means ``eq``."""
    prefix = raw[:2] if raw[:2] in PREFIXES else "eq"
    value = raw[2:] if raw[:2] in PREFIXES else raw
    return DateFilter(prefix, parse_date_range(value))


def parse_date_range(value: str) -> DateRange:
    text = value.strip()
    # "2026-11-24T08:00:00 08:00" is an unencoded "+08:00".
    text = re.sub(r" (\d{2}:\d{2})$", r"+\1", text)
    match = _DATE_RE.match(text)
    if match is None:
        raise InvalidSearch(f"not a FHIR date or dateTime: {value!r}")
    parts = match.groupdict()
    tz = _parse_tz(parts["tz"])
    try:
        year = int(parts["year"])
        if parts["month"] is None:
            lower = datetime(year, 1, 1, tzinfo=tz)
            return DateRange(lower, lower.replace(year=year + 1))
        month = int(parts["month"])
        if parts["day"] is None:
            lower = datetime(year, month, 1, tzinfo=tz)
            upper = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=tz)
            return DateRange(lower, upper)
        day = int(parts["day"])
        if parts["hour"] is None:
            lower = datetime(year, month, day, tzinfo=tz)
            return DateRange(lower, lower + timedelta(days=1))
        hour, minute = int(parts["hour"]), int(parts["minute"])
        if parts["second"] is None:
            lower = datetime(year, month, day, hour, minute, tzinfo=tz)
            return DateRange(lower, lower + timedelta(minutes=1))
        fraction = parts["fraction"]
        micro = int(fraction.ljust(6, "0")) if fraction else 0
        lower = datetime(year, month, day, hour, minute, int(parts["second"]), micro, tzinfo=tz)
        step = (
            timedelta(microseconds=10 ** (6 - len(fraction))) if fraction else timedelta(seconds=1)
        )
        return DateRange(lower, lower + step)
    except ValueError as error:
        raise InvalidSearch(f"invalid date {value!r}: {error}") from None


def _parse_tz(text: str | None) -> timezone:
    if text is None:
        return HOSPITAL_TZ
    if text == "Z":
        return UTC
    sign = 1 if text[0] == "+" else -1
    hours, minutes = int(text[1:3]), int(text[4:6])
    if hours > 14 or minutes > 59:
        raise InvalidSearch(f"invalid UTC offset {text!r}")
    return timezone(sign * timedelta(hours=hours, minutes=minutes))
