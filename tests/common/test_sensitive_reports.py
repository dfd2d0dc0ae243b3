"""The shared sensitive-report policy: by hospital label, test code or result code; a broken
file is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from common.sensitive_reports import DEFAULT_FILE, load_policy
from integrations.his.report_models import (
    Report,
    ReportCategory,
    ReportResult,
    ReportStatus,
    ReportSummary,
)

POLICY = load_policy(DEFAULT_FILE)


def report(code: str, labels: tuple[str, ...] = ()) -> ReportSummary:
    return ReportSummary(
        id="r",
        patient_id="p",
        code=code,
        name=code,
        category=ReportCategory.LAB,
        status=ReportStatus.RELEASED,
        fhir_status="final",
        security_labels=labels,
    )


def test_sensitive_by_label_test_code_or_result_code() -> None:
    assert POLICY.is_sensitive(report("HIV"))
    assert POLICY.is_sensitive(report("hcg"))
    assert POLICY.is_sensitive(report("XYZ", ("PSY",)))
    # A label no list names (substance use disorder) is sensitive all the same.
    assert POLICY.is_sensitive(report("XYZ", ("SUD",)))
    plain = report("CBC")
    assert not POLICY.is_sensitive(plain)
    hcg_line = ReportResult(id="o", code="B-HCG", name="β-HCG", fhir_status="final")
    assert POLICY.is_sensitive(Report(**plain.model_dump(), results=(hcg_line,)))
    assert "荔湾区中心医院" in POLICY.advice("荔湾区中心医院")
    assert "开单医院" in POLICY.advice(None)


def test_a_broken_policy_file_is_refused(tmp_path: Path) -> None:
    broken = tmp_path / "sensitive_reports.yml"
    broken.write_text("test_codes: HIV\n", encoding="utf-8")
    with pytest.raises(ValueError, match="list"):
        load_policy(broken)
