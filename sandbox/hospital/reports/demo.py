"""Demo patients and their reports (all fictional), placed relative to the seed day.

``DEMO_PATIENTS`` is the public handle tests and demos bind with (resident ID, name, phone).
Their stories:
- elder: a 76-year-old man with anaemia, a chest infection, fatty liver, chronic kidney
  disease, dyslipidaemia and diabetes; yesterday's electrolytes show a critical potassium;
  an abdominal ultrasound and a urine test are pending.
- woman: pre-operative work-up for gallstones; her urine result was amended; HCG and HIV are
  sensitive reports.
- child: a 7-year-old girl with a fever: bacterial picture on the blood count, CRP pending.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Literal

from sandbox.hospital.booking.identity import resident_id_check_character
from sandbox.hospital.settings import HOSPITAL_TZ


def _resident_id(area: str, born: date, sequence: str) -> str:
    first17 = f"{area}{born:%Y%m%d}{sequence}"
    return first17 + resident_id_check_character(first17)


@dataclass(frozen=True)
class DemoPatient:
    id: str
    resident_id: str  # GB 11643, Guangzhou area codes (4401xx)
    name: str
    gender: Literal["male", "female"]
    birth_date: date
    phone: str


_ELDER_BORN, _WOMAN_BORN, _CHILD_BORN = date(1950, 6, 12), date(1981, 9, 3), date(2019, 4, 18)

# The sequence's last digit is odd for men and even for women, as GB 11643 requires.
DEMO_PATIENTS: Mapping[str, DemoPatient] = {
    "elder": DemoPatient(
        "pat-demo-elder",
        _resident_id("440103", _ELDER_BORN, "031"),  # 荔湾区
        "陈国华",
        "male",
        _ELDER_BORN,
        "13800000101",
    ),
    "woman": DemoPatient(
        "pat-demo-woman",
        _resident_id("440105", _WOMAN_BORN, "042"),  # 海珠区
        "林晓燕",
        "female",
        _WOMAN_BORN,
        "13800000102",
    ),
    "child": DemoPatient(
        "pat-demo-child",
        _resident_id("440104", _CHILD_BORN, "026"),  # 越秀区
        "梁可欣",
        "female",
        _CHILD_BORN,
        "13800000103",
    ),
}


@dataclass(frozen=True)
class At:
    """A local time ``days`` after the seed day (negative: before)."""

    days: int
    clock: time

    def on(self, today: date) -> datetime:
        return datetime.combine(today + timedelta(days=self.days), self.clock, HOSPITAL_TZ)


@dataclass(frozen=True)
class DemoAmendment:
    at: At
    note: str


@dataclass(frozen=True)
class DemoReport:
    """One seeded report: final when ``issued`` is set, pending (registered) when ``expected``
    is; ``values`` etc. override the test's template; ``amended`` amends it after release."""

    patient: str  # key in DEMO_PATIENTS
    test: str
    institution_id: str
    effective: At
    issued: At | None = None
    expected: At | None = None
    values: Mapping[str, str] = field(default_factory=dict)
    findings: str | None = None
    conclusion: str | None = None
    amended: DemoAmendment | None = None

    @property
    def id(self) -> str:
        return f"dr-demo-{self.patient}-{self.test.lower()}"


_CHC = "lw-rongyin-chc"  # the elder's community health centre (chronic disease follow-up)
_LIZHIWAN = "lw-lizhiwan-hospital"
_JIANGXIN = "hz-jiangxin-hospital"
_YUNSHAN = "yx-yunshan-hospital"

_FASTING = At(-3, time(7, 50))
_PRE_OP = At(-5, time(8, 10))
_FEVER_CLINIC = At(0, time(7, 50))

