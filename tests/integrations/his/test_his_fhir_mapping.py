"""Pure mappings of the HIS client: outcomes to refusals, requests to FHIR, references."""

from __future__ import annotations

from datetime import date, time
from typing import Any

import pytest
from fhir.resources.R4B.appointment import Appointment as FHIRAppointment

from common import fhir_contract as systems
from integrations.his import DayPeriod, IdentityDocument, PatientRegistration
from integrations.his.fhir_mapping import (
    booking_to_fhir,
    cancellation_patch,
    patient_to_fhir,
    reference_id,
    refusal_from_outcome,
)


def outcome(**issue: Any) -> dict[str, Any]:
    return {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": "error", "code": "business-rule", **issue}],
    }


@pytest.mark.parametrize(
    ("body", "reason", "detail", "bookable_from"),
    [
        (
            outcome(
                diagnostics="暂停预约",
                details={"coding": [{"system": systems.BUSINESS_RULE, "code": "patient-blocked"}]},
                extension=[{"url": systems.BOOKABLE_FROM_EXTENSION, "valueDate": "2027-02-18"}],
            ),
            "patient-blocked",
            "暂停预约",
            date(2027, 2, 18),
        ),
        (
            outcome(details={"coding": [{"system": "urn:other", "code": "x"}]}),
            "unknown",
            "",
            None,
        ),
        (outcome(diagnostics="只有说明"), "unknown", "只有说明", None),
        ({"resourceType": "Patient"}, "unknown", "", None),
        (None, "unknown", "", None),
        ("<html>", "unknown", "", None),
    ],
)
def test_refusals(body: Any, reason: str, detail: str, bookable_from: date | None) -> None:
    refusal = refusal_from_outcome(body)
    assert (refusal.reason, refusal.detail, refusal.bookable_from) == (
        reason,
        detail,
        bookable_from,
    )


def test_requests_are_valid_fhir() -> None:
    registration = PatientRegistration(
        document=IdentityDocument.PASSPORT, document_number="E12345678", name="Lee"
    )
    patient = patient_to_fhir(registration)
    assert patient["identifier"][0]["system"] == systems.PASSPORT
    assert "telecom" not in patient and "gender" not in patient
    booking = FHIRAppointment.model_validate(booking_to_fhir("s1", "p1", "k1"))
    assert booking.slot is not None and booking.slot[0].reference == "Slot/s1"
    assert (
        booking.identifier is not None and booking.identifier[0].system == systems.BOOKING_REQUEST
    )
    patch = cancellation_patch("有事")
    assert patch[0] == {"op": "replace", "path": "/status", "value": "cancelled"}
    assert patch[1]["value"]["text"] == "有事"


@pytest.mark.parametrize(
    ("reference", "kind", "expected"),
    [
        ("Slot/abc", "Slot", "abc"),
        ("http://h/fhir/Slot/abc", "Slot", "abc"),
        ("Schedule/abc", "Slot", None),
        ("abc", "Slot", None),
        (None, "Slot", None),
    ],
)
def test_reference_ids(reference: str | None, kind: str, expected: str | None) -> None:
    assert reference_id(reference, kind) == expected


@pytest.mark.parametrize(
    ("period", "start", "inside"),
    [
        (DayPeriod.MORNING, time(11, 45), True),
        (DayPeriod.MORNING, time(12), False),
        (DayPeriod.AFTERNOON, time(12), True),
        (DayPeriod.AFTERNOON, time(17, 59), True),
        (DayPeriod.AFTERNOON, time(18), False),
        (DayPeriod.EVENING, time(18), True),
    ],
)
def test_day_periods(period: DayPeriod, start: time, inside: bool) -> None:
    assert period.contains(start) is inside
