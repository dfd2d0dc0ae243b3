"""Sample content per test code: a typical normal result, how long the test takes, the critical
value a scenario can put in, and what an amendment changes.

Seeding and the ``/sandbox/reports`` controls both start from these templates, so every report
the sandbox makes looks alike; scenarios override single values. Normal values sit inside the
ranges of both sexes (a test checks it); derived results (eGFR) are computed, not listed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

# Values are strings as the lab prints them; a pair is (male, female).
TypicalValue = str | tuple[str, str]


@dataclass(frozen=True)
class NumericAmendment:
    """A quantitative result is corrected by ``delta`` (e.g. a re-run after clumping)."""

    analyte: str
    delta: Decimal


@dataclass(frozen=True)
class QualitativeAmendment:
    """A qualitative result flips between normal and ``abnormal`` (e.g. contaminated sample)."""

    analyte: str
    abnormal: str


@dataclass(frozen=True)
class ImagingAmendment:
    """The radiologist adds a finding and its impression."""

    findings: str
    conclusion: str


Amendment = NumericAmendment | QualitativeAmendment | ImagingAmendment


@dataclass(frozen=True)
class ReportTemplate:
    code: str
    # From specimen (or exam) to release.
    turnaround: timedelta
    amendment: Amendment
    values: Mapping[str, TypicalValue] = field(default_factory=dict)
    findings: str | None = None  # RAD: 检查所见
    conclusion: str | None = None  # RAD: 检查结论
    critical: tuple[str, str] | None = None  # (analyte, value) of a critical result

    def typical(self, analyte: str, female: bool) -> str:
        value = self.values[analyte]
        if isinstance(value, tuple):
            return value[1] if female else value[0]
        return value


# Calculated by the lab from other results; never typed in a template or scenario.
DERIVED_ANALYTES = frozenset({"EGFR"})

_HOUR = timedelta(hours=1)

_TEMPLATES = (
    ReportTemplate(
        "CBC",
        _HOUR,
        NumericAmendment("PLT", Decimal("45")),
        {
            "WBC": "6.2",
            "NEUT%": "58.3",
            "LYMPH%": "32.1",
            "RBC": ("4.92", "4.45"),
            "HGB": ("148", "128"),
            # Analysers calculate HCT = RBC x MCV / 10.
            "HCT": ("44.3", "39.5"),
            "MCV": ("90.0", "88.8"),
            "PLT": "236",
        },
        critical=("PLT", "18"),
    ),
    ReportTemplate(
        "LFT",
        3 * _HOUR,
        NumericAmendment("ALT", Decimal("8")),
        {
            "ALT": "24",
            "AST": "22",
            "TBIL": "11.6",
            "DBIL": "3.2",
            "TP": "72.4",
            "ALB": "45.1",
            "GGT": "26",
            "ALP": "78",
        },
    ),
    ReportTemplate(
        "RFT",
        3 * _HOUR,
        NumericAmendment("UREA", Decimal("0.6")),
        {"CREA": ("82", "62"), "UREA": "5.1", "URIC": ("356", "268")},
        critical=("CREA", "812"),
    ),
    ReportTemplate(
        "LIPID",
        3 * _HOUR,
        NumericAmendment("TG", Decimal("0.30")),
        {"TC": "4.52", "TG": "1.12", "HDL-C": ("1.28", "1.46"), "LDL-C": "2.61"},
    ),
    ReportTemplate(
        "GLYCEMIA",
        3 * _HOUR,
        NumericAmendment("GLU", Decimal("0.4")),
        {"GLU": "5.1", "HBA1C": "5.4"},
        critical=("GLU", "2.1"),
    ),
    ReportTemplate(
        "ELEC",
        _HOUR,
        # Haemolysed samples read high: the re-drawn sample corrects potassium down.
        NumericAmendment("K", Decimal("-0.4")),
        {"K": "4.2", "NA": "140", "CL": "103"},
        critical=("K", "6.6"),
    ),
    ReportTemplate(
        "URINE",
        _HOUR,
        QualitativeAmendment("U-LEU", "2+"),
        {
            "U-PRO": "阴性",
            "U-GLU": "阴性",
            "U-LEU": "阴性",
            "U-BLD": "阴性",
            "U-KET": "阴性",
            "U-SG": "1.018",
            "U-PH": "6.0",
        },
    ),
    ReportTemplate("CRP", _HOUR, NumericAmendment("CRP", Decimal("1.5")), {"CRP": "2.4"}),
    ReportTemplate("HCG", 4 * _HOUR, NumericAmendment("B-HCG", Decimal("0.3")), {"B-HCG": "1.2"}),
    ReportTemplate(
        "HIV",
        timedelta(days=1),
        QualitativeAmendment("HIV-AB", "阳性"),
        {"HIV-AB": "阴性"},
    ),
    ReportTemplate(
        "XR-CHEST",
        2 * _HOUR,
        ImagingAmendment("胸椎椎体边缘见骨质增生。", "胸椎退行性变。"),
        findings=(
            "两肺纹理清晰，肺野透亮度正常，未见明确实变影及占位性病变。"
            "心影大小形态正常。双侧膈面光滑，肋膈角锐利。"
        ),
        conclusion="心肺膈未见明显异常。",
    ),
    ReportTemplate(
        "US-ABDOMEN",
        _HOUR,
        ImagingAmendment(
            "右肾见一大小约0.6cm×0.5cm无回声区，边界清，后方回声增强。", "右肾小囊肿。"
        ),
        findings=(
            "肝脏大小形态正常，包膜光滑，实质回声均匀，肝内管道结构清晰。"
            "胆囊大小正常，壁光滑，腔内未见明显异常回声。胰腺、脾脏大小形态正常。"
            "双肾大小形态正常，集合系统未见分离。"
        ),
        conclusion="肝、胆、胰、脾、双肾未见明显异常。",
    ),
    ReportTemplate(
        "CT-HEAD",
        2 * _HOUR,
        ImagingAmendment("双侧上颌窦黏膜稍增厚。", "双侧上颌窦炎症。"),
        findings=(
            "脑实质内未见明显异常密度影，灰白质分界清楚。"
            "脑室系统大小形态正常，中线结构居中。颅骨骨质未见异常。"
        ),
        conclusion="颅脑CT平扫未见明显异常。",
    ),
)

TEMPLATES: Mapping[str, ReportTemplate] = {t.code: t for t in _TEMPLATES}
