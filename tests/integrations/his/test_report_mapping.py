"""Pure mapping of DiagnosticReport and Observation JSON (the report contract) to report models."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest
from fhir.resources.R4B.codeableconcept import CodeableConcept
from fhir.resources.R4B.diagnosticreport import DiagnosticReport
from fhir.resources.R4B.observation import Observation
from his_report_support import (
    CONFIDENTIALITY,
    INSTITUTION,
    PATIENT,
    findings_form,
    observation,
    report,
)

from common import fhir_contract as systems
from integrations.his import (
    HISError,
    Interpretation,
    Report,
    ReportCategory,
    ReportStatus,
    ReportSummary,
)
from integrations.his.models import CHINA_TZ
from integrations.his.report_mapping import (
    fhir_statuses,
    interpretation_from_fhir,
    report_from_fhir,
    report_summary_from_fhir,
    result_from_fhir,
)


def summary(**changes: Any) -> ReportSummary:
    return report_summary_from_fhir(DiagnosticReport.model_validate(report(**changes)))


def full(data: dict[str, Any], *observations: dict[str, Any]) -> Report:
    found = {o["id"]: Observation.model_validate(o) for o in observations}
    return report_from_fhir(DiagnosticReport.model_validate(data), found)


def result(**fields: Any) -> Any:
    data = observation(fields.pop("id", "obs-1"), fields.pop("code", "X"), "项目", **fields)
    return result_from_fhir(Observation.model_validate(data))


def china(day: int, hour: int, minute: int, second: int = 0, micro: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, second, micro, tzinfo=CHINA_TZ)


def test_every_summary_field_of_a_released_lab_report() -> None:
    found = summary()
    assert found == ReportSummary(
        id="rep-cbc",
        patient_id=PATIENT,
        code="CBC",
        name="血常规",
        category=ReportCategory.LAB,
        status=ReportStatus.RELEASED,
        fhir_status="final",
        effective=china(20, 8, 15),
        issued=china(20, 10, 30),
        expected_at=None,
        institution_id=INSTITUTION,
        institution_name="荔枝湾中心医院",
        security_labels=(),
        version_id="2",
        last_updated=china(20, 10, 30),
        amendment_note=None,
        has_critical=None,
    )
    assert found.is_sensitive is False
    assert found.issued is not None and found.issued.utcoffset() == CHINA_TZ.utcoffset(None)


def test_times_in_other_offsets_and_bare_dates_become_china_time() -> None:
    found = summary(
        effectiveDateTime="2026-11-20",
        issued="2026-11-20T02:30:00Z",
        meta={"lastUpdated": "2026-11-20T02:30:00.250Z"},
    )
    assert found.effective == china(20, 0, 0)
    assert found.issued == china(20, 10, 30)
    assert found.issued is not None and found.issued.tzinfo is CHINA_TZ
    assert found.last_updated == china(20, 10, 30, 0, 250000)
    assert found.version_id is None


def test_effective_period_start_and_partial_dates() -> None:
    assert summary(
        effectiveDateTime=None,
        effectivePeriod={"start": "2026-11-19T15:00:00+08:00"},
    ).effective == china(19, 15, 0)
    assert summary(effectiveDateTime="2026-11").effective is None  # too vague to show as a time


def test_missing_optional_fields_are_none() -> None:
    data = report(status="registered")
    for element in ("meta", "effectiveDateTime", "performer", "result"):
        del data[element]
    data["code"] = {"coding": [{"system": systems.TEST_CODE, "code": "CBC", "display": "血常规"}]}
    found = report_summary_from_fhir(DiagnosticReport.model_validate(data))
    assert (found.effective, found.issued, found.expected_at) == (None, None, None)
    assert (found.institution_id, found.institution_name, found.version_id) == (None, None, None)
    assert found.name == "血常规"
    assert found.status is ReportStatus.PENDING


def test_pending_report_with_expected_time() -> None:
    data = report(
        status="registered",
        extension=[
            {"url": systems.REPORT_EXPECTED_EXTENSION, "valueDateTime": "2026-11-21T16:00:00+08:00"}
        ],
    )
    found = full(data)
    assert found.status is ReportStatus.PENDING
    assert found.fhir_status == "registered"
    assert found.issued is None
    assert found.expected_at == china(21, 16, 0)
    assert found.results == ()
    assert found.has_critical is None  # nothing is known yet


def test_amended_report_keeps_its_note() -> None:
    found = summary(
        status="amended",
        meta={"versionId": "3", "lastUpdated": "2026-11-21T09:00:00+08:00"},
        extension=[
            {"url": systems.REPORT_AMENDMENT_EXTENSION, "valueString": "更正血红蛋白结果（复测）"},
            {"url": "urn:other", "valueString": "ignored"},
        ],
    )
    assert found.status is ReportStatus.RELEASED
    assert found.fhir_status == "amended"
    assert found.amendment_note == "更正血红蛋白结果（复测）"
    assert found.version_id == "3"


def test_sensitive_labels() -> None:
    found = summary(
        code="HIV",
        name="HIV抗体检测",
        meta={
            "security": [
                {"system": systems.SECURITY_ACT_CODE, "code": "HIV"},
                {"system": systems.SECURITY_ACT_CODE, "code": "STD"},
                {"system": CONFIDENTIALITY, "code": "R"},
                {"system": CONFIDENTIALITY, "code": "N"},  # normal: not a label
                {"system": "urn:other", "code": "PSY"},
                {"system": systems.SECURITY_ACT_CODE, "code": "HIV"},
            ]
        },
    )
    assert found.security_labels == ("HIV", "STD", "R")
    assert found.is_sensitive
    assert summary(meta={"security": [{"system": CONFIDENTIALITY, "code": "N"}]}).is_sensitive is (
        False
    )


@pytest.mark.parametrize(
    ("fhir_status", "status"),
    [
        ("registered", ReportStatus.PENDING),
        ("partial", ReportStatus.PENDING),
        ("preliminary", ReportStatus.PENDING),
        ("unknown", ReportStatus.PENDING),
        ("something-new", ReportStatus.PENDING),
        ("final", ReportStatus.RELEASED),
        ("amended", ReportStatus.RELEASED),
        ("corrected", ReportStatus.RELEASED),
        ("appended", ReportStatus.RELEASED),
        ("cancelled", ReportStatus.CANCELLED),
        ("entered-in-error", ReportStatus.CANCELLED),
    ],
)
def test_status_groups(fhir_status: str, status: ReportStatus) -> None:
    found = summary(status=fhir_status)
    assert (found.status, found.fhir_status) == (status, fhir_status)


def test_fhir_statuses_of_groups() -> None:
    assert fhir_statuses([ReportStatus.RELEASED]) == list(systems.REPORT_RELEASED_STATUSES)
    assert fhir_statuses([ReportStatus.CANCELLED, ReportStatus.PENDING]) == [
        *systems.REPORT_PENDING_STATUSES,
        "cancelled",
        "entered-in-error",
    ]


def test_lab_results_in_the_reports_order_with_every_field() -> None:
    data = report(results=("obs-hgb", "obs-wbc"))
    wbc = observation(
        "obs-wbc", "WBC", "白细胞计数", value=6.2, unit="10*9/L", low=3.5, high=9.5,
        range_text="3.5-9.5", flag="N",
    )  # fmt: skip
    hgb = observation(
        "obs-hgb", "HGB", "血红蛋白", value=Decimal("98"), unit="g/L", low=115, high=150,
        range_text="115-150", flag="L", status="amended",
    )  # fmt: skip
    found = full(data, wbc, hgb)
    assert [r.code for r in found.results] == ["HGB", "WBC"]
    first = found.results[0]
    assert first.model_dump() == {
        "id": "obs-hgb",
        "code": "HGB",
        "name": "血红蛋白",
        "fhir_status": "amended",
        "value_text": "98",
        "value": Decimal("98"),
        "unit": "g/L",
        "reference_range": "115-150",
        "low": Decimal("115"),
        "high": Decimal("150"),
        "interpretation": Interpretation.LOW,
    }
    assert found.results[1].interpretation is Interpretation.NORMAL
    assert found.has_critical is False
    assert (found.conclusion, found.findings) == (None, None)


def test_critical_values_flag_the_report() -> None:
    data = report("rep-elec", code="ELEC", name="电解质", results=("obs-k", "obs-na"))
    potassium = observation("obs-k", "K", "血钾", value=6.8, unit="mmol/L", flag="HH")
    sodium = observation("obs-na", "NA", "血钠", value=140, unit="mmol/L", flag="N")
    found = full(data, potassium, sodium)
    assert found.has_critical is True
    flag = found.results[0].interpretation
    assert flag is Interpretation.CRITICAL_HIGH
    assert flag.is_critical and flag.is_abnormal


def test_qualitative_values() -> None:
    positive = result(
        code="HIV-AB", string="阳性", range_text="阴性", flag="A", unit=None, value=None
    )
    assert (positive.value_text, positive.value, positive.unit) == ("阳性", None, None)
    assert positive.reference_range == "阴性"
    assert (positive.low, positive.high) == (None, None)
    assert positive.interpretation is Interpretation.ABNORMAL
    plus = result(code="U-PRO", string="2+", range_text="阴性", flag="AA")
    assert plus.value_text == "2+"
    assert plus.interpretation is Interpretation.CRITICAL
    coded = result(valueCodeableConcept={"coding": [{"code": "NEG", "display": "阴性"}]})
    assert coded.value_text == "阴性"


def test_numbers_keep_their_precision_and_comparators() -> None:
    gravity = result(code="U-SG", value=Decimal("1.020"), low=Decimal("1.003"), high=1.03)
    assert gravity.value_text == "1.020"
    assert gravity.value == Decimal("1.020")
    assert gravity.reference_range == "1.003-1.03"  # built when the hospital gave no text
    below = result(
        valueQuantity={"value": 0.1, "comparator": "<", "unit": "mIU/mL"}, range_text="<5 非孕"
    )
    assert (below.value_text, below.value, below.unit) == ("<0.1", Decimal("0.1"), "mIU/mL")
    assert result(valueInteger=7).value_text == "7"
    assert result(value=None).value_text is None  # no value yet


@pytest.mark.parametrize(
    ("low", "high", "text", "shown"),
    [
        (None, 5.2, "<5.2", "<5.2"),
        (None, 5.2, None, "≤5.2"),
        (90, None, ">=90", ">=90"),
        (1.0, None, None, "≥1.0"),
        (None, None, None, None),
    ],
)
def test_ranges_with_only_low_or_high(
    low: float | None, high: float | None, text: str | None, shown: str | None
) -> None:
    found = result(value=4.1, unit="mmol/L", low=low, high=high, range_text=text)
    assert found.reference_range == shown
    assert (found.low, found.high) == (
        None if low is None else Decimal(str(low)),
        None if high is None else Decimal(str(high)),
    )


@pytest.mark.parametrize(
    ("codes", "expected"),
    [
        (["N"], Interpretation.NORMAL),
        (["H"], Interpretation.HIGH),
        (["L"], Interpretation.LOW),
        (["A"], Interpretation.ABNORMAL),
        (["HH"], Interpretation.CRITICAL_HIGH),
        (["LL"], Interpretation.CRITICAL_LOW),
        (["AA"], Interpretation.CRITICAL),
        (["POS"], Interpretation.ABNORMAL),  # unknown, not N: abnormal
        (["HU"], Interpretation.ABNORMAL),
        (["N", "H"], Interpretation.HIGH),  # the most severe
        (["H", "LL", "A"], Interpretation.CRITICAL_LOW),
        ([], None),
    ],
)
def test_interpretations(codes: list[str], expected: Interpretation | None) -> None:
    concepts = [
        {"coding": [{"system": systems.OBSERVATION_INTERPRETATION, "code": c}]} for c in codes
    ]
    found = result(interpretation=concepts) if concepts else result()
    assert found.interpretation is expected


def test_interpretation_codes_of_other_systems_are_ignored() -> None:
    other = CodeableConcept.model_validate({"coding": [{"system": "urn:local", "code": "HH"}]})
    no_system = CodeableConcept.model_validate({"coding": [{"code": "H"}]})
    only_text = CodeableConcept.model_validate({"text": "偏高"})
    assert interpretation_from_fhir([other, only_text]) is None
    assert interpretation_from_fhir([no_system]) is Interpretation.HIGH


def test_interpretation_properties() -> None:
    assert not Interpretation.NORMAL.is_abnormal
    assert all(i.is_abnormal for i in Interpretation if i is not Interpretation.NORMAL)
    assert {i for i in Interpretation if i.is_critical} == {
        Interpretation.CRITICAL_HIGH,
        Interpretation.CRITICAL_LOW,
        Interpretation.CRITICAL,
    }
    assert {i.fhir_code for i in Interpretation} == {"N", "H", "L", "A", "HH", "LL", "AA"}


def test_imaging_report_with_base64_findings() -> None:
    findings = "双肺纹理清晰，未见明显实质性病变。\n心影大小形态正常。"
    data = report(
        "rep-xr",
        category="RAD",
        code="XR-CHEST",
        name="胸部X线",
        conclusion="心肺膈未见明显异常。",
        presentedForm=[
            {"contentType": "application/pdf", "data": "JVBERi0="},
            findings_form(findings),
        ],
    )
    found = full(data)
    assert found.category is ReportCategory.IMAGING
    assert found.conclusion == "心肺膈未见明显异常。"
    assert found.findings == findings
    assert found.results == ()
    assert found.has_critical is None  # imaging has no flags in the contract


def test_findings_in_another_charset_and_bad_bytes() -> None:
    gbk = {"contentType": "text/plain; charset=GBK", "data": "y6u3zg=="}  # 双肺 in GBK
    assert full(report(category="RAD", presentedForm=[gbk])).findings == "双肺"
    latin = {"contentType": "text/plain", "data": "/w=="}  # 0xFF is not UTF-8
    with pytest.raises(HISError, match="findings are not utf-8 text"):
        full(report(category="RAD", presentedForm=[latin]))


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"subject": None}, "no Patient subject"),
        ({"subject": {"reference": "Group/g1"}}, "no Patient subject"),
        ({"code": {"text": "血常规"}}, f"no code in {systems.TEST_CODE}"),
        ({"category": None}, "no LAB or RAD category"),
        (
            {"category": [{"coding": [{"system": systems.REPORT_CATEGORY, "code": "PAT"}]}]},
            "no LAB or RAD category",
        ),
        ({"result": [{"reference": "Specimen/s1"}]}, "not an Observation reference"),
        ({"id": None}, "no id"),
    ],
)
def test_malformed_reports_are_his_errors(changes: dict[str, Any], problem: str) -> None:
    data = {k: v for k, v in (report() | changes).items() if v is not None}
    with pytest.raises(HISError, match=problem):
        full(data)


def test_missing_or_foreign_result_lines_are_his_errors() -> None:
    data = report(results=("obs-wbc", "obs-gone"))
    wbc = observation("obs-wbc", "WBC", "白细胞计数", value=6.2)
    with pytest.raises(HISError, match="Observation obs-gone not found"):
        full(data, wbc)
    other = observation("obs-wbc", "WBC", "白细胞计数", value=6.2, patient="pat-2")
    with pytest.raises(HISError, match="another patient's"):
        full(report(results=("obs-wbc",)), other)
    uncoded = observation("obs-wbc", "WBC", "白细胞计数") | {"code": {"text": "白细胞计数"}}
    with pytest.raises(HISError, match="invalid Observation obs-wbc"):
        full(report(results=("obs-wbc",)), uncoded)
