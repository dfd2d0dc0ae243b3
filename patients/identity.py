"""Pure parsing, validation and masking of identity documents, phone numbers and names.

Every rejection carries a machine-readable reason so the dialogue can tell the resident exactly
what is wrong, in Chinese. Nothing here does I/O or logs.

- Resident ID (居民身份证), GB 11643-1999: 6-digit region code, 8-digit birth date, 3-digit
  sequence (odd: male), ISO 7064 MOD 11-2 check character. 港澳台居民居住证 use the same layout
  and checksum with the region codes 810000 / 820000 / 830000.
- 港澳居民来往内地通行证 (回乡证): H (Hong Kong) or M (Macau) + 8 digits, or + 10 digits on
  older cards. 台湾居民来往大陆通行证 (台胞证): 8 digits.
- Passports: 1–2 letters + 7–8 digits (Chinese E12345678, EA1234567, G12345678 and many others);
  other foreign passports are only checked loosely (5–17 letters or digits).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from enum import StrEnum

# China has no daylight saving time, so a fixed offset is exact.
CHINA_TZ = timezone(timedelta(hours=8), "Asia/Shanghai")


class DocumentKind(StrEnum):
    RESIDENT_ID = "resident_id"
    RESIDENCE_PERMIT = "residence_permit"  # 港澳台居民居住证
    HK_MACAU_PERMIT = "hk_macau_permit"
    TAIWAN_PERMIT = "taiwan_permit"
    PASSPORT = "passport"
    FOREIGN_PASSPORT = "foreign_passport"


# Shown next to masked numbers in patient lists.
DOCUMENT_KIND_LABELS: dict[DocumentKind, str] = {
    DocumentKind.RESIDENT_ID: "居民身份证",
    DocumentKind.RESIDENCE_PERMIT: "港澳台居民居住证",
    DocumentKind.HK_MACAU_PERMIT: "港澳居民来往内地通行证",
    DocumentKind.TAIWAN_PERMIT: "台湾居民来往大陆通行证",
    DocumentKind.PASSPORT: "护照",
    DocumentKind.FOREIGN_PASSPORT: "外国护照",
}


class Sex(StrEnum):
    MALE = "male"
    FEMALE = "female"


class IdentityErrorReason(StrEnum):
    EMPTY = "empty"
    BAD_CHARACTERS = "bad_characters"
    BAD_LENGTH = "bad_length"
    BAD_FORMAT = "bad_format"  # does not fit the document kind the resident chose
    BAD_REGION = "bad_region"
    BAD_BIRTH_DATE = "bad_birth_date"
    BAD_CHECKSUM = "bad_checksum"
    # 15-digit IDs stopped being valid on 2013-01-01.
    OBSOLETE_15_DIGIT = "obsolete_15_digit"
    LOOKS_LIKE_PHONE = "looks_like_phone"
    UNKNOWN_FORMAT = "unknown_format"


class IdentityError(ValueError):
    """A document number was refused; `reason` says why."""

    def __init__(self, reason: IdentityErrorReason) -> None:
        super().__init__(reason.value)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class IdentityDocument:
    kind: DocumentKind
    number: str  # normalised: no spaces, upper case
    birth_date: date | None = None
    sex: Sex | None = None


# Provinces and their equivalents (GB/T 2260), plus 81/82/83 for the residence permits.
PROVINCE_CODES = frozenset(
    {
        *range(11, 16),
        *range(21, 24),
        *range(31, 38),
        *range(41, 47),
        *range(50, 55),
        *range(61, 66),
        71,
        81,
        82,
        83,
    }
)
RESIDENCE_PERMIT_REGIONS = frozenset({"810000", "820000", "830000"})
_CHECK_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))
_CHECK_CHARACTERS = "10X98765432"
_EARLIEST_BIRTH = date(1900, 1, 1)

_SEPARATORS = re.compile(r"[\s\-‐‑–—_/()（）]+")
_RESIDENT_SHAPE = re.compile(r"\d{17}[\dX]")
_HK_MACAU = re.compile(r"[HM]\d{8}(?:\d{2})?")
_HK_MACAU_LIKE = re.compile(r"[HM]\d+")
_TAIWAN = re.compile(r"\d{8}")
_PASSPORT = re.compile(r"[A-Z]{1,2}\d{7,8}")
_FOREIGN_PASSPORT = re.compile(r"[A-Z0-9]{5,17}")
_AUTO_FOREIGN_PASSPORT = re.compile(r"[A-Z0-9]{5,12}")
_MAINLAND_MOBILE = re.compile(r"1[3-9]\d{9}")


def resident_id_check_character(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character of the first 17 digits of a resident ID."""
    if len(first17) != 17 or not first17.isdigit():
        raise ValueError("expected 17 digits")
    total = sum(int(d) * w for d, w in zip(first17, _CHECK_WEIGHTS, strict=True))
    return _CHECK_CHARACTERS[total % 11]


