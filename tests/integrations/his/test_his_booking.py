"""`HISClient` booking against the sandbox hospital: register, book, cancel, list, and the
errors residents meet (slot taken, blocked, too late to cancel)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import httpx
import pytest
from his_booking_support import MONDAY, MONDAY_MORNING, Hospital
from sqlalchemy import func, select

from integrations.his import (
    AppointmentStatus,
    BookingRefused,
    CancellationRefused,
    Gender,
    HISClient,
    HISError,
    HISNotFound,
    IdentityDocument,
    PatientRegistration,
    SlotOption,
    SlotQuery,
    SlotTaken,
)
from sandbox.hospital.booking.identity import resident_id_check_character
from sandbox.hospital.models import Appointment, Patient
from sandbox.hospital.reports.demo import DEMO_PATIENTS
from sandbox.hospital.settings import HOSPITAL_TZ

CARDIOLOGY = "lw-lizhiwan-hospital-cardiology"


def registration(sequence: int, **changes: object) -> PatientRegistration:
    first17 = f"44010319800517{sequence:03d}"
    fields: dict[str, object] = {
        "document": IdentityDocument.RESIDENT_ID,
        "document_number": first17 + resident_id_check_character(first17),
        "name": "黄测试",
        "gender": Gender.MALE,
        "birth_date": date(1980, 5, 17),
        "phone": "13900139000",
        **changes,
    }
    return PatientRegistration.model_validate(fields)


async def slots(his: HISClient, service: str = CARDIOLOGY, **filters: object) -> list[SlotOption]:
    query = SlotQuery.model_validate({"healthcare_service_ids": (service,), **filters})
    found = await his.find_free_slots(query)
    assert found
    return found


def appointments_in_database(hospital: Hospital) -> int:
    with hospital.factory() as session:
        return session.scalar(select(func.count()).select_from(Appointment)) or 0


async def test_register_patient_once(booking_his: HISClient, hospital: Hospital) -> None:
    first = await booking_his.register_patient(registration(1))
    again = await booking_his.register_patient(registration(1, name="黄某"))
    other = await booking_his.register_patient(
        registration(
            2, document=IdentityDocument.HK_MACAU_PERMIT, document_number="H12345678", phone=None
        )
    )
    assert first == again != other
    with hospital.factory() as session:
        registered = select(func.count()).select_from(Patient).where(Patient.id.in_([first, other]))
        assert session.scalar(registered) == 2
        everyone = session.scalar(select(func.count()).select_from(Patient))
        assert everyone == 2 + len(DEMO_PATIENTS)  # the seeded demo patients, and no more


def test_registration_repr_hides_numbers() -> None:
    text = repr(registration(3))
    assert registration(3).document_number not in text
    assert "13900139000" not in text and "黄测试" in text


async def test_invalid_registration_is_an_error(booking_his: HISClient) -> None:
    with pytest.raises(HISError) as error:
        await booking_his.register_patient(registration(4, document_number="440103198005171230"))
    assert "440103198005171230" not in str(error.value)


async def test_book_and_read_back(booking_his: HISClient, hospital: Hospital) -> None:
    patient = await booking_his.register_patient(registration(5))
    slot = (await slots(booking_his))[0]

    appointment = await booking_his.book_appointment(slot.slot_id, patient, "decision-1")

    assert appointment.status is AppointmentStatus.BOOKED
    assert appointment.patient_id == patient
    assert appointment.model_dump(include=set(SlotOption.model_fields) - {"status"}) == (
        slot.model_dump(exclude={"status"})
    )
    assert appointment.patient_instruction is not None
    assert "提前15分钟到门诊2楼心血管内科分诊台报到" in appointment.patient_instruction
    assert appointment.created == MONDAY_MORNING
    assert await booking_his.get_appointment(appointment.id) == appointment
    again = await booking_his.find_free_slots(SlotQuery(healthcare_service_ids=(CARDIOLOGY,)))
    assert slot.slot_id not in [o.slot_id for o in again]


async def test_same_key_returns_the_same_booking(
    booking_his: HISClient, hospital: Hospital
) -> None:
    patient = await booking_his.register_patient(registration(6))
    slot, other_slot = (await slots(booking_his, "lw-rongyin-chc-vaccination"))[:2]
    first = await booking_his.book_appointment(slot.slot_id, patient, "decision-2")

    again = await booking_his.book_appointment(slot.slot_id, patient, "decision-2")

    assert again == first
    assert appointments_in_database(hospital) == 1
    with pytest.raises(HISError, match="idempotency key"):
        await booking_his.book_appointment(other_slot.slot_id, patient, "decision-2")


async def test_lost_answer_is_retried_without_a_second_booking(hospital: Hospital) -> None:
    """The first POST reaches the hospital but its answer is lost; the retry gets the booking."""
    inner = httpx.ASGITransport(app=hospital.app)
    lost: list[int] = []

    class LosingFirstAnswer(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            response = await inner.handle_async_request(request)
            if request.method == "POST" and request.url.path.endswith("/Appointment") and not lost:
                await response.aread()
                lost.append(response.status_code)
                raise httpx.ReadTimeout("answer lost", request=request)
            return response

    async with HISClient(
        "http://his.test/fhir",
        transport=LosingFirstAnswer(),
        clock=lambda: MONDAY_MORNING,
        backoff=0,
    ) as his:
        patient = await his.register_patient(registration(7))
        slot = (await slots(his))[0]
        appointment = await his.book_appointment(slot.slot_id, patient, "decision-3")

    assert lost == [201]  # the first attempt did book
    assert appointment.slot_id == slot.slot_id
    assert appointments_in_database(hospital) == 1


async def test_slot_taken(booking_his: HISClient) -> None:
    first = await booking_his.register_patient(registration(8))
    second = await booking_his.register_patient(registration(9))
    slot = (await slots(booking_his))[0]
    await booking_his.book_appointment(slot.slot_id, first, "first")

    with pytest.raises(SlotTaken) as error:
        await booking_his.book_appointment(slot.slot_id, second, "second")
    assert "已被预约" in str(error.value)


async def test_blocked_patient_learns_when_booking_reopens(
    booking_his: HISClient, hospital: Hospital
) -> None:
    patient = await booking_his.register_patient(registration(10))
    days = [MONDAY - timedelta(days=d) for d in (60, 30, 2)]
    transport = httpx.ASGITransport(app=hospital.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://his.test") as control:
        recorded = await control.post(
            "/sandbox/no-shows",
            json={"patient_id": patient, "days": [d.isoformat() for d in days]},
        )
        assert recorded.status_code == 201
    slot = (await slots(booking_his))[0]

    with pytest.raises(BookingRefused) as error:
        await booking_his.book_appointment(slot.slot_id, patient, "blocked")

    assert error.value.reason == "patient-blocked"
    assert error.value.blocked_until == date(2027, 2, 21)  # 2026-11-21 + 3 months
    assert "2027年2月21日" in error.value.detail


async def test_outside_the_window_names_the_opening_day(booking_his: HISClient) -> None:
    patient = await booking_his.register_patient(registration(11))
    far = MONDAY + timedelta(days=10)
    slot = (await slots(booking_his, date_from=far, date_to=far))[0]

    with pytest.raises(BookingRefused) as error:
        await booking_his.book_appointment(slot.slot_id, patient, "early")

    assert error.value.reason == "outside-booking-window"
    assert error.value.blocked_until == MONDAY + timedelta(days=3)


async def test_unknown_slot_is_refused(booking_his: HISClient) -> None:
    patient = await booking_his.register_patient(registration(12))
    with pytest.raises(BookingRefused) as error:
        await booking_his.book_appointment("no-such-slot", patient, "x")
    assert error.value.reason == "unknown-slot"
    assert error.value.blocked_until is None


async def test_cancel_then_list(booking_his: HISClient, hospital: Hospital) -> None:
    patient = await booking_his.register_patient(registration(13))
    options = await slots(booking_his, "lw-rongyin-chc-vaccination", limit=50)
    by_day: dict[date, SlotOption] = {}
    for option in options:
        by_day.setdefault(option.start.date(), option)
    sooner, later = sorted(by_day.values(), key=lambda o: o.start)[:2]
    # Booked later day first, so that the list's order is the hospital's sorting.
    booked = [
        await booking_his.book_appointment(option.slot_id, patient, f"k-{option.slot_id}")
        for option in (later, sooner)
    ]

    listed = await booking_his.list_appointments(patient, from_date=MONDAY)
    assert [a.id for a in listed] == [booked[1].id, booked[0].id]  # soonest first

    cancelled = await booking_his.cancel_appointment(booked[0].id, reason_text="改期")
    again = await booking_his.cancel_appointment(booked[0].id)

    assert cancelled.status is AppointmentStatus.CANCELLED
    assert again == cancelled
    assert [a.id for a in await booking_his.list_appointments(patient, from_date=MONDAY)] == [
        booked[1].id
    ]
    everything = await booking_his.list_appointments(
        patient,
        from_date=MONDAY,
        statuses=(AppointmentStatus.BOOKED, AppointmentStatus.CANCELLED),
    )
    assert {a.id for a in everything} == {b.id for b in booked}
    later_only = await booking_his.list_appointments(
        patient, from_date=sooner.start.date() + timedelta(days=1), statuses=()
    )
    assert [a.id for a in later_only] == [booked[0].id]
    free_again = await booking_his.find_free_slots(
        SlotQuery(healthcare_service_ids=("lw-rongyin-chc-vaccination",), limit=200)
    )
    assert later.slot_id in [o.slot_id for o in free_again]


async def test_too_late_to_cancel(booking_his: HISClient, hospital: Hospital) -> None:
    patient = await booking_his.register_patient(registration(14))
    slot = (await slots(booking_his))[0]
    appointment = await booking_his.book_appointment(slot.slot_id, patient, "late")
    day = appointment.start.date()
    hospital.app.state.clock.set(datetime.combine(day, time(7, 0), HOSPITAL_TZ))

    with pytest.raises(CancellationRefused) as error:
        await booking_his.cancel_appointment(appointment.id)

    assert error.value.reason == "too-late-to-cancel"
    assert error.value.detail
    assert (await booking_his.get_appointment(appointment.id)).status is AppointmentStatus.BOOKED


async def test_unknown_appointment(booking_his: HISClient) -> None:
    with pytest.raises(HISNotFound):
        await booking_his.get_appointment("appt-none")
    with pytest.raises(HISNotFound):
        await booking_his.cancel_appointment("appt-none")
