"""What the gateway must hide from Rasa (positives) and what it must leave alone (negatives)."""

from __future__ import annotations

import pytest
from patients_testdata import resident_id

from patients.redaction import TOKEN_PATTERN, SensitiveSpan, find_sensitive, redact

ID = resident_id()


def found(text: str) -> list[tuple[str, str]]:
    return [(span.kind, span.value) for span in find_sensitive(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"身份证{ID}", [("id_document", ID)]),
        ("我的身份证是11010519491231002x。", [("id_document", "11010519491231002x")]),
        ("110105 19491231 002X", [("id_document", "110105 19491231 002X")]),
        ("4401 0619 9001 0112 34", [("id_document", "4401 0619 9001 0112 34")]),
        ("ID440106199001011234号", [("id_document", "440106199001011234")]),
        (f"{ID[:-1]}0", [("id_document", f"{ID[:-1]}0")]),  # wrong check digit: still an ID
        ("回乡证H12345678", [("id_document", "H12345678")]),
        ("回乡证 m1234567890", [("id_document", "m1234567890")]),
        ("护照E12345678，", [("id_document", "E12345678")]),
        ("passport EA1234567", [("id_document", "EA1234567")]),
        ("电话13812345678", [("phone", "13812345678")]),
        ("+86 138 1234 5678", [("phone", "+86 138 1234 5678")]),
        ("138-1234-5678", [("phone", "138-1234-5678")]),
        ("8613812345678", [("phone", "8613812345678")]),
        ("+852 5123 4567", [("phone", "+852 5123 4567")]),
        ("澳门+85366123456", [("phone", "+85366123456")]),
        ("１３８１２３４５６７８", [("phone", "１３８１２３４５６７８")]),
        ("手机 13812345678 13987654321", [("phone", "13812345678"), ("phone", "13987654321")]),
        (
            f"电话13812345678 身份证{ID}",
            [("phone", "13812345678"), ("id_document", ID)],
        ),
        ("号码1381234567", [("digits", "1381234567")]),  # a phone missing a digit
        ("4401061990010112", [("digits", "4401061990010112")]),  # an ID missing two
        ("440106900101123", [("digits", "440106900101123")]),  # an old 15-digit ID
        ("台胞证12345678", [("digits", "12345678")]),
        ("香港 51234567", [("digits", "51234567")]),
        ("卡号 6222 0212 3456", [("digits", "6222 0212 3456")]),
    ],
)
def test_finds_sensitive_numbers(text: str, expected: list[tuple[str, str]]) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "我想挂2026-03-05的号",
        "2026年3月5日上午",
        "2026/03/05 14:30",
        "20260305",
        "2026-03-05 至 2026-03-12",
        "明天 08:00-12:00",
        "验证码 123456",
        "验证码是 654 321",
        "挂号费 ¥25.50",
        "一共1280元",
        "12345678.90元",
        "1",
        "选 3",
        "打120",
        "心理援助热线12356",
        "邮编510000",
        "1,234,567,890",
        "PII-ID-abcdefghij234567",
        "我的号码是PII-PHONE-23456723456723",
    ],
)
def test_leaves_ordinary_numbers_alone(text: str) -> None:
    assert find_sensitive(text) == []


def test_spans_point_into_the_text() -> None:
    text = f"给妈妈挂号，身份证 {ID}，电话 +86 138-1234-5678。"
    for span in find_sensitive(text):
        assert text[span.start : span.end] == span.value
    assert len(find_sensitive(text)) == 2


def test_redact_replaces_each_span_and_keeps_the_rest() -> None:
    text = f"身份证{ID}，电话13812345678，谢谢"
    seen: list[SensitiveSpan] = []

    def token(span: SensitiveSpan) -> str:
        seen.append(span)
        return f"<{span.kind}>"

    assert redact(text, token) == "身份证<id_document>，电话<phone>，谢谢"
    assert [s.value for s in seen] == [ID, "13812345678"]
    assert redact("没有号码", token) == "没有号码"


@pytest.mark.parametrize(
    ("token", "matches"),
    [
        ("PII-ID-abcdefghij", True),
        ("PII-PHONE-a2b3c4d5e6f7g", True),
        ("PII-NUM-zzzzzzzzzz", True),
        ("PII-ID-abcdefghi", False),  # too short
        ("PII-ID-ABCDEFGHIJ", False),  # upper case is not our alphabet
        ("PII-ID-abcdefgh18", False),  # 1 and 8 are not base32
        ("PII-CARD-abcdefghij", False),
    ],
)
def test_token_pattern(token: str, matches: bool) -> None:
    assert (TOKEN_PATTERN.fullmatch(token) is not None) is matches
