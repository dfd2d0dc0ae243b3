"""Interpretation flags of lab results, computed from the printed range and critical limits
(never typed by hand), in v3-ObservationInterpretation codes."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Literal

from sandbox.hospital.reports.dictionary import Analyte, ReferenceRange

Interpretation = Literal["N", "H", "L", "A", "HH", "LL", "AA"]

DISPLAY: Mapping[str, tuple[str, str]] = {
    # code: (HL7 display, the Chinese shown on reports)
    "N": ("Normal", "正常"),
    "H": ("High", "偏高"),
    "L": ("Low", "偏低"),
    "A": ("Abnormal", "异常"),
    "HH": ("Critical high", "危急值（偏高）"),
    "LL": ("Critical low", "危急值（偏低）"),
    "AA": ("Critical abnormal", "危急值（异常）"),
}


def interpret(analyte: Analyte, value: str, printed: ReferenceRange) -> Interpretation:
    """Flag ``value`` against the range printed with it; critical limits win over the range.

    Critical limits are exclusive (K "<2.8 or >6.2"); range bounds inclusive, as in FHIR.
    """
    if not analyte.quantitative:
        return "N" if value == printed.text else "A"
    number = Decimal(value)
    if analyte.critical_low is not None and number < analyte.critical_low:
        return "LL"
    if analyte.critical_high is not None and number > analyte.critical_high:
        return "HH"
    if printed.low is not None and number < printed.low:
        return "L"
    if printed.high is not None and number > printed.high:
        return "H"
    return "N"
