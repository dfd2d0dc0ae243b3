"""What the watcher reads from the hospital: changed reports, and one report's results when
its critical values must be known. `integrations.his.client.HISClient` fits `ReportFeed`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from integrations.his.report_models import Report, ReportCategory, ReportSummary
from patients.report_records import CriticalItem


class ReportFeed(Protocol):
    async def reports_changed_since(self, cursor: datetime) -> Sequence[ReportSummary]:
        """Released reports changed after `cursor`, oldest change first; raises `HISError`."""
        ...

    async def get_report(self, report_id: str) -> Report: ...


def needs_results(summary: ReportSummary) -> bool:
    """Whether the results must be read to know about critical values (lists do not say)."""
    if summary.has_critical is None:
        # Imaging criticals are not coded as result flags; lab results are.
        return summary.category is ReportCategory.LAB
    return summary.has_critical


def critical_items(report: Report) -> list[CriticalItem]:
    items = []
    for result in report.results:
        flag = result.interpretation
        if flag is None or not flag.is_critical:
            continue
        value = result.value_text or ("" if result.value is None else str(result.value))
        items.append(
            CriticalItem(
                code=result.code,
                name=result.name,
                value=f"{value} {result.unit or ''}".strip(),
                flag=flag.fhir_code,
            )
        )
    return items
