"""Which of a patient's reports a message asks for: a test, an exam kind, a day, a hospital."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from actions.reports.period import DayWindow
from integrations.his.models import CHINA_TZ
from integrations.his.report_models import ReportCategory, ReportSummary

# Canonical `report_type` values (the NLU maps 血常规 → CBC, B超 → US, 化验单 → LAB …).
CATEGORY_KINDS = {"LAB": ReportCategory.LAB, "RAD": ReportCategory.IMAGING}
MODALITY_KINDS = ("XR", "US", "CT", "MR")  # prefixes of imaging codes: XR-CHEST, US-ABDOMEN
ALL_KINDS = "CHECKUP"  # 体检报告: everything


@dataclass(frozen=True)
class ReportFilter:
    kinds: tuple[str, ...] = ()  # canonical report_type values, any of them
    days: DayWindow | None = None
    institution: str | None = None  # a name as the NLU normalised it

    @property
    def specific(self) -> bool:
        """The resident named one test or exam (not a category, not 体检)."""
        return any(kind not in CATEGORY_KINDS and kind != ALL_KINDS for kind in self.kinds)


def kind_matches(kind: str, report: ReportSummary) -> bool:
    kind = kind.upper()
    code = report.code.upper()
    if kind == ALL_KINDS:
        return True
    if kind in CATEGORY_KINDS:
        return report.category is CATEGORY_KINDS[kind]
    if kind in MODALITY_KINDS:
        return code == kind or code.startswith(kind + "-")
    return code == kind


def select_reports(reports: Sequence[ReportSummary], wanted: ReportFilter) -> list[ReportSummary]:
    """The matching reports, newest first (by when the specimen was taken or exam done)."""
    chosen = [
        report
        for report in reports
        if (not wanted.kinds or any(kind_matches(kind, report) for kind in wanted.kinds))
        and (wanted.days is None or _in_window(report, wanted.days))
        and (wanted.institution is None or _at(report, wanted.institution))
    ]
    return sorted(chosen, key=_newest_first)


def _in_window(report: ReportSummary, days: DayWindow) -> bool:
    """Done or released in the window: 「今天出来的」 and 「昨天抽的血」 both count."""
    moments = (report.effective, report.issued)
    return any(m is not None and days.contains(m.astimezone(CHINA_TZ).date()) for m in moments)


def _at(report: ReportSummary, institution: str) -> bool:
    name = report.institution_name or ""
    return institution in name or (bool(name) and name in institution)


def _newest_first(report: ReportSummary) -> float:
    moment = report.effective or report.issued or report.last_updated
    return -moment.timestamp() if moment else 0.0
