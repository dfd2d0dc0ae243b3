"""Who the text is about: age, sex, pregnancy and fever, from the fields or the words.

「我阿爸今年80岁」 is an 80-year-old man; 「BB三个月大发烧38度5」 a 3-month-old with 38.5 °C.
Explicit fields win over words. Pure; nothing here raises.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from common.chinese_numbers import CHINESE_NUMERAL_CHARS, parse_number

_NUM = rf"(?:[0-9]{{1,3}}|[{CHINESE_NUMERAL_CHARS}]{{1,4}})"
_YEARS = re.compile(rf"({_NUM})\s*(?:岁|周岁|歲)")
_MONTHS = re.compile(rf"({_NUM})\s*(?:个|個)?\s*月(?:大|龄|嘅|的|bb|宝宝)")
# 「宝宝两个月」「bb仔三个月」「出世两个月」: months right after the baby are its age (after
# anything else, 「咳嗽两个月」 is how long).
_BABY_MONTHS = re.compile(
    rf"(?:宝宝|bb|BB|婴儿|bb仔|bb女|囡囡|仔仔|孩子|小朋友|出世|出生|生咗|生了)\s*(?:才|只有|得|刚|啱啱)?"
    rf"\s*({_NUM}|半)\s*(?:个|個)\s*(?:多)?\s*月(?!前|之前|以前)"
)
_DAYS_OLD = re.compile(rf"(?:出生|生咗|生了)\s*({_NUM})\s*(?:天|日)")
# 38.5度, 39度5, 三十九度, 体温39
_TEMPERATURE = re.compile(r"(3[5-9]|4[0-2])(?:\.(\d))?\s*(?:度|℃|°)(?:(\d)(?!\d))?")
_TEMPERATURE_CN = re.compile(r"(三十[五六七八九]|四十[一二]?)度(半|[一二三四五六七八九])?")


@dataclass(frozen=True)
class Profile:
    age_years: float | None
    sex: str | None  # male | female
    pregnant: bool
    temperature: float | None


def age_in_text(text: str) -> float | None:
    if match := _DAYS_OLD.search(text):
        days = parse_number(match.group(1))
        return days / 365 if days is not None else None
    if match := _MONTHS.search(text) or _BABY_MONTHS.search(text):
        months = 0.5 if match.group(1) == "半" else parse_number(match.group(1))
        return months / 12 if months is not None else None
    if match := _YEARS.search(text):
        years = parse_number(match.group(1))
        if years is not None and 0 <= years <= 120:
            return float(years)
    return None


def temperature_in_text(text: str) -> float | None:
    if match := _TEMPERATURE.search(text):
        whole = int(match.group(1))
        tenth = match.group(2) or match.group(3)
        return whole + (int(tenth) / 10 if tenth else 0)
    if match := _TEMPERATURE_CN.search(text):
        degrees = parse_number(match.group(1))
        if degrees is None:
            return None
        extra = match.group(2)
        tenths = 5 if extra == "半" else (parse_number(extra) if extra else 0)
        return degrees + (tenths or 0) / 10
    return None
