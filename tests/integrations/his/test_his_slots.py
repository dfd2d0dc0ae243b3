"""`HISClient.find_free_slots` against the sandbox hospital, checked against its database."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta

import pytest
from his_booking_support import MONDAY, MONDAY_MORNING, Hospital
from sqlalchemy import select

from integrations.his import DayPeriod, HISClient, PractitionerTitle, SlotOption, SlotQuery
from sandbox.hospital.catalogue import PRACTITIONER_TITLES, build_doctors
from sandbox.hospital.models import Schedule, Slot
from sandbox.hospital.settings import HOSPITAL_TZ

CARDIOLOGY = "lw-lizhiwan-hospital-cardiology"
DOCTORS = build_doctors()


def database_free_slots(
    hospital: Hospital,
    *,
    departments: set[str] | None = None,
    roles: set[str] | None = None,
    first: date = MONDAY,
    last: date = MONDAY + timedelta(days=7),
    keep: Callable[[datetime], bool] = lambda start: True,
    limit: int = 10,
) -> list[str]:
    """What the client should find, straight from the hospital's tables."""
    lower = max(MONDAY_MORNING, datetime.combine(first, time(0), HOSPITAL_TZ))
    upper = datetime.combine(last + timedelta(days=1), time(0), HOSPITAL_TZ)
    statement = (
        select(Slot.id, Slot.start)
        .join(Schedule)
        .where(Slot.status == "free", Slot.start > lower, Slot.start < upper)
        .order_by(Slot.start, Slot.id)
    )
    if departments is not None:
        statement = statement.where(Schedule.department_id.in_(departments))
    if roles is not None:
        statement = statement.where(Schedule.practitioner_role_id.in_(roles))
    with hospital.factory() as session:
        rows = session.execute(statement).all()
    return [slot_id for slot_id, start in rows if keep(start.astimezone(HOSPITAL_TZ))][:limit]


def ids(options: list[SlotOption]) -> list[str]:
    return [o.slot_id for o in options]


async def test_department_of_an_institution(booking_his: HISClient, hospital: Hospital) -> None:
    found = await booking_his.find_free_slots(
        SlotQuery(institution_ids=("lw-lizhiwan-hospital",), department_name="心血管内科")
    )

    assert ids(found) == database_free_slots(hospital, departments={CARDIOLOGY})
    first = found[0]
    assert first.start > MONDAY_MORNING
    assert first.start.utcoffset() == timedelta(hours=8)
    assert first.end - first.start == timedelta(minutes=15)
    assert (first.institution_id, first.institution_name) == (
        "lw-lizhiwan-hospital",
        "荔枝湾中心医院",
    )
    assert (first.department_id, first.department_name) == (CARDIOLOGY, "心血管内科")
    assert first.location_name == "荔枝湾中心医院（本部）"
    assert first.address == "广东省广州市荔湾区龙津西路示范路188号"
    doctor = next(d for d in DOCTORS if d.practitioner_id == first.practitioner_id)
    assert first.practitioner_name == doctor.family_name + doctor.given_name
    assert first.practitioner_title == PRACTITIONER_TITLES[doctor.title_code]
    assert first.status == "free"


async def test_vaccination_clinic_has_no_doctor(booking_his: HISClient, hospital: Hospital) -> None:
    service = "lw-rongyin-chc-vaccination"
    found = await booking_his.find_free_slots(SlotQuery(healthcare_service_ids=(service,), limit=5))
    assert ids(found) == database_free_slots(hospital, departments={service}, limit=5)
    assert all(o.practitioner_name is None and o.practitioner_title is None for o in found)
    assert {o.institution_name for o in found} == {"榕荫街社区卫生服务中心"}


