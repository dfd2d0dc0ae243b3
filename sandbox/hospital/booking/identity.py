"""Checks of identity document numbers a patient registers with (建档).

Mainland resident ID numbers follow GB 11643-1999: six-digit area code, birth date (YYYYMMDD),
three-digit sequence and an ISO 7064 MOD 11-2 check character.
"""

from __future__ import annotations

import re
from datetime import date

from common import fhir_contract as systems

_RESIDENT_ID = re.compile(r"^\d{17}[\dX]$")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARACTERS = "10X98765432"
# 港澳居民来往内地通行证: H (Hong Kong) or M (Macau), 8 digits, sometimes 2 more (renewals).
_HK_MACAU_PERMIT = re.compile(r"^[HM]\d{8}(\d{2})?$")
_PASSPORT = re.compile(r"^[A-Z0-9]{5,17}$")


def resident_id_check_character(first17: str) -> str:
    total = sum(int(digit) * weight for digit, weight in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARACTERS[total % 11]


def normalize_document_number(value: str) -> str:
    """Numbers are compared in upper case without spaces (a trailing 'x' is an 'X')."""
    return re.sub(r"\s+", "", value).upper()


def document_problem(system: str, value: str) -> str | None:
    """Why ``value`` is not a valid number in ``system`` (normalised), or None if it is."""
    if system == systems.RESIDENT_ID:
        if not _RESIDENT_ID.match(value):
            return "resident ID numbers have 17 digits and a check digit or X"
        try:
            date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
        except ValueError:
            return "the birth date inside the resident ID number is not a date"
        if resident_id_check_character(value[:17]) != value[17]:
            return "the resident ID number's check character is wrong"
        return None
    if system == systems.HK_MACAU_PERMIT:
        if not _HK_MACAU_PERMIT.match(value):
            return "Hong Kong/Macau permit numbers are H or M followed by 8 or 10 digits"
        return None
    if system == systems.PASSPORT:
        if not _PASSPORT.match(value):
            return "passport numbers have 5 to 17 letters or digits"
        return None
    return f"identifier system must be one of {', '.join(systems.PATIENT_IDENTIFIER_SYSTEMS)}"
