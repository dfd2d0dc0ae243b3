"""Identity documents, phones, names and masking, table-driven. Valid resident IDs are computed
from the ISO 7064 MOD 11-2 algorithm (plus the published sample 11010519491231002X)."""

from __future__ import annotations

from datetime import date

import pytest
from patients_testdata import resident_id, wrong_check

from patients.identity import (
    DocumentKind,
    IdentityError,
    IdentityErrorReason,
    NameErrorReason,
    PersonNameError,
    PhoneError,
    PhoneErrorReason,
    PhoneRegion,
    Sex,
    age_on,
    mask_id_number,
    mask_name,
    mask_phone,
    normalize_person_name,
    parse_identity,
    parse_phone,
    resident_id_check_character,
)

TODAY = date(2026, 11, 23)
R = IdentityErrorReason
K = DocumentKind


def test_check_character_of_the_published_sample() -> None:
    # GB 11643-1999's worked example.
    assert resident_id_check_character("11010519491231002") == "X"


def test_check_character_follows_mod_11_2_by_hand() -> None:
    digits = "44010619900101123"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    remainder = sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11
    assert resident_id_check_character(digits) == "10X98765432"[remainder]


@pytest.mark.parametrize(
    ("text", "kind", "number", "birth", "sex"),
    [
        ("11010519491231002X", K.RESIDENT_ID, "11010519491231002X", date(1949, 12, 31), Sex.FEMALE),
        ("11010519491231002x", K.RESIDENT_ID, "11010519491231002X", date(1949, 12, 31), Sex.FEMALE),
        (" 110105 19491231 002X ", K.RESIDENT_ID, "11010519491231002X", date(1949, 12, 31), None),
        ("１１０１０５１９４９１２３１００２Ｘ", K.RESIDENT_ID, "11010519491231002X", None, None),
        ("1101-0519-4912-3100-2X", K.RESIDENT_ID, "11010519491231002X", None, None),
        (resident_id(), K.RESIDENT_ID, resident_id(), date(1990, 1, 1), Sex.MALE),
        (resident_id(sequence="124"), K.RESIDENT_ID, None, date(1990, 1, 1), Sex.FEMALE),
        (resident_id(birth="20000229"), K.RESIDENT_ID, None, date(2000, 2, 29), None),
        (resident_id(birth="19000101"), K.RESIDENT_ID, None, date(1900, 1, 1), None),
        (resident_id(birth="20261123"), K.RESIDENT_ID, None, TODAY, None),
        (resident_id(region="110101"), K.RESIDENT_ID, None, None, None),
        (resident_id(region="650102"), K.RESIDENT_ID, None, None, None),
        (resident_id(region="710000"), K.RESIDENT_ID, None, None, None),
        (resident_id(region="810000"), K.RESIDENCE_PERMIT, None, None, None),
        (resident_id(region="820000"), K.RESIDENCE_PERMIT, None, None, None),
        (resident_id(region="830000"), K.RESIDENCE_PERMIT, None, None, None),
        ("H12345678", K.HK_MACAU_PERMIT, "H12345678", None, None),
        ("h1234567890", K.HK_MACAU_PERMIT, "H1234567890", None, None),
        ("M 8765 4321", K.HK_MACAU_PERMIT, "M87654321", None, None),
        ("12345678", K.TAIWAN_PERMIT, "12345678", None, None),
        ("E12345678", K.PASSPORT, "E12345678", None, None),
        ("e12345678", K.PASSPORT, "E12345678", None, None),
        ("EA1234567", K.PASSPORT, "EA1234567", None, None),
        ("G12345678", K.PASSPORT, "G12345678", None, None),
        ("P1234567", K.PASSPORT, "P1234567", None, None),
        ("X1234AB56", K.FOREIGN_PASSPORT, "X1234AB56", None, None),
        ("09AA12345", K.FOREIGN_PASSPORT, "09AA12345", None, None),
    ],
)
def test_parse_identity_accepts(text, kind, number, birth, sex) -> None:
    document = parse_identity(text, today=TODAY)
    assert document.kind is kind
    if number is not None:
        assert document.number == number
    assert document.number == document.number.upper()
    assert " " not in document.number
    if birth is not None:
        assert document.birth_date == birth
    if sex is not None:
        assert document.sex is sex
    if kind in (K.RESIDENT_ID, K.RESIDENCE_PERMIT):
        assert document.birth_date is not None and document.sex is not None
    else:
        assert document.birth_date is None and document.sex is None


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", R.EMPTY),
        ("   ", R.EMPTY),
        (wrong_check("11010519491231002X"), R.BAD_CHECKSUM),
        (wrong_check(resident_id()), R.BAD_CHECKSUM),
        ("110105194912310021", R.BAD_CHECKSUM),
        (resident_id(birth="19900230"), R.BAD_BIRTH_DATE),
        (resident_id(birth="19000229"), R.BAD_BIRTH_DATE),  # 1900 was not a leap year
        (resident_id(birth="18991231"), R.BAD_BIRTH_DATE),
        (resident_id(birth="20261124"), R.BAD_BIRTH_DATE),  # tomorrow
        (resident_id(birth="19901301"), R.BAD_BIRTH_DATE),
        (resident_id(birth="19900100"), R.BAD_BIRTH_DATE),
        (resident_id(region="990101"), R.BAD_REGION),
        (resident_id(region="000000"), R.BAD_REGION),
        (resident_id(region="160101"), R.BAD_REGION),
        (resident_id(region="240101"), R.BAD_REGION),
        (resident_id(region="380101"), R.BAD_REGION),
        (resident_id(region="470101"), R.BAD_REGION),
        (resident_id(region="550101"), R.BAD_REGION),
        (resident_id(region="660101"), R.BAD_REGION),
        (resident_id(region="720101"), R.BAD_REGION),
        (resident_id(region="840000"), R.BAD_REGION),
        (resident_id(region="810001"), R.BAD_REGION),  # permits use exactly 810000
        ("440106900101123", R.OBSOLETE_15_DIGIT),
        (resident_id()[:17], R.BAD_LENGTH),
        (resident_id() + "1", R.BAD_LENGTH),
        ("1234567", R.BAD_LENGTH),
        ("13812345678", R.LOOKS_LIKE_PHONE),
        ("1101051949X231002X", R.BAD_CHARACTERS),
        ("4401#6199001011234", R.BAD_CHARACTERS),
        ("身份证号", R.BAD_CHARACTERS),
        ("H1234567", R.BAD_LENGTH),
        ("H123456789", R.BAD_LENGTH),
        ("ABCDEFG", R.UNKNOWN_FORMAT),
        ("AB12", R.UNKNOWN_FORMAT),
        ("ABCDEFGH12345678901", R.UNKNOWN_FORMAT),
    ],
)
def test_parse_identity_refuses(text, reason) -> None:
    with pytest.raises(IdentityError) as caught:
        parse_identity(text, today=TODAY)
    assert caught.value.reason is reason


