import pytest

from common.chinese_numbers import CHINESE_NUMERAL_CHARS, parse_number


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("一", 1),
        ("九", 9),
        ("十", 10),
        ("十一", 11),
        ("十九", 19),
        ("二十", 20),
        ("二十三", 23),
        ("三十一", 31),
        ("五十九", 59),
        ("一十五", 15),
        ("两", 2),
        ("〇", 0),
        ("零", 0),
        ("零五", 5),
        ("〇五", 5),
        ("二〇二六", 2026),
        ("廿三", 23),
        ("廿", 20),
        ("卅", 30),
        ("卅一", 31),
        ("7", 7),
        ("07", 7),
        ("2026", 2026),
    ],
)
def test_parse_number(text, value):
    assert parse_number(text) == value


@pytest.mark.parametrize(
    "text",
    ["", "十十", "三十五六", "零十", "两百", "三月", "一点", "²", "٣", "1.5", "-3", "廿十"],
)
def test_not_a_small_number(text):
    assert parse_number(text) is None


def test_numeral_characters_are_exactly_those_parsed_alone():
    alone = {char for char in CHINESE_NUMERAL_CHARS if parse_number(char) is not None}
    assert alone == set(CHINESE_NUMERAL_CHARS)
