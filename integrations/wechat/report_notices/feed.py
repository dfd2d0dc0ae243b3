"""What the watcher reads from the hospital: changed reports, and one report's results when
its critical values must be known. `integrations.his.client.HISClient` fits `ReportFeed`."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from integrations.his.report_models import Report, ReportCategory, ReportSummary
from patients.report_records import CriticalItem

# report_notifications.report_version and critical_value_alerts.report_version hold 32.
_VERSION_LENGTH = 32


class ReportFeed(Protocol):
    async def reports_changed_since(self, cursor: datetime) -> Sequence[ReportSummary]:
        """Released reports changed after `cursor`, oldest change first; raises `HISError`."""
        ...

    async def get_report(self, report_id: str) -> Report: ...


def notice_version(summary: ReportSummary) -> str:
    """What one notice is owed for. A final report is announced once, whatever later
    metadata-only updates do to its FHIR version; each amendment or correction is news."""
    if summary.fhir_status == "final":
        return "final"
    version = summary.version_id or (
        summary.last_updated.isoformat() if summary.last_updated else ""
    )
    key = f"{summary.fhir_status}:{version}"
    if len(key) <= _VERSION_LENGTH:
        return key
    return f"{summary.fhir_status[:10]}:{hashlib.sha256(version.encode()).hexdigest()[:20]}"


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