def normalize_document_text(text: str) -> str:
    """Full-width to ASCII, separators removed, upper case."""
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", text)).upper()


def parse_identity(
    text: str, *, kind: DocumentKind | None = None, today: date | None = None
) -> IdentityDocument:
    """Parse a document number typed by a resident.

    Without `kind` the format decides; with it (the resident chose the document type) the text
    must fit that kind. `today` bounds birth dates (default: today in China). Raises
    `IdentityError`.
    """
    number = normalize_document_text(text)
    if not number:
        raise IdentityError(IdentityErrorReason.EMPTY)
    if not number.isascii() or not number.isalnum():
        raise IdentityError(IdentityErrorReason.BAD_CHARACTERS)
    today = today or datetime.now(CHINA_TZ).date()
    if kind is None:
        return _detect(number, today)
    return _parse_as(number, kind, today)


def _detect(number: str, today: date) -> IdentityDocument:
    if number.isdigit() or (number[:-1].isdigit() and number.endswith("X")):
        return _detect_numeric(number, today)
    if _HK_MACAU.fullmatch(number):
        return IdentityDocument(DocumentKind.HK_MACAU_PERMIT, number)
    if _HK_MACAU_LIKE.fullmatch(number):
        raise IdentityError(IdentityErrorReason.BAD_LENGTH)
    if _PASSPORT.fullmatch(number):
        return IdentityDocument(DocumentKind.PASSPORT, number)
    digits = sum(c.isdigit() for c in number)
    if len(number) >= 15 and digits >= len(number) - 2:
        # A resident ID with a stray letter, not a passport.
        raise IdentityError(IdentityErrorReason.BAD_CHARACTERS)
    # Unprompted, only passport-like numbers (ICAO document numbers have at most 9 characters,
    # a few countries more) count as foreign passports; the resident can choose the kind.
    if 0 < digits < len(number) and _AUTO_FOREIGN_PASSPORT.fullmatch(number):
        return IdentityDocument(DocumentKind.FOREIGN_PASSPORT, number)
    raise IdentityError(IdentityErrorReason.UNKNOWN_FORMAT)


def _detect_numeric(number: str, today: date) -> IdentityDocument:
    """Digits only, or digits ending in X: a resident ID unless clearly something else."""
    if len(number) == 18:
        return _parse_resident_id(number, today)
    if len(number) == 15 and number.isdigit():
        raise IdentityError(IdentityErrorReason.OBSOLETE_15_DIGIT)
    if len(number) == 8 and number.isdigit():
        return IdentityDocument(DocumentKind.TAIWAN_PERMIT, number)
    if _MAINLAND_MOBILE.fullmatch(number):
        raise IdentityError(IdentityErrorReason.LOOKS_LIKE_PHONE)
    raise IdentityError(IdentityErrorReason.BAD_LENGTH)


def _parse_as(number: str, kind: DocumentKind, today: date) -> IdentityDocument:
    if kind in (DocumentKind.RESIDENT_ID, DocumentKind.RESIDENCE_PERMIT):
        if len(number) == 15 and number.isdigit():
            raise IdentityError(IdentityErrorReason.OBSOLETE_15_DIGIT)
        if len(number) != 18:
            raise IdentityError(IdentityErrorReason.BAD_LENGTH)
        # Residents confuse the two cards; the region code tells them apart, so accept either.
        return _parse_resident_id(number, today)
    if kind is DocumentKind.HK_MACAU_PERMIT:
        if _HK_MACAU.fullmatch(number):
            return IdentityDocument(kind, number)
        if _HK_MACAU_LIKE.fullmatch(number):
            raise IdentityError(IdentityErrorReason.BAD_LENGTH)
        raise IdentityError(IdentityErrorReason.BAD_FORMAT)
    if kind is DocumentKind.TAIWAN_PERMIT:
        if _TAIWAN.fullmatch(number):
            return IdentityDocument(kind, number)
        if number.isdigit():
            raise IdentityError(IdentityErrorReason.BAD_LENGTH)
        raise IdentityError(IdentityErrorReason.BAD_FORMAT)
    if kind is DocumentKind.PASSPORT:
        if _PASSPORT.fullmatch(number):
            return IdentityDocument(kind, number)
        raise IdentityError(IdentityErrorReason.BAD_FORMAT)
    # Foreign passports vary too much to check more than the alphabet and the length.
    if _FOREIGN_PASSPORT.fullmatch(number):
        return IdentityDocument(DocumentKind.FOREIGN_PASSPORT, number)
    raise IdentityError(IdentityErrorReason.BAD_LENGTH)


