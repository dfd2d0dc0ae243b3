"""The district's test dictionary (检验检查项目字典) as frontdoor's report contract defines it:
report codes, result codes, Chinese names, units, adult reference ranges, LOINC codes.

Codes are in ``common.fhir_contract.TEST_CODE``. Critical limits (危急值) are this hospital's
own list; the contract fixes only potassium's. Everything here is constant data.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from common import fhir_contract as systems

Category = Literal["LAB", "RAD"]
Sex = Literal["male", "female"]

CONFIDENTIALITY = systems.CONFIDENTIALITY


@dataclass(frozen=True)
class ReferenceRange:
    """A range as printed on the report. Bounds are inclusive, as in FHIR."""

    text: str
    low: Decimal | None = None
    high: Decimal | None = None


@dataclass(frozen=True)
class Analyte:
    """One result line of a lab test.

    Quantitative results have a UCUM code (their printed unit may be absent, as for specific
    gravity); qualitative ones have none and are normal when they read like ``range.text``.
    """

    code: str
    name: str
    male: ReferenceRange
    female: ReferenceRange
    unit: str | None = None
    ucum: str | None = None
    loinc: str | None = None
    critical_low: Decimal | None = None
    critical_high: Decimal | None = None

    @property
    def quantitative(self) -> bool:
        return self.ucum is not None

    def range_for(self, sex: Sex | None) -> ReferenceRange:
        """The range for ``sex``; without a known sex, the span of both."""
        if sex == "male":
            return self.male
        if sex == "female" or self.male == self.female:
            return self.female
        low = min(_present(self.male.low, self.female.low), default=None)
        high = max(_present(self.male.high, self.female.high), default=None)
        return ReferenceRange(_range_text(low, high), low, high)


@dataclass(frozen=True)
class SecurityLabel:
    """A ``meta.security`` coding of sensitive reports."""

    system: str
    code: str
    display: str


@dataclass(frozen=True)
class ReportDefinition:
    """An orderable test (LAB) or exam (RAD) and, for lab tests, its result lines in order."""

    code: str
    name: str
    category: Category
    loinc: str | None = None
    analytes: tuple[Analyte, ...] = ()
    security: tuple[SecurityLabel, ...] = ()

    def analyte(self, code: str) -> Analyte:
        for analyte in self.analytes:
            if analyte.code == code:
                return analyte
        raise KeyError(f"{self.code} has no result {code!r}")


CATEGORY_DISPLAY: Mapping[Category, str] = {"LAB": "检验", "RAD": "检查"}

RESTRICTED = SecurityLabel(CONFIDENTIALITY, "R", "restricted")
HIV_SENSITIVE = SecurityLabel(systems.SECURITY_ACT_CODE, "HIV", "HIV/AIDS information sensitivity")


def _present(*values: Decimal | None) -> list[Decimal]:
    return [value for value in values if value is not None]


def _range_text(low: Decimal | None, high: Decimal | None) -> str:
    if low is not None and high is not None:
        return f"{low}-{high}"
    if low is not None:
        return f"≥{low}"
    return f"<{high}"


def span(low: str | None, high: str | None, text: str | None = None) -> ReferenceRange:
    """``span("3.5", "9.5")`` prints "3.5-9.5"; ``span(None, "5.2")`` prints "<5.2"."""
    low_value = Decimal(low) if low is not None else None
    high_value = Decimal(high) if high is not None else None
    return ReferenceRange(text or _range_text(low_value, high_value), low_value, high_value)


def quantity(
    code: str,
    name: str,
    unit: str | None,
    ucum: str,
    normal: ReferenceRange,
    *,
    female: ReferenceRange | None = None,
    loinc: str | None = None,
    critical: tuple[str | None, str | None] = (None, None),
) -> Analyte:
    """A quantitative result; ``female`` only where the range is sex-specific."""
    critical_low, critical_high = (Decimal(v) if v is not None else None for v in critical)
    return Analyte(
        code,
        name,
        male=normal,
        female=female or normal,
        unit=unit,
        ucum=ucum,
        loinc=loinc,
        critical_low=critical_low,
        critical_high=critical_high,
    )


def qualitative(code: str, name: str, loinc: str | None = None, normal: str = "阴性") -> Analyte:
    expected = ReferenceRange(normal)
    return Analyte(code, name, male=expected, female=expected, loinc=loinc)


_CBC = (
    quantity(
        "WBC", "白细胞计数", "10^9/L", "10*9/L", span("3.5", "9.5"), loinc="6690-2",
        critical=("2.0", "30.0"),
    ),
    quantity("NEUT%", "中性粒细胞百分比", "%", "%", span("40", "75"), loinc="770-8"),
    quantity("LYMPH%", "淋巴细胞百分比", "%", "%", span("20", "50"), loinc="736-9"),
    quantity(
        "RBC", "红细胞计数", "10^12/L", "10*12/L", span("4.3", "5.8"),
        female=span("3.8", "5.1"), loinc="789-8",
    ),
    quantity(
        "HGB", "血红蛋白", "g/L", "g/L", span("130", "175"), female=span("115", "150"),
        loinc="718-7", critical=("60", None),
    ),
    quantity(
        "HCT", "红细胞压积", "%", "%", span("40", "50"), female=span("35", "45"), loinc="4544-3"
    ),
    quantity("MCV", "平均红细胞体积", "fL", "fL", span("82", "100"), loinc="787-2"),
    quantity(
        "PLT", "血小板计数", "10^9/L", "10*9/L", span("125", "350"), loinc="777-3",
        critical=("30", "1000"),
    ),
)  # fmt: skip

_LFT = (
    quantity("ALT", "丙氨酸氨基转移酶", "U/L", "U/L", span("9", "50"), loinc="1742-6"),
    quantity("AST", "天门冬氨酸氨基转移酶", "U/L", "U/L", span("15", "40"), loinc="1920-8"),
    quantity("TBIL", "总胆红素", "μmol/L", "umol/L", span("0", "21"), loinc="14631-6"),
    quantity("DBIL", "直接胆红素", "μmol/L", "umol/L", span("0", "6.8"), loinc="14629-0"),
    quantity("TP", "总蛋白", "g/L", "g/L", span("65", "85"), loinc="2885-2"),
    quantity("ALB", "白蛋白", "g/L", "g/L", span("40", "55"), loinc="1751-7"),
    quantity("GGT", "γ-谷氨酰转移酶", "U/L", "U/L", span("10", "60"), loinc="2324-2"),
    quantity("ALP", "碱性磷酸酶", "U/L", "U/L", span("45", "125"), loinc="6768-6"),
)

_RFT = (
    quantity(
        "CREA", "肌酐", "μmol/L", "umol/L", span("57", "111"), female=span("41", "81"),
        loinc="14682-9", critical=(None, "707"),
    ),
    quantity("UREA", "尿素", "mmol/L", "mmol/L", span("3.1", "8.0"), loinc="22664-7"),
    quantity(
        "URIC", "尿酸", "μmol/L", "umol/L", span("208", "428"), female=span("155", "357"),
        loinc="14933-6",
    ),
    quantity(
        "EGFR", "估算肾小球滤过率", "mL/min/1.73m2", "mL/min/{1.73_m2}", span("90", None),
        loinc="98979-8",
    ),
)  # fmt: skip

_LIPID = (
    quantity("TC", "总胆固醇", "mmol/L", "mmol/L", span(None, "5.2"), loinc="14647-2"),
    quantity("TG", "甘油三酯", "mmol/L", "mmol/L", span(None, "1.7"), loinc="14927-8"),
    quantity(
        "HDL-C", "高密度脂蛋白胆固醇", "mmol/L", "mmol/L", span("1.0", None, ">1.0"),
        loinc="14646-4",
    ),
    quantity("LDL-C", "低密度脂蛋白胆固醇", "mmol/L", "mmol/L", span(None, "3.4"), loinc="22748-8"),
)  # fmt: skip

_GLYCEMIA = (
    quantity(
        "GLU", "空腹血糖", "mmol/L", "mmol/L", span("3.9", "6.1"), loinc="14771-0",
        critical=("2.8", "22.2"),
    ),
    quantity("HBA1C", "糖化血红蛋白", "%", "%", span("4.0", "6.0"), loinc="4548-4"),
)  # fmt: skip

_ELEC = (
    quantity(
        "K", "血钾", "mmol/L", "mmol/L", span("3.5", "5.3"), loinc="2823-3",
        critical=("2.8", "6.2"),
    ),
    quantity(
        "NA", "血钠", "mmol/L", "mmol/L", span("137", "147"), loinc="2951-2",
        critical=("120", "160"),
    ),
    quantity("CL", "血氯", "mmol/L", "mmol/L", span("99", "110"), loinc="2075-0"),
)  # fmt: skip

_URINE = (
    qualitative("U-PRO", "尿蛋白", loinc="20454-5"),
    qualitative("U-GLU", "尿糖", loinc="25428-4"),
    qualitative("U-LEU", "尿白细胞", loinc="5799-2"),
    qualitative("U-BLD", "尿潜血", loinc="5794-3"),
    qualitative("U-KET", "尿酮体", loinc="2514-8"),
    quantity("U-SG", "尿比重", None, "1", span("1.003", "1.030"), loinc="5811-5"),
    quantity("U-PH", "尿酸碱度", None, "[pH]", span("4.5", "8.0"), loinc="5803-2"),
)

_DEFINITIONS = (
    ReportDefinition("CBC", "血常规", "LAB", "58410-2", _CBC),
    ReportDefinition("LFT", "肝功能", "LAB", "24325-3", _LFT),
    ReportDefinition("RFT", "肾功能", "LAB", "24362-6", _RFT),
    ReportDefinition("LIPID", "血脂", "LAB", "57698-3", _LIPID),
    ReportDefinition("GLYCEMIA", "血糖", "LAB", None, _GLYCEMIA),
    ReportDefinition("ELEC", "电解质", "LAB", "24326-1", _ELEC),
    ReportDefinition("URINE", "尿常规", "LAB", "24356-8", _URINE),
    ReportDefinition(
        "CRP",
        "C反应蛋白",
        "LAB",
        "1988-5",
        (quantity("CRP", "C反应蛋白", "mg/L", "mg/L", span("0", "10"), loinc="1988-5"),),
    ),
    ReportDefinition(
        "HCG",
        "血HCG",
        "LAB",
        "21198-7",
        (
            quantity(
                "B-HCG",
                "β-人绒毛膜促性腺激素",
                "mIU/mL",
                "m[IU]/mL",
                span(None, "5", "<5（非孕）"),
                loinc="21198-7",
            ),
        ),
        security=(RESTRICTED,),
    ),
    ReportDefinition(
        "HIV",
        "HIV抗体检测",
        "LAB",
        "75622-1",
        (qualitative("HIV-AB", "HIV抗体", loinc="75622-1"),),
        security=(HIV_SENSITIVE,),
    ),
    ReportDefinition("XR-CHEST", "胸部X线", "RAD", "36643-5"),
    ReportDefinition("US-ABDOMEN", "腹部彩超", "RAD"),
    ReportDefinition("CT-HEAD", "头颅CT平扫", "RAD"),
)

REPORT_DEFINITIONS: Mapping[str, ReportDefinition] = {d.code: d for d in _DEFINITIONS}


def report_definition(code: str) -> ReportDefinition:
    """The definition of report code ``code``; KeyError if the dictionary has none."""
    return REPORT_DEFINITIONS[code]


def codes_in_category(category: str) -> list[str]:
    return [d.code for d in _DEFINITIONS if d.category == category]


def codes_with_loinc(loinc: str) -> list[str]:
    return [d.code for d in _DEFINITIONS if d.loinc == loinc]