async def test_by_title_within_institutions(booking_his: HISClient, hospital: Hospital) -> None:
    institutions = ("lw-lizhiwan-hospital", "yx-yunshan-hospital")
    roles = {
        d.role_id
        for d in DOCTORS
        if d.institution_id in institutions and d.title_code == "chief-physician"
    }
    found = await booking_his.find_free_slots(
        SlotQuery(
            institution_ids=institutions,
            practitioner_title=PractitionerTitle.CHIEF_PHYSICIAN,
            limit=30,
        )
    )
    assert ids(found) == database_free_slots(hospital, roles=roles, limit=30)
    assert {o.practitioner_title for o in found} == {"主任医师"}


async def test_by_doctor_name(booking_his: HISClient, hospital: Hospital) -> None:
    doctor = next(d for d in DOCTORS if d.schedule_id)
    found = await booking_his.find_free_slots(
        SlotQuery(practitioner_name=doctor.family_name + doctor.given_name, limit=50)
    )
    assert ids(found) == database_free_slots(hospital, roles={doctor.role_id}, limit=50)
    assert {o.practitioner_id for o in found} == {doctor.practitioner_id}


@pytest.mark.parametrize(
    ("query", "keep"),
    [
        (SlotQuery(period=DayPeriod.AFTERNOON), lambda s: time(12) <= s.time() < time(18)),
        (SlotQuery(period=DayPeriod.MORNING), lambda s: s.time() < time(12)),
        (SlotQuery(period=DayPeriod.EVENING), lambda s: s.time() >= time(18)),
        (
            SlotQuery(time_from=time(9, 30), time_to=time(10, 30)),
            lambda s: time(9, 30) <= s.time() < time(10, 30),
        ),
    ],
)
async def test_time_of_day(
    booking_his: HISClient,
    hospital: Hospital,
    query: SlotQuery,
    keep: Callable[[datetime], bool],
) -> None:
    query = query.model_copy(update={"healthcare_service_ids": (CARDIOLOGY,), "limit": 20})
    found = await booking_his.find_free_slots(query)
    expected = database_free_slots(hospital, departments={CARDIOLOGY}, keep=keep, limit=20)
    assert ids(found) == expected
    assert bool(expected) is (query.period is not DayPeriod.EVENING)  # no evening clinics


async def test_date_range_and_default_horizon(booking_his: HISClient, hospital: Hospital) -> None:
    thursday = MONDAY + timedelta(days=3)
    one_day = await booking_his.find_free_slots(
        SlotQuery(healthcare_service_ids=(CARDIOLOGY,), date_from=thursday, date_to=thursday)
    )
    assert ids(one_day) == database_free_slots(
        hospital, departments={CARDIOLOGY}, first=thursday, last=thursday
    )
    assert {o.start.date() for o in one_day} == {thursday}

    everything = await booking_his.find_free_slots(
        SlotQuery(healthcare_service_ids=(CARDIOLOGY,), limit=200)
    )
    # The seed has 14 days; only the 7-day booking window is offered by default.
    assert max(o.start.date() for o in everything) <= MONDAY + timedelta(days=7)
    assert ids(everything) == database_free_slots(hospital, departments={CARDIOLOGY}, limit=200)


async def test_paging_stops_at_the_limit(booking_his: HISClient, hospital: Hospital) -> None:
    found = await booking_his.find_free_slots(SlotQuery(limit=150))
    assert ids(found) == database_free_slots(hospital, limit=150)


@pytest.mark.parametrize(
    "query",
    [
        SlotQuery(department_name="不存在的科室"),
        SlotQuery(practitioner_name="无此人"),
        SlotQuery(institution_ids=("no-such-institution",)),
        SlotQuery(date_from=MONDAY + timedelta(days=3), date_to=MONDAY + timedelta(days=2)),
        # Emergency departments take no bookings.
        SlotQuery(institution_ids=("lw-lizhiwan-hospital",), department_name="急诊科"),
    ],
)
async def test_nothing_matches(booking_his: HISClient, query: SlotQuery) -> None:
    assert await booking_his.find_free_slots(query) == []
