"""The hospital's calendar: today in Asia/Shanghai and the booking window."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

CHINA_TZ = ZoneInfo("Asia/Shanghai")
_WEEKDAYS = "一二三四五六日"

# Tests replace it to reason about fixed days.
now: Callable[[], datetime] = lambda: datetime.now(CHINA_TZ)  # noqa: E731


def china_today() -> date:
    return now().astimezone(CHINA_TZ).date()


def last_bookable_day(today: date, window_days: int) -> date:
    return today + timedelta(days=window_days)


def day_text(day: date) -> str:
    """「11月24日（周二）」"""
    return f"{day.month}月{day.day}日（周{_WEEKDAYS[day.weekday()]}）"


def when_text(start: datetime) -> str:
    """「11月24日（周二）09:30」"""
    local = start.astimezone(CHINA_TZ)
    return f"{day_text(local.date())}{local:%H:%M}"