DEMO_REPORTS: tuple[DemoReport, ...] = (
    # --- elder ----------------------------------------------------------------------------
    DemoReport(
        "elder",
        "CBC",
        _CHC,
        _FASTING,
        issued=At(-3, time(9, 5)),
        # RBC x MCV / 10 = HCT; mild anaemia with a raised white count (chest infection).
        values={
            "WBC": "11.6",
            "NEUT%": "72.4",
            "LYMPH%": "20.8",
            "RBC": "4.38",
            "HGB": "124",
            "HCT": "40.3",
            "MCV": "92.0",
            "PLT": "198",
        },
    ),
    DemoReport(
        "elder",
        "LFT",
        _CHC,
        _FASTING,
        issued=At(-3, time(11, 20)),
        values={"ALT": "86", "AST": "38", "GGT": "52"},
    ),
    DemoReport(
        "elder",
        "RFT",
        _CHC,
        _FASTING,
        issued=At(-3, time(11, 20)),
        values={"CREA": "138", "UREA": "7.8", "URIC": "396"},
    ),
    DemoReport(
        "elder",
        "LIPID",
        _CHC,
        _FASTING,
        issued=At(-3, time(11, 35)),
        # With LDL-C and TG this high, total cholesterol is necessarily high as well.
        values={"TC": "5.86", "TG": "2.31", "HDL-C": "1.02", "LDL-C": "3.92"},
    ),
    DemoReport(
        "elder",
        "GLYCEMIA",
        _CHC,
        _FASTING,
        issued=At(-3, time(11, 35)),
        values={"GLU": "8.4", "HBA1C": "7.6"},
    ),
    DemoReport(
        "elder",
        "XR-CHEST",
        _LIZHIWAN,
        At(-2, time(10, 20)),
        issued=At(-2, time(11, 45)),
        findings=(
            "两肺纹理增多、增粗，右下肺野见少许斑片状模糊影，边界不清。心影大小形态正常，"
            "主动脉结突出，见弧形钙化影。双侧膈面光滑，肋膈角锐利。"
        ),
        conclusion="1. 右下肺少许炎症，建议抗感染治疗后复查；2. 主动脉硬化。",
    ),
    DemoReport(
        "elder",
        "ELEC",
        _LIZHIWAN,
        At(-1, time(8, 5)),
        issued=At(-1, time(9, 12)),
        values={"K": "6.6", "NA": "138", "CL": "103"},
    ),
    DemoReport(
        "elder",
        "US-ABDOMEN",
        _LIZHIWAN,
        At(-1, time(15, 20)),
        expected=At(1, time(16, 0)),
        findings=(
            "肝脏大小形态正常，实质回声细密、增强，后方回声稍衰减。胆囊、胰腺、脾脏未见明显异常。"
            "双肾体积稍小，皮质回声增强，皮髓质分界欠清。"
        ),
        conclusion="1. 轻度脂肪肝；2. 双肾实质回声增强，请结合肾功能检查。",
    ),
    DemoReport(
        "elder",
        "URINE",
        _LIZHIWAN,
        At(0, time(7, 40)),
        expected=At(0, time(17, 0)),
        values={"U-PRO": "+", "U-SG": "1.012"},
    ),
    # --- woman ----------------------------------------------------------------------------
    DemoReport("woman", "CBC", _JIANGXIN, _PRE_OP, issued=At(-5, time(9, 0))),
    DemoReport(
        "woman",
        "URINE",
        _JIANGXIN,
        _PRE_OP,
        issued=At(-5, time(9, 30)),
        values={"U-LEU": "2+"},
        amended=DemoAmendment(
            At(-4, time(9, 20)), "尿白细胞：原报告2+，标本污染，复检结果为阴性，予以更正。"
        ),
    ),
    DemoReport("woman", "HCG", _JIANGXIN, _PRE_OP, issued=At(-5, time(11, 40))),
    DemoReport("woman", "HIV", _JIANGXIN, _PRE_OP, issued=At(-4, time(15, 0))),
    DemoReport(
        "woman",
        "US-ABDOMEN",
        _JIANGXIN,
        At(-5, time(10, 30)),
        issued=At(-5, time(11, 0)),
        findings=(
            "肝脏大小形态正常，实质回声均匀。胆囊大小约7.2cm×3.0cm，壁稍毛糙，腔内见数个强回声团，"
            "较大者约1.2cm×0.9cm，后伴声影，随体位改变移动。胰腺、脾脏、双肾未见明显异常。"
        ),
        conclusion="1. 胆囊多发结石；2. 肝、胰、脾、双肾未见明显异常。",
    ),
    # --- child ----------------------------------------------------------------------------
    DemoReport(
        "child",
        "CBC",
        _YUNSHAN,
        _FEVER_CLINIC,
        issued=At(0, time(8, 25)),
        values={
            "WBC": "9.2",
            "NEUT%": "81.2",
            "LYMPH%": "12.4",
            "RBC": "4.52",
            "HGB": "126",
            "HCT": "38.4",
            "MCV": "85.0",
            "PLT": "286",
        },
    ),
    DemoReport(
        "child",
        "CRP",
        _YUNSHAN,
        _FEVER_CLINIC,
        expected=At(0, time(10, 30)),
        values={"CRP": "36.5"},
    ),
)
