"""`parse_report_period`: the past day or span a report request names."""

from __future__ import annotations

from datetime import date

import pytest

from actions.reports.period import DayWindow, parse_report_period

TODAY = date(2026, 11, 23)  # a Monday


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("昨天抽血的结果", date(2026, 11, 22), date(2026, 11, 22)),
        ("琴日验嘅血", date(2026, 11, 22), date(2026, 11, 22)),
        ("前天的B超", date(2026, 11, 21), date(2026, 11, 21)),
        ("大前天做的CT", date(2026, 11, 20), date(2026, 11, 20)),
        ("今天的化验单", TODAY, TODAY),
        ("上周做的B超", date(2026, 11, 16), date(2026, 11, 22)),
        ("上個星期嘅報告", date(2026, 11, 16), date(2026, 11, 22)),
        ("这周的报告", TODAY, TODAY),
        ("上个月的体检报告", date(2026, 10, 1), date(2026, 10, 31)),
        ("这个月的报告", date(2026, 11, 1), TODAY),
        ("3天前验的尿", date(2026, 11, 19), date(2026, 11, 21)),
        ("三天前验的尿", date(2026, 11, 19), date(2026, 11, 21)),
        ("前几天抽的血", date(2026, 11, 9), TODAY),
        ("几天前做的检查", date(2026, 11, 16), TODAY),
        ("11月20号的血常规", date(2026, 11, 20), date(2026, 11, 20)),
        ("十一月二十日的报告", date(2026, 11, 20), date(2026, 11, 20)),
        # A month/day after today is last year's: reports are in the past.
        ("12月5日的报告", date(2025, 12, 5), date(2025, 12, 5)),
        ("近排验过的血", date(2026, 11, 9), TODAY),
    ],
)
def test_past_days_and_spans(text: str, first: date, last: date) -> None:
    assert parse_report_period(text, TODAY) == DayWindow(first, last)


@pytest.mark.parametrize(
    "text",
    [
        "查报告",
        "我的血常规出来了吗",
        "2月30号的报告",
        "看下我阿爸的检验结果",
        "",
        "我最近一次的血常规",
    ],
)
def test_no_time_or_no_such_day(text: str) -> None:
    assert parse_report_period(text, TODAY) is None


def test_january_in_a_new_year_reaches_back_to_december() -> None:
    window = parse_report_period("上个月的报告", date(2027, 1, 10))
    assert window == DayWindow(date(2026, 12, 1), date(2026, 12, 31))
