"""Report views for the pure tests of actions/reports (no hospital needed)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from integrations.his.models import CHINA_TZ
from integrations.his.report_models import (
    Interpretation,
    Report,
    ReportCategory,
    ReportResult,
    ReportStatus,
    ReportSummary,
)


def at(month: int, day: int, hour: int = 9) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=CHINA_TZ)


def result(
    code: str,
    name: str,
    value: str,
    unit: str | None,
    reference: str | None,
    flag: Interpretation | None = Interpretation.NORMAL,
) -> ReportResult:
    numeric = Decimal(value) if value.replace(".", "", 1).isdigit() else None
    return ReportResult(
        id=f"obs-{code}",
        code=code,
        name=name,
        fhir_status="final",
        value_text=value,
        value=numeric,
        unit=unit,
        reference_range=reference,
        interpretation=flag,
    )


def summary(
    report_id: str,
    code: str,
    name: str,
    *,
    effective: datetime,
    status: ReportStatus = ReportStatus.RELEASED,
    category: ReportCategory = ReportCategory.LAB,
    **extra: object,
) -> ReportSummary:
    return ReportSummary(
        id=report_id,
        patient_id="his-1",
        code=code,
        name=name,
        category=category,
        status=status,
        fhir_status={
            ReportStatus.RELEASED: "final",
            ReportStatus.PENDING: "registered",
            ReportStatus.CANCELLED: "cancelled",
        }[status],
        effective=effective,
        issued=effective if status is ReportStatus.RELEASED else None,
        institution_id="org-1",
        institution_name="荔湾区中心医院",
        version_id="1",
        **extra,  # type: ignore[arg-type]
    )


CBC = Report(
    **summary("r-cbc", "CBC", "血常规", effective=at(11, 20)).model_dump(),
    results=(
        result("WBC", "白细胞计数", "12.6", "10^9/L", "3.5-9.5", Interpretation.HIGH),
        result("RBC", "红细胞计数", "4.5", "10^12/L", "4.3-5.8"),
        result("HGB", "血红蛋白", "108", "g/L", "130-175", Interpretation.LOW),
        result("PLT", "血小板计数", "210", "10^9/L", "125-350"),
    ),
)
ELECTROLYTES = Report(
    **summary("r-elec", "ELEC", "电解质", effective=at(11, 22)).model_dump(),
    results=(
        result("K", "血钾", "6.6", "mmol/L", "3.5-5.3", Interpretation.CRITICAL_HIGH),
        result("NA", "血钠", "140", "mmol/L", "137-147"),
    ),
)
CHEST_XRAY = Report(
    **summary(
        "r-xr", "XR-CHEST", "胸部X线", effective=at(11, 3), category=ReportCategory.IMAGING
    ).model_dump(),
    conclusion="双肺纹理增粗，请结合临床。",
    findings="胸廓对称。双肺纹理增粗，未见明确实变影。心影大小形态未见异常。",
)
