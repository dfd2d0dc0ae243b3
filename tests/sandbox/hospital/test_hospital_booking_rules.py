"""Pure booking rules and parsers: dates, no-show blocks, identity documents, patches."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest

from common import fhir_contract as systems
from sandbox.hospital import catalogue
from sandbox.hospital.booking import rules
from sandbox.hospital.booking.identity import document_problem, normalize_document_number
from sandbox.hospital.clock import SandboxClock
from sandbox.hospital.fhir.conditional import IdentifierCriteria, parse_if_none_exist
from sandbox.hospital.fhir.outcome import FHIRError
from sandbox.hospital.fhir.patch import status_change_from_patch
from sandbox.hospital.settings import HOSPITAL_TZ

D = date.fromisoformat


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        ("2026-11-18", 3, "2027-02-18"),
        ("2026-11-30", 3, "2027-02-28"),
        ("2027-11-30", 3, "2028-02-29"),
        ("2026-01-31", 1, "2026-02-28"),
        ("2026-12-15", 1, "2027-01-15"),
        ("2026-05-31", 12, "2027-05-31"),
    ],
)
def test_add_months(day: str, months: int, expected: str) -> None:
    assert rules.add_months(D(day), months) == D(expected)


@pytest.mark.parametrize(
    ("no_shows", "today", "reopens"),
    [
        ([], "2026-11-23", None),
        (["2026-11-01", "2026-11-10"], "2026-11-23", None),
        (["2026-09-01", "2026-10-01", "2026-11-01"], "2026-11-23", "2027-02-01"),
        # The first and the third at most 89 days apart: within 90 consecutive days.
        (["2026-08-04", "2026-09-01", "2026-11-01"], "2026-11-23", "2027-02-01"),
        (["2026-08-03", "2026-09-01", "2026-11-01"], "2026-11-23", None),
        # A block runs out; the day it reopens is bookable.
        (["2026-05-01", "2026-06-01", "2026-07-01"], "2026-10-01", None),
        (["2026-05-01", "2026-06-01", "2026-07-01"], "2026-09-30", "2026-10-01"),
        # Unordered input; the latest triple decides.
        (["2026-11-20", "2026-06-01", "2026-11-01", "2026-10-01"], "2026-11-23", "2027-02-20"),
        (["2026-11-20", "2026-11-20", "2026-11-20"], "2026-11-23", "2027-02-20"),
    ],
)
def test_no_show_block(no_shows: list[str], today: str, reopens: str | None) -> None:
    result = rules.booking_reopens_on([D(d) for d in no_shows], D(today))
    assert result == (D(reopens) if reopens else None)


def test_booking_window_and_past_slots() -> None:
    now = datetime(2026, 11, 23, 9, 0, tzinfo=HOSPITAL_TZ)
    assert rules.booking_opens_on(D("2026-11-30"), 7) == D("2026-11-23")
    assert rules.booking_opens_on(D("2026-12-01"), 7) == D("2026-11-24")
    assert rules.is_in_past(now, now)
    assert rules.is_in_past(now - timedelta(minutes=1), now)
    assert not rules.is_in_past(now + timedelta(seconds=1), now)


@pytest.mark.parametrize(
    ("now", "allowed"),
    [
        (datetime(2026, 11, 24, 23, 59, 59, tzinfo=HOSPITAL_TZ), True),
        (datetime(2026, 11, 25, 0, 0, tzinfo=HOSPITAL_TZ), False),
        # 16:30 UTC on the 24th is 00:30 on the 25th in Guangzhou.
        (datetime(2026, 11, 24, 16, 30, tzinfo=UTC), False),
        (datetime(2026, 11, 24, 15, 59, tzinfo=UTC), True),
    ],
)
def test_cancel_until_the_end_of_the_day_before(now: datetime, allowed: bool) -> None:
    start = datetime(2026, 11, 25, 8, 0, tzinfo=HOSPITAL_TZ)
    assert rules.can_cancel(start, now) is allowed


@pytest.mark.parametrize(
    ("system", "value", "valid"),
    [
        (systems.RESIDENT_ID, "11010519491231002X", True),  # the GB 11643 example
        (systems.RESIDENT_ID, "110105194912310021", False),  # wrong check character
        (systems.RESIDENT_ID, "110105194913310028", False),  # month 13
        (systems.RESIDENT_ID, "11010519491231002", False),
        (systems.HK_MACAU_PERMIT, "H12345678", True),
        (systems.HK_MACAU_PERMIT, "M1234567890", True),
        (systems.HK_MACAU_PERMIT, "H1234567", False),
        (systems.HK_MACAU_PERMIT, "T12345678", False),
        (systems.PASSPORT, "E12345678", True),
        (systems.PASSPORT, "E1", False),
        ("urn:other", "E12345678", False),
    ],
)
def test_identity_documents(system: str, value: str, valid: bool) -> None:
    assert (document_problem(system, value) is None) is valid


def test_document_numbers_are_normalised() -> None:
    assert normalize_document_number(" 11010519491231002x ") == "11010519491231002X"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("identifier=urn:a|k1", IdentifierCriteria("urn:a", "k1")),
        ("identifier=urn%3Aa%7Ck1", IdentifierCriteria("urn:a", "k1")),
        ("?identifier=urn:a|k|1", IdentifierCriteria("urn:a", "k|1")),
    ],
)
def test_if_none_exist(header: str, expected: IdentifierCriteria) -> None:
    assert parse_if_none_exist(header) == expected


@pytest.mark.parametrize(
    "header",
    ["", "identifier=k1", "identifier=|k1", "identifier=urn:a|", "name=x", "identifier=a|1&x=2"],
)
def test_bad_if_none_exist(header: str) -> None:
    with pytest.raises(FHIRError) as error:
        parse_if_none_exist(header)
    assert error.value.status_code == 400


def test_status_patch_with_a_reason() -> None:
    change = status_change_from_patch(
        [
            {"op": "replace", "path": "/status", "value": "cancelled"},
            {"op": "add", "path": "/cancelationReason", "value": {"text": "有事"}},
        ]
    )
    assert change.status == "cancelled"
    assert change.cancellation_reason is not None
    assert change.cancellation_reason.text == "有事"


@pytest.mark.parametrize(
    ("document", "status"),
    [
        ({}, 400),
        ([{"op": "replace", "path": "/status", "value": 3}], 400),
        ([{"op": "test", "path": "/status", "value": "booked"}], 422),
        ([{"op": "replace", "path": "/comment", "value": "x"}], 422),
    ],
)
def test_refused_patches(document: Any, status: int) -> None:
    with pytest.raises(FHIRError) as error:
        status_change_from_patch(document)
    assert error.value.status_code == status


def test_patient_instructions_come_from_the_catalogue() -> None:
    vaccination = catalogue.patient_instruction("lw-xidi-chc", "vaccination")
    cardiology = catalogue.patient_instruction("yx-yunshan-hospital", "cardiology")
    assert vaccination.startswith("请携带预防接种证和身份证")
    assert "预防接种门诊" in vaccination
    assert cardiology == "请携带身份证或社保卡，提前15分钟到门诊2楼心血管内科分诊台报到"
    # Every bookable department has an instruction naming it.
    for institution in catalogue.INSTITUTIONS:
        for code in institution.departments:
            text = catalogue.patient_instruction(institution.id, code)
            assert catalogue.DEPARTMENT_TYPES[code].name in text


def test_clock_follows_the_system_until_pinned() -> None:
    clock = SandboxClock()
    assert clock.fixed is None
    before = datetime.now(UTC)
    reading = clock.now()
    assert before <= reading <= datetime.now(UTC)
    assert reading.utcoffset() == timedelta(hours=8)
    pinned = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
    clock.set(pinned)
    assert clock.now() == pinned and clock.now().hour == 9
    with pytest.raises(ValueError):
        clock.set(datetime.combine(D("2026-11-23"), time(9)))
