"""Pure reading of the past day or span a resident names when asking for a report.

「昨天抽血的结果」「上周做的B超」「3月5号的化验单」「前几天」: reports are about the past, so
a month/day later than today is last year's (the booking parser reads dates forward instead).
Returns an inclusive window of days, or None when the text names no time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from common.chinese_numbers import CHINESE_NUMERAL_CHARS, parse_number


@dataclass(frozen=True)
class DayWindow:
    first: date
    last: date

    def contains(self, day: date) -> bool:
        return self.first <= day <= self.last


_DAYS_AGO = {
    "今天": 0,
    "今日": 0,
    "今早": 0,
    "昨天": 1,
    "昨日": 1,
    "琴日": 1,  # Cantonese
    "寻日": 1,  # Cantonese
    "前天": 2,
    "前日": 2,
    "大前天": 3,
    "大前日": 3,
}
_NUM = rf"(?:[0-9]{{1,2}}|[{CHINESE_NUMERAL_CHARS}]{{1,3}})"
_N_DAYS_AGO = re.compile(rf"({_NUM}|几)\s*(?:天|日)(?:之?前|以前)")
_MONTH_DAY = re.compile(rf"({_NUM})\s*月\s*({_NUM})\s*(?:号|日)?")
_WEEKS = {"上上周": -2, "上上个星期": -2, "上周": -1, "上个星期": -1, "上星期": -1, "上礼拜": -1}
_WEEKS.update({"这周": 0, "本周": 0, "这个星期": 0, "这星期": 0, "呢个星期": 0, "今个星期": 0})
_MONTHS = {"上上个月": -2, "上个月": -1, "上月": -1, "这个月": 0, "本月": 0, "今个月": 0}
# 最近/近期 mean "the newest" (「我最近一次的血常规」), which newest-first already gives: only
# "these few days" is a span.
_RECENT = ("近排", "这几天", "呢几日", "前几天", "前几日")
RECENT_DAYS = 14

_TRADITIONAL = str.maketrans("週個禮號這幾", "周个礼号这几")


def parse_report_period(text: str, today: date) -> DayWindow | None:
    folded = text.translate(_TRADITIONAL)
    for word in sorted(_DAYS_AGO, key=len, reverse=True):
        if word in folded:
            back = today - timedelta(days=_DAYS_AGO[word])
            return DayWindow(back, back)
    if match := _N_DAYS_AGO.search(folded):
        if match.group(1) == "几":
            return DayWindow(today - timedelta(days=7), today)
        days = parse_number(match.group(1))
        if days is not None and 0 <= days <= 366:
            ago = today - timedelta(days=days)
            return DayWindow(ago - timedelta(days=1), min(ago + timedelta(days=1), today))
    for word in sorted(_WEEKS, key=len, reverse=True):
        if word in folded:
            monday = today - timedelta(days=today.weekday()) + timedelta(weeks=_WEEKS[word])
            return DayWindow(monday, min(monday + timedelta(days=6), today))
    for word in sorted(_MONTHS, key=len, reverse=True):
        if word in folded:
            return _month_window(today, _MONTHS[word])
    if match := _MONTH_DAY.search(folded):
        named = _past_month_day(match.group(1), match.group(2), today)
        if named is not None:
            return DayWindow(named, named)
    if any(word in folded for word in _RECENT):
        return DayWindow(today - timedelta(days=RECENT_DAYS), today)
    return None


def _month_window(today: date, offset: int) -> DayWindow:
    month_index = today.year * 12 + today.month - 1 + offset
    first = date(month_index // 12, month_index % 12 + 1, 1)
    next_index = month_index + 1
    last = date(next_index // 12, next_index % 12 + 1, 1) - timedelta(days=1)
    return DayWindow(first, min(last, today))


def _past_month_day(month_text: str, day_text: str, today: date) -> date | None:
    month, day = parse_number(month_text), parse_number(day_text)
    if month is None or day is None:
        return None
    for year in (today.year, today.year - 1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            return None
        if candidate <= today:
            return candidate
    return None