def _parse_resident_id(number: str, today: date) -> IdentityDocument:
    if not _RESIDENT_SHAPE.fullmatch(number):
        raise IdentityError(IdentityErrorReason.BAD_CHARACTERS)
    region = number[:6]
    if int(region[:2]) not in PROVINCE_CODES:
        raise IdentityError(IdentityErrorReason.BAD_REGION)
    is_permit = region[:2] in ("81", "82", "83")
    if is_permit and region not in RESIDENCE_PERMIT_REGIONS:
        raise IdentityError(IdentityErrorReason.BAD_REGION)
    try:
        birth = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise IdentityError(IdentityErrorReason.BAD_BIRTH_DATE) from None
    if not _EARLIEST_BIRTH <= birth <= today:
        raise IdentityError(IdentityErrorReason.BAD_BIRTH_DATE)
    if resident_id_check_character(number[:17]) != number[17]:
        raise IdentityError(IdentityErrorReason.BAD_CHECKSUM)
    sex = Sex.MALE if int(number[16]) % 2 else Sex.FEMALE
    kind = DocumentKind.RESIDENCE_PERMIT if is_permit else DocumentKind.RESIDENT_ID
    return IdentityDocument(kind, number, birth, sex)


# --- phones -------------------------------------------------------------------------------------


class PhoneErrorReason(StrEnum):
    EMPTY = "empty"
    BAD_CHARACTERS = "bad_characters"
    BAD_LENGTH = "bad_length"
    NOT_MOBILE = "not_mobile"
    # 8 digits could be Hong Kong or Macau: the resident must say which (+852 / +853).
    MISSING_COUNTRY_CODE = "missing_country_code"
    UNSUPPORTED_COUNTRY = "unsupported_country"


class PhoneError(ValueError):
    """A phone number was refused; `reason` says why."""

    def __init__(self, reason: PhoneErrorReason) -> None:
        super().__init__(reason.value)
        self.reason = reason


class PhoneRegion(StrEnum):
    MAINLAND = "CN"
    HONG_KONG = "HK"
    MACAU = "MO"


@dataclass(frozen=True, slots=True)
class Phone:
    e164: str  # "+8613812345678"
    national: str  # "13812345678"
    region: PhoneRegion


_COUNTRY_CODES = {
    "86": PhoneRegion.MAINLAND,
    "852": PhoneRegion.HONG_KONG,
    "853": PhoneRegion.MACAU,
}
_NATIONAL_MOBILE = {
    PhoneRegion.MAINLAND: re.compile(r"1[3-9]\d{9}"),
    # Hong Kong mobiles start with 4–9 (2 and 3 are fixed lines); Macau mobiles with 6.
    PhoneRegion.HONG_KONG: re.compile(r"[4-9]\d{7}"),
    PhoneRegion.MACAU: re.compile(r"6\d{7}"),
}
_NATIONAL_LENGTH = {PhoneRegion.MAINLAND: 11, PhoneRegion.HONG_KONG: 8, PhoneRegion.MACAU: 8}
_PHONE_SEPARATORS = re.compile(r"[\s\-‐‑–—.()（）]+")


def parse_phone(text: str) -> Phone:
    """Parse a mainland, Hong Kong or Macau mobile number; raises `PhoneError`."""
    compact = _PHONE_SEPARATORS.sub("", unicodedata.normalize("NFKC", text))
    if not compact:
        raise PhoneError(PhoneErrorReason.EMPTY)
    explicit = compact.startswith(("+", "00"))
    digits = compact[1:] if compact.startswith("+") else compact
    if digits.startswith("00"):
        digits = digits[2:]
    if not digits.isascii() or not digits.isdigit():
        raise PhoneError(PhoneErrorReason.BAD_CHARACTERS)
    region, national = _split_country(digits, explicit=explicit)
    if len(national) != _NATIONAL_LENGTH[region]:
        raise PhoneError(PhoneErrorReason.BAD_LENGTH)
    if not _NATIONAL_MOBILE[region].fullmatch(national):
        raise PhoneError(PhoneErrorReason.NOT_MOBILE)
    code = next(c for c, r in _COUNTRY_CODES.items() if r is region)
    return Phone(f"+{code}{national}", national, region)