@pytest.mark.parametrize(
    ("text", "kind", "expected"),
    [
        ("11010519491231002X", K.RESIDENT_ID, K.RESIDENT_ID),
        # The two 18-character cards are told apart by region, whichever the resident chose.
        (resident_id(region="810000"), K.RESIDENT_ID, K.RESIDENCE_PERMIT),
        ("11010519491231002X", K.RESIDENCE_PERMIT, K.RESIDENT_ID),
        ("H12345678", K.PASSPORT, K.PASSPORT),
        ("12345678", K.TAIWAN_PERMIT, K.TAIWAN_PERMIT),
        ("123456789", K.FOREIGN_PASSPORT, K.FOREIGN_PASSPORT),
        ("AB", K.FOREIGN_PASSPORT, None),
        ("A" * 18, K.FOREIGN_PASSPORT, None),
        ("440106900101123", K.RESIDENT_ID, None),
        ("4401061990010112", K.RESIDENT_ID, None),
        ("123456789", K.PASSPORT, None),
        ("E12345678", K.HK_MACAU_PERMIT, None),
        ("H123", K.HK_MACAU_PERMIT, None),
        ("1234567", K.TAIWAN_PERMIT, None),
        ("A1234567", K.TAIWAN_PERMIT, None),
    ],
)
def test_parse_identity_with_a_chosen_kind(text, kind, expected) -> None:
    if expected is None:
        with pytest.raises(IdentityError) as caught:
            parse_identity(text, kind=kind, today=TODAY)
        assert caught.value.reason in (R.BAD_LENGTH, R.BAD_FORMAT, R.OBSOLETE_15_DIGIT)
    else:
        assert parse_identity(text, kind=kind, today=TODAY).kind is expected


def test_chosen_kind_reasons_are_specific() -> None:
    cases = [
        ("440106900101123", K.RESIDENT_ID, R.OBSOLETE_15_DIGIT),
        ("E12345678", K.HK_MACAU_PERMIT, R.BAD_FORMAT),
        ("H123", K.HK_MACAU_PERMIT, R.BAD_LENGTH),
        ("A1234567", K.TAIWAN_PERMIT, R.BAD_FORMAT),
    ]
    for text, kind, reason in cases:
        with pytest.raises(IdentityError) as caught:
            parse_identity(text, kind=kind, today=TODAY)
        assert caught.value.reason is reason, text


