"""Small Chinese numerals, as residents type them in dates and times, to integers.

Covers what a day, hour, minute or year needs: 一…十, 十五, 二十三, 三十一, 两, 廿三, 〇/零,
and digit-by-digit readings (零五 → 5, 二〇二六 → 2026). Larger or malformed numerals are not
numbers here, so a caller can treat them as plain text.
"""

from __future__ import annotations

_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
# 廿 and 卅 are still written for 20 and 30 in dates (廿三号).
_TENS_PREFIXES = {"廿": 20, "卅": 30}

# Every character a Chinese numeral here may contain (for building regular expressions).
CHINESE_NUMERAL_CHARS = "".join(_DIGITS) + "十" + "".join(_TENS_PREFIXES)


def parse_number(text: str) -> int | None:
    """The value of ASCII digits or a small Chinese numeral; None if `text` is neither."""
    if not text:
        return None
    if text.isascii() and text.isdigit():
        return int(text)
    if all(char in _DIGITS for char in text):
        # One digit, or a digit-by-digit reading such as 零五 or 二〇二六.
        return int("".join(str(_DIGITS[char]) for char in text))
    if text[0] in _TENS_PREFIXES:
        return _tens_and_units(_TENS_PREFIXES[text[0]], text[1:])
    if text.count("十") == 1:
        tens_text, units_text = text.split("十")
        if tens_text == "":
            tens = 1
        elif len(tens_text) == 1 and _DIGITS.get(tens_text, 0) > 0:
            tens = _DIGITS[tens_text]
        else:
            return None
        return _tens_and_units(tens * 10, units_text)
    return None


def _tens_and_units(tens: int, units_text: str) -> int | None:
    if units_text == "":
        return tens
    if len(units_text) == 1 and units_text in _DIGITS:
        return tens + _DIGITS[units_text]
    return None