def _split_country(digits: str, *, explicit: bool) -> tuple[PhoneRegion, str]:
    for code in ("852", "853", "86"):
        region, without = _COUNTRY_CODES[code], digits[len(code) :]
        # Without "+" a leading 86/852/853 counts only when the rest has the right length.
        if digits.startswith(code) and (explicit or len(without) == _NATIONAL_LENGTH[region]):
            return region, without
    if explicit:
        raise PhoneError(PhoneErrorReason.UNSUPPORTED_COUNTRY)
    if len(digits) == 8:
        raise PhoneError(PhoneErrorReason.MISSING_COUNTRY_CODE)
    if digits.startswith("0"):
        raise PhoneError(PhoneErrorReason.NOT_MOBILE)  # a fixed line with its area code
    return PhoneRegion.MAINLAND, digits


# --- names --------------------------------------------------------------------------------------


class NameErrorReason(StrEnum):
    EMPTY = "empty"
    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    BAD_CHARACTERS = "bad_characters"


class PersonNameError(ValueError):
    """A patient name was refused; `reason` says why."""

    def __init__(self, reason: NameErrorReason) -> None:
        super().__init__(reason.value)
        self.reason = reason


MAX_NAME_LENGTH = 50
# Minority and foreign names are written with a middle dot: 阿依古丽·买买提.
_NAME_DOTS = str.maketrans({c: "·" for c in "•・･‧∙⋅"})
_NAME_PUNCTUATION = frozenset(" ·-'.")
_SPACE_BETWEEN_HAN = re.compile(r"(?<=[\u3400-\u9fff]) (?=[\u3400-\u9fff])")


def normalize_person_name(text: str) -> str:
    """A patient's name as it should be stored: Chinese, Latin letters, and · - ' . only."""
    name = " ".join(unicodedata.normalize("NFKC", text).translate(_NAME_DOTS).split())
    name = _SPACE_BETWEEN_HAN.sub("", name)  # 张 三 is 张三; John Smith keeps its space
    if not name:
        raise PersonNameError(NameErrorReason.EMPTY)
    # Digits are refused on purpose: an ID or phone typed into the name field must not be stored.
    if not all(c.isalpha() or c in _NAME_PUNCTUATION for c in name):
        raise PersonNameError(NameErrorReason.BAD_CHARACTERS)
    letters = sum(c.isalpha() for c in name)
    if letters < 2:
        raise PersonNameError(NameErrorReason.TOO_SHORT)
    if len(name) > MAX_NAME_LENGTH:
        raise PersonNameError(NameErrorReason.TOO_LONG)
    return name


# --- masking ------------------------------------------------------------------------------------


def mask_id_number(number: str) -> str:
    """Hide the middle of a document number: 4401**********1234, H*****678.

    18-character IDs keep 4 + 4 (region prefix and the end, as banks and hospitals show them);
    shorter documents keep less so that most of the number stays hidden.
    """
    compact = normalize_document_text(number)
    n = len(compact)
    if n >= 15:
        head, tail = 4, 4
    elif n >= 10:
        head, tail = 2, 3
    elif n >= 8:
        head, tail = 1, 3
    elif n >= 5:
        head, tail = 1, 2
    else:
        head, tail = 0, 0
    return compact[:head] + "*" * (n - head - tail) + compact[n - tail :] if tail else "*" * n


def mask_phone(text: str) -> str:
    """138****5678 for mainland mobiles, +852 51****78 for Hong Kong and Macau."""
    try:
        phone = parse_phone(text)
    except PhoneError:
        digits = "".join(c for c in unicodedata.normalize("NFKC", text) if c.isdigit())
        return "*" * max(len(digits) - 2, 0) + digits[-2:]
    national = phone.national
    if phone.region is PhoneRegion.MAINLAND:
        return f"{national[:3]}****{national[-4:]}"
    return f"{phone.e164[:4]} {national[:2]}****{national[-2:]}"


def mask_name(name: str) -> str:
    """张* , 张*丰, 欧**娜: enough for a resident to recognise family members."""
    if len(name) <= 1:
        return "*"
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def age_on(birth_date: date, day: date) -> int:
    """Completed years on `day`."""
    had_birthday = (day.month, day.day) >= (birth_date.month, birth_date.day)
    return day.year - birth_date.year - (0 if had_birthday else 1)
