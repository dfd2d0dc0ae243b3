import pytest

from actions.patients.parsing import (
    NameProblem,
    asks_for_resend,
    check_patient_name,
    document_answer,
    name_answer,
    patient_id,
    phone_answer,
    verification_code,
)

ID = "PII-ID-abcdefghij234567"
PHONE = "PII-PHONE-bcdefghij234567"
NUM = "PII-NUM-cdefghij234567"


@pytest.mark.parametrize(
    ("text", "asked", "name"),
    [
        ("陈大文", True, "陈大文"),
        ("我叫李小红", True, "李小红"),
        ("名字是王建华", True, "王建华"),
        ("病人叫张伟。", True, "张伟"),
        ("佢叫梁志明", True, "梁志明"),
        ("我妈叫陈大文", True, "陈大文"),
        ("姓名：黄美娟", True, "黄美娟"),
        ("呃 陈大文", True, "陈大文"),
        ("Mary Chan", True, "Mary Chan"),
        (f"名字是陈大文，身份证{ID}", False, "陈大文"),
        (f"陈大文 身份证{ID}", True, "陈大文"),
        ("我老婆叫黄美娟", False, "黄美娟"),
        (ID, True, ID),  # refused later, with the reason
        ("给我妈", False, None),
        ("名字写错了", False, None),
        ("荔湾有哪些医院", False, None),
    ],
)
def test_name_answer(text, asked, name):
    assert name_answer(text, asked=asked) == name


@pytest.mark.parametrize(
    ("text", "result"),
    [
        ("陈大文", "陈大文"),
        ("  阿依古丽•买买提 ", "阿依古丽·买买提"),
        ("陈", NameProblem.TOO_SHORT),
        ("", NameProblem.EMPTY),
        ("陈" * 20, "陈" * 20),
        ("陈" * 21, NameProblem.TOO_LONG),
        ("陈大文1", NameProblem.HAS_NUMBER),
        ("陈大文１", NameProblem.HAS_NUMBER),  # full-width digit
        (NUM, NameProblem.HAS_NUMBER),
        ("陈@大文", NameProblem.BAD_CHARACTERS),
    ],
)
def test_check_patient_name(text, result):
    assert check_patient_name(text) == result


@pytest.mark.parametrize(
    ("text", "asked", "answer"),
    [
        (f"身份证是{ID}", True, ID),
        (f"身份证是{ID}", False, ID),
        (f"{PHONE} {ID}", True, ID),
        (PHONE, True, PHONE),  # a wrong answer the validation explains
        (PHONE, False, None),
        (NUM, True, NUM),
        ("证件号 H1234", True, "H1234"),
        ("不知道", True, "不知道"),
        ("陈大文", False, None),
    ],
)
def test_document_answer(text, asked, answer):
    assert document_answer(text, asked=asked) == answer


@pytest.mark.parametrize(
    ("text", "asked", "document_asked", "answer"),
    [
        (f"手机{PHONE}", True, False, PHONE),
        (f"手机{PHONE}", False, False, PHONE),
        (NUM, True, False, NUM),
        ("+1 234567", True, False, "+1 234567"),
        (PHONE, False, True, None),  # the document question takes it
        (f"{ID} {PHONE}", False, True, PHONE),
        (ID, False, False, None),
    ],
)
def test_phone_answer(text, asked, document_asked, answer):
    assert phone_answer(text, asked=asked, document_asked=document_asked) == answer


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("482910", "482910"),
        ("验证码是 482910", "482910"),
        ("482 910", "482910"),
        ("４８２９１０", "482910"),
        ("12345", None),
        ("1234567", None),
        ("482910 或者 105837", None),
        ("PII-NUM-ab234567cdefgh", None),  # digits inside a token are not a code
        ("重新发送", None),
    ],
)
def test_verification_code(text, code):
    assert verification_code(text) == code


@pytest.mark.parametrize(
    ("text", "resend"),
    [("重新发送", True), ("没收到", True), ("再发一次", True), ("重發", True), ("482910", False)],
)
def test_asks_for_resend(text, resend):
    assert asks_for_resend(text) is resend


@pytest.mark.parametrize(
    ("value", "result"), [("3", 3), (3, 3), (" 12 ", 12), ("x", None), ("", None), (None, None)]
)
def test_patient_id(value, result):
    assert patient_id(value) == result
