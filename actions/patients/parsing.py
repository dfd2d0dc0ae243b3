"""Pure reading of what a resident answered in the patient dialogue: no I/O, nothing raises.

The gateway has already replaced ID and phone numbers with vault tokens
(`patients.redaction.TOKEN_PATTERN`), so answers hold tokens where those numbers were typed;
only short numbers (a 6-digit code, an ID typed far too short) reach us as typed. The functions
here pick the token or text that answers a question; resolving and validating them is the
caller's job (`patients.identity`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from patients.identity import PersonNameError, normalize_person_name
from patients.redaction import TOKEN_PATTERN

# The brief for the form: 2–20 characters (identity allows 50 for long transliterated names,
# but a chat form that wants more than 20 is being fed something other than a name).
MAX_NAME_CHARACTERS = 20
CODE_DIGITS = 6

ID_TOKEN = "ID"
PHONE_TOKEN = "PHONE"


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # ID, PHONE or NUM, as in the token itself
    text: str


class NameProblem(StrEnum):
    """Why a name was refused; the first four are `patients.identity.NameErrorReason`."""

    EMPTY = "empty"
    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    BAD_CHARACTERS = "bad_characters"
    HAS_NUMBER = "has_number"


# Openers people type before the answer itself.
_FILLERS = re.compile(r"^(?:呃|嗯|额|那个|就是|係|是)[\s,，、]*")
# 「名字是…」「姓名：…」「我叫…」: clear enough to read a name even when it was not asked.
_NAME_MARKER = re.compile(
    r"(?:名字|姓名)\s*(?:是|叫|係|系|为|:|：)\s*"
    r"|(?:我|他|她|佢|病人|患者|就诊人)[^\s，,。叫]{0,3}?(?:的名字)?(?:叫做|叫)\s*"
)
# When the name was asked for, 「我妈叫…」 too: anything short before 叫.
_ASKED_NAME_MARKER = re.compile(r"^(?:.{0,4}?(?:叫做|叫)|名字|姓名)\s*")
_TRAILING = re.compile(r"[\s。.!！~～,，、;；]+$")
# Where a name given with other details ends: 「名字是陈大文，身份证PII-ID-…」.
_NAME_END = re.compile(r"[，,。;；、!！?？]|PII-")
_HAN_THEN_SPACE = re.compile(r"^([\u4e00-\u9fff·]+)\s")
_ALNUM_RUN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9 \-]*[A-Za-z0-9])?")
_PHONE_RUN = re.compile(r"\+?\d(?:[\d \-]*\d)?")
_DIGIT_JOINERS = re.compile(r"(?<=\d)[\s\-]+(?=\d)")
_CODE = re.compile(rf"(?<!\d)\d{{{CODE_DIGITS}}}(?!\d)")
_RESEND_WORDS = ("重新发", "重新發", "重发", "重發", "再发", "再發", "没收到", "收不到", "沒收到")


def tokens(text: str) -> list[Token]:
    """The vault tokens in `text`, in order."""
    return [Token(m.group("kind"), m.group()) for m in TOKEN_PATTERN.finditer(text)]


def is_token(value: str) -> bool:
    return TOKEN_PATTERN.fullmatch(value.strip()) is not None


def token_kind(value: str) -> str | None:
    match = TOKEN_PATTERN.fullmatch(value.strip())
    return match.group("kind") if match else None


def document_answer(text: str, *, asked: bool) -> str | None:
    """What in `text` answers "the ID document": an ID token anywhere; when the document was
    asked for, any token or else the typed characters (too short to have been redacted)."""
    found = tokens(text)
    ids = [t.text for t in found if t.kind == ID_TOKEN]
    if ids:
        return ids[0]
    if not asked:
        return None
    if found:
        return found[0].text
    return _longest(_ALNUM_RUN, text)


def phone_answer(text: str, *, asked: bool, document_asked: bool = False) -> str | None:
    """What in `text` answers "the phone": a phone token, or when the phone was asked for any
    token or the typed digits. While the document is asked for, a lone phone token is taken as
    a (wrong) answer to that question instead, so it is not also read as the phone."""
    found = tokens(text)
    phones = [t.text for t in found if t.kind == PHONE_TOKEN]
    if asked:
        if phones:
            return phones[0]
        if found:
            return found[0].text
        return _longest(_PHONE_RUN, text)
    if document_asked and not any(t.kind == ID_TOKEN for t in found):
        return None
    return phones[0] if phones else None


def name_answer(text: str, *, asked: bool) -> str | None:
    """The name in `text`: all of it (less 「我叫」-style openers) when the name was asked for,
    otherwise only what follows an explicit 「名字是」「我叫」."""
    cleaned = _FILLERS.sub("", unicodedata.normalize("NFKC", text).strip())
    marker = _NAME_MARKER.search(cleaned)
    if marker is None and asked:
        marker = _ASKED_NAME_MARKER.search(cleaned)
    if marker is not None:
        cleaned = cleaned[marker.end() :]
    elif not asked:
        return None
    name = _NAME_END.split(cleaned, maxsplit=1)[0].strip()
    # A Chinese name ends at a space (「陈大文 身份证…」); Latin names have spaces inside.
    han = _HAN_THEN_SPACE.match(name)
    name = _TRAILING.sub("", han.group(1) if han else name).strip()
    # Nothing before a number: the whole answer, so that the check can say what is wrong.
    return name or cleaned.strip()


def check_patient_name(text: str) -> str | NameProblem:
    """The name to keep (normalised), or why it cannot be a patient's name."""
    if TOKEN_PATTERN.search(text) or any(c.isdigit() for c in unicodedata.normalize("NFKC", text)):
        # Digits in a name are nearly always an ID or phone typed into the wrong field.
        return NameProblem.HAS_NUMBER
    try:
        name = normalize_person_name(text)
    except PersonNameError as error:
        return NameProblem(error.reason.value)
    if len(name) > MAX_NAME_CHARACTERS:
        return NameProblem.TOO_LONG
    return name


def verification_code(text: str) -> str | None:
    """The one 6-digit code in `text` (「验证码是 482 910」), or None when there is none or
    several."""
    plain = TOKEN_PATTERN.sub(" ", unicodedata.normalize("NFKC", text))
    codes = _CODE.findall(_DIGIT_JOINERS.sub("", plain))
    return codes[0] if len(codes) == 1 else None


def asks_for_resend(text: str) -> bool:
    """「重新发送」「没收到」: the resident wants a new code."""
    return any(word in text for word in _RESEND_WORDS)


def patient_id(value: object) -> int | None:
    """A patient id from a button payload entity ("3"), or None."""
    text = str(value).strip() if value is not None else ""
    return int(text) if text.isascii() and text.isdigit() else None


def _longest(pattern: re.Pattern[str], text: str) -> str:
    normalized = unicodedata.normalize("NFKC", text).strip()
    runs = pattern.findall(normalized)
    return max(runs, key=len) if runs else normalized