@pytest.mark.parametrize(
    ("text", "e164", "national", "region"),
    [
        ("13812345678", "+8613812345678", "13812345678", PhoneRegion.MAINLAND),
        ("+86 138 1234 5678", "+8613812345678", "13812345678", PhoneRegion.MAINLAND),
        ("+86-138-1234-5678", "+8613812345678", "13812345678", PhoneRegion.MAINLAND),
        ("86 13812345678", "+8613812345678", "13812345678", PhoneRegion.MAINLAND),
        ("008613812345678", "+8613812345678", "13812345678", PhoneRegion.MAINLAND),
        ("(+86) 199-0000-1111", "+8619900001111", "19900001111", PhoneRegion.MAINLAND),
        ("１３８１２３４５６７８", "+8613812345678", "13812345678", PhoneRegion.MAINLAND),
        ("+852 5123 4567", "+85251234567", "51234567", PhoneRegion.HONG_KONG),
        ("+852 9123-4567", "+85291234567", "91234567", PhoneRegion.HONG_KONG),
        ("00852 61234567", "+85261234567", "61234567", PhoneRegion.HONG_KONG),
        ("85261234567", "+85261234567", "61234567", PhoneRegion.HONG_KONG),
        ("+853 6612 3456", "+85366123456", "66123456", PhoneRegion.MACAU),
        ("85366123456", "+85366123456", "66123456", PhoneRegion.MACAU),
    ],
)
def test_parse_phone_accepts(text, e164, national, region) -> None:
    phone = parse_phone(text)
    assert (phone.e164, phone.national, phone.region) == (e164, national, region)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", PhoneErrorReason.EMPTY),
        (" - ", PhoneErrorReason.EMPTY),
        ("138abc45678", PhoneErrorReason.BAD_CHARACTERS),
        ("12812345678", PhoneErrorReason.NOT_MOBILE),
        ("1381234567", PhoneErrorReason.BAD_LENGTH),
        ("138123456789", PhoneErrorReason.BAD_LENGTH),
        ("+86 138 1234 567", PhoneErrorReason.BAD_LENGTH),
        ("+852 2123 4567", PhoneErrorReason.NOT_MOBILE),
        ("+853 2812 3456", PhoneErrorReason.NOT_MOBILE),
        ("+852 5123 456", PhoneErrorReason.BAD_LENGTH),
        ("51234567", PhoneErrorReason.MISSING_COUNTRY_CODE),
        ("+1 415 555 2671", PhoneErrorReason.UNSUPPORTED_COUNTRY),
        ("020-12345678", PhoneErrorReason.NOT_MOBILE),
        ("+86 020 1234 5678", PhoneErrorReason.NOT_MOBILE),
    ],
)
def test_parse_phone_refuses(text, reason) -> None:
    with pytest.raises(PhoneError) as caught:
        parse_phone(text)
    assert caught.value.reason is reason


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("440106199001011234", "4401**********1234"),
        ("11010519491231002x", "1101**********002X"),
        ("110105 19491231 002X", "1101**********002X"),
        ("H1234567890", "H1******890"),
        ("E12345678", "E*****678"),
        ("12345678", "1****678"),
        ("AB123", "A**23"),
        ("1234", "****"),
    ],
)
def test_mask_id_number(number, masked) -> None:
    assert mask_id_number(number) == masked


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("13812345678", "138****5678"),
        ("+86 138-1234-5678", "138****5678"),
        ("+8613812345678", "138****5678"),
        ("+85251234567", "+852 51****67"),
        ("+853 6612 3456", "+853 66****56"),
        ("12345", "***45"),  # not a phone: hide all but the end anyway
    ],
)
def test_mask_phone(text, masked) -> None:
    assert mask_phone(text) == masked


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("张三", "张三"),
        ("  张 三 ", "张三"),
        ("欧阳娜娜", "欧阳娜娜"),
        ("阿依古丽•买买提", "阿依古丽·买买提"),
        ("John  Smith", "John Smith"),
        ("Ｍａｒｙ O'Neil", "Mary O'Neil"),
    ],
)
def test_normalize_person_name(text, name) -> None:
    assert normalize_person_name(text) == name


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", NameErrorReason.EMPTY),
        ("张", NameErrorReason.TOO_SHORT),
        ("张3", NameErrorReason.BAD_CHARACTERS),
        ("440106199001011234", NameErrorReason.BAD_CHARACTERS),
        ("张三@", NameErrorReason.BAD_CHARACTERS),
        ("张" * 51, NameErrorReason.TOO_LONG),
    ],
)
def test_normalize_person_name_refuses(text, reason) -> None:
    with pytest.raises(PersonNameError) as caught:
        normalize_person_name(text)
    assert caught.value.reason is reason


@pytest.mark.parametrize(
    ("name", "masked"),
    [("张三", "张*"), ("张三丰", "张*丰"), ("欧阳娜娜", "欧**娜"), ("李", "*")],
)
def test_mask_name(name, masked) -> None:
    assert mask_name(name) == masked


@pytest.mark.parametrize(
    ("birth", "day", "age"),
    [
        (date(1990, 1, 1), date(2026, 11, 23), 36),
        (date(1990, 11, 24), date(2026, 11, 23), 35),
        (date(1990, 11, 23), date(2026, 11, 23), 36),
        (date(2000, 2, 29), date(2026, 2, 28), 25),
    ],
)
def test_age_on(birth, day, age) -> None:
    assert age_on(birth, day) == age
