"""Who the text is about: age, sex, pregnancy, fever and blood pressure, from the fields or the
words.

「我阿爸今年80岁」 is an 80-year-old man; 「BB三个月大发烧38度5」 a 3-month-old with 38.5 °C;
「今朝量血压185/115」 and 「上压一百九」 are readings of the blood pressure, 「血氧89」 one of the
oxygen saturation.
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
_DAYS_OLD = re.compile(
    rf"(?:(?:出生|出世|生咗|生了)\s*(?:才|只有|得|刚|啱啱)?\s*({_NUM})\s*(?:天|日)"
    rf"|(?:宝宝|bb|婴儿|bb仔|bb女|囡囡|仔仔)\s*(?:才|只有|得|刚|啱啱)?\s*({_NUM})\s*(?:天|日)(?!前|之前|以前)"
    rf"|({_NUM})\s*(?:天|日)大(?:嘅|的)?\s*(?:bb|宝宝|婴儿|囡囡|仔仔|孩子))"
)
# 「two-month-old baby」「6 weeks old」「10-day-old」: ages written in English
_EN_NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}  # fmt: skip
_AGE_EN = re.compile(
    rf"(\d{{1,2}}|{'|'.join(_EN_NUMBERS)})[\s-]*(day|week|month)s?[\s-]*old", re.IGNORECASE
)
_EN_UNIT_DAYS = {"day": 1, "week": 7, "month": 30.4}
# 38.5度, 39度5, 三十九度, 体温39, 耳温38.5 (after the word a unit is not needed)
_TEMPERATURE = re.compile(r"(3[5-9]|4[0-2])(?:\.(\d))?\s*(?:度|℃|°)(?:(\d)(?!\d))?")
_TEMPERATURE_AFTER_WORD = re.compile(
    r"(?:体温|耳温|额温|腋温|肛温|口温|探热|探温|量咗|量了)[^0-9]{0,3}(3[5-9]|4[0-2])(?:\.(\d))?(?!\d)"
)
_TEMPERATURE_CN = re.compile(r"(三十[五六七八九]|四十[一二]?)度(半|[一二三四五六七八九])?")
# 185/115 (the pair says it is a pressure), or a number after the word: 血压190, 高压一百八,
# 低压115. Spoken hundreds: 一百八 is 180, 一百八十五 185, 两百 200.
_BP_PAIR = re.compile(r"(?<!\d)(\d{2,3})\s*/\s*(\d{2,3})(?!\d)")
_HUNDREDS = r"[一二两]百(?:[一二三四五六七八九]十?[一二三四五六七八九]?)?"
_SYSTOLIC = re.compile(rf"(?:血压|高压|上压|收缩压)[^0-9一二两/]{{0,4}}(\d{{3}}|{_HUNDREDS})")
_DIASTOLIC = re.compile(rf"(?:低压|下压|舒张压)[^0-9一二两/]{{0,4}}(\d{{2,3}}|{_HUNDREDS})")
# A pulse oximeter's reading: 血氧89, 血氧饱和度只有88%, 指脉氧显示90, spo2 87
_OXYGEN = re.compile(
    r"(?:血氧饱和度|氧饱和度|血氧仪|血氧|指脉氧|脉氧|spo2|sao2)[^0-9]{0,6}(\d{2,3})(?!\d)"
)
_DIGIT = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


@dataclass(frozen=True)
class Profile:
    age_years: float | None
    sex: str | None  # male | female
    pregnant: bool
    temperature: float | None
    systolic: int | None = None  # mmHg, from the words
    diastolic: int | None = None
    oxygen: int | None = None  # % saturation, from the words


def age_in_text(text: str) -> float | None:
    text = text.lower()
    if match := _DAYS_OLD.search(text):
        days = parse_number(next(group for group in match.groups() if group))
        return days / 365 if days is not None else None
    if match := _AGE_EN.search(text):
        count, unit = match.group(1).lower(), match.group(2).lower()
        number = _EN_NUMBERS.get(count, None if not count.isdigit() else int(count))
        return number * _EN_UNIT_DAYS[unit] / 365 if number is not None else None
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
    if match := _TEMPERATURE_AFTER_WORD.search(text):
        return int(match.group(1)) + (int(match.group(2)) / 10 if match.group(2) else 0)
    if match := _TEMPERATURE_CN.search(text):
        degrees = parse_number(match.group(1))
        if degrees is None:
            return None
        extra = match.group(2)
        tenths = 5 if extra == "半" else (parse_number(extra) if extra else 0)
        return degrees + (tenths or 0) / 10
    return None


def blood_pressure_in_text(text: str) -> tuple[int | None, int | None]:
    """(systolic, diastolic) in mmHg as the text gives them; None where it does not."""
    if match := _BP_PAIR.search(text):
        high, low = int(match.group(1)), int(match.group(2))
        if 70 <= high <= 300 and 30 <= low <= 200 and high > low:
            return high, low
    systolic = _SYSTOLIC.search(text)
    diastolic = _DIASTOLIC.search(text)
    return (
        _pressure(systolic.group(1)) if systolic else None,
        _pressure(diastolic.group(1)) if diastolic else None,
    )


def oxygen_in_text(text: str) -> int | None:
    """The oxygen saturation (%) a pulse oximeter showed, as the text gives it."""
    if match := _OXYGEN.search(text):
        value = int(match.group(1))
        if 50 <= value <= 100:
            return value
    return None


def _pressure(number: str) -> int | None:
    if number.isdigit():
        return int(number)
    hundreds, _, rest = number.partition("百")
    value = _DIGIT[hundreds] * 100
    digits = [_DIGIT[char] for char in rest if char in _DIGIT]
    if digits:
        value += digits[0] * 10  # 一百八 and 一百八十 are 180
    if len(digits) > 1:
        value += digits[1]
    return value
