"""`select_reports`: which reports a request names, newest first."""

from __future__ import annotations

from datetime import date

from report_samples import at, summary

from actions.reports.period import DayWindow
from actions.reports.selection import ReportFilter, select_reports
from integrations.his.report_models import ReportCategory, ReportStatus

CBC_OLD = summary("r1", "CBC", "血常规", effective=at(10, 2))
CBC_NEW = summary("r2", "CBC", "血常规", effective=at(11, 20))
LIVER = summary("r3", "LFT", "肝功能", effective=at(11, 20, 10))
ULTRASOUND = summary(
    "r4",
    "US-ABDOMEN",
    "腹部彩超",
    effective=at(11, 23),
    category=ReportCategory.IMAGING,
    status=ReportStatus.PENDING,
)
XRAY = summary("r5", "XR-CHEST", "胸部X线", effective=at(11, 3), category=ReportCategory.IMAGING)
ALL = [CBC_OLD, CBC_NEW, LIVER, ULTRASOUND, XRAY]


def ids(wanted: ReportFilter) -> list[str]:
    return [report.id for report in select_reports(ALL, wanted)]


def test_everything_newest_first() -> None:
    assert ids(ReportFilter()) == ["r4", "r3", "r2", "r5", "r1"]
    assert ids(ReportFilter(("CHECKUP",))) == ["r4", "r3", "r2", "r5", "r1"]


def test_by_test_modality_and_category() -> None:
    assert ids(ReportFilter(("CBC",))) == ["r2", "r1"]
    assert ids(ReportFilter(("US",))) == ["r4"]
    assert ids(ReportFilter(("XR", "LFT"))) == ["r3", "r5"]
    assert ids(ReportFilter(("RAD",))) == ["r4", "r5"]
    assert ids(ReportFilter(("LAB",))) == ["r3", "r2", "r1"]
    assert ids(ReportFilter(("CT",))) == []


def test_by_days_and_institution() -> None:
    last_week = DayWindow(date(2026, 11, 16), date(2026, 11, 22))
    assert ids(ReportFilter(days=last_week)) == ["r3", "r2"]
    assert ids(ReportFilter(("CBC",), last_week)) == ["r2"]
    assert ids(ReportFilter(institution="荔湾区中心医院")) == ["r4", "r3", "r2", "r5", "r1"]
    assert ids(ReportFilter(institution="越秀云山医院")) == []


def test_specific_means_one_test_or_exam() -> None:
    assert ReportFilter(("CBC",)).specific
    assert ReportFilter(("US",)).specific
    assert not ReportFilter(("LAB",)).specific
    assert not ReportFilter(("CHECKUP",)).specific
    assert not ReportFilter().specific
