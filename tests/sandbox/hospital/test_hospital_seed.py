"""Demo data: exact catalogue, idempotent seeding, rolling 14-day slot horizon."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from sandbox.hospital import catalogue
from sandbox.hospital.db import make_engine, make_session_factory
from sandbox.hospital.migrate import migrate
from sandbox.hospital.models import (
    Department,
    Institution,
    Practitioner,
    PractitionerRole,
    Schedule,
    Slot,
)
from sandbox.hospital.seed import HORIZON_DAYS, parse_sessions, seed, slot_starts
from sandbox.hospital.settings import HOSPITAL_TZ

EXPECTED_INSTITUTIONS = {
    "lw-lizhiwan-hospital": ("荔枝湾中心医院", "荔湾区", "hospital"),
    "lw-xiguan-kangning-hospital": ("西关康宁医院", "荔湾区", "hospital"),
    "lw-tcm-hospital": ("荔湾示范中医医院", "荔湾区", "hospital"),
    "yx-yunshan-hospital": ("越秀云山医院", "越秀区", "hospital"),
    "hz-jiangxin-hospital": ("海珠江心医院", "海珠区", "hospital"),
    "lw-rongyin-chc": ("榕荫街社区卫生服务中心", "荔湾区", "community-health-centre"),
    "lw-jinhuawan-chc": ("金花湾街社区卫生服务中心", "荔湾区", "community-health-centre"),
    "lw-xidi-chc": ("西堤街社区卫生服务中心", "荔湾区", "community-health-centre"),
    "yx-yunquan-chc": ("云泉街社区卫生服务中心", "越秀区", "community-health-centre"),
    "hz-lujiangwan-chc": ("鹭江湾社区卫生服务中心", "海珠区", "community-health-centre"),
}


@pytest.fixture
def factory(sqlite_url: str) -> sessionmaker[Session]:
    migrate(sqlite_url)
    engine: Engine = make_engine(sqlite_url)
    return make_session_factory(engine)


def counts(session: Session) -> dict[str, int]:
    models = (Institution, Department, Practitioner, PractitionerRole, Schedule, Slot)
    return {
        model.__name__: session.scalar(select(func.count()).select_from(model)) or 0
        for model in models
    }


def test_catalogue_is_exactly_the_agreed_institutions(
    factory: sessionmaker[Session], today: date
) -> None:
    with factory.begin() as session:
        seed(session, today)
        rows = session.scalars(select(Institution)).all()
        assert {r.id: (r.name, r.district, r.kind) for r in rows} == EXPECTED_INSTITUTIONS
        assert all(r.city == "广州市" and r.state == "广东省" and r.phone for r in rows)
        grades = {r.id: r.grade for r in rows}
        assert grades["lw-lizhiwan-hospital"] == "三级甲等"
        assert grades["lw-tcm-hospital"] == "二级甲等"


def test_departments_follow_the_rules(factory: sessionmaker[Session], today: date) -> None:
    with factory.begin() as session:
        seed(session, today)
        departments = session.scalars(select(Department)).all()
        per_institution: dict[str, list[Department]] = {}
        for dept in departments:
            per_institution.setdefault(dept.institution_id, []).append(dept)
        for institution_id, depts in per_institution.items():
            names = {d.name for d in depts}
            assert "检验科" not in names
            if institution_id.endswith("-chc"):
                assert 4 <= len(depts) <= 6
                assert {"全科医学科", "预防接种门诊"} <= names
            else:
                assert 7 <= len(depts) <= 10
                assert "急诊科" in names
        tcm = {d.name for d in per_institution["lw-tcm-hospital"]}
        assert tcm == {"中医内科", "针灸科", "推拿科", "中医妇科", "中医儿科", "治未病科", "急诊科"}
        emergency = [d for d in departments if d.type_code == "emergency"]
        assert emergency and not any(d.appointment_required for d in emergency)

        doctors = Counter(r.department_id for r in session.scalars(select(PractitionerRole)))
        for dept in departments:
            low, high = (1, 2) if dept.institution_id.endswith("-chc") else (2, 4)
            assert low <= doctors[dept.id] <= high, dept.id


def test_seed_twice_is_idempotent_and_next_day_tops_up_one_day(
    factory: sessionmaker[Session], today: date
) -> None:
    with factory.begin() as session:
        first = seed(session, today)
    with factory.begin() as session:
        before = counts(session)
        second = seed(session, today)
        assert counts(session) == before
    assert first.institutions == 10 and first.slots == before["Slot"]
    assert second == type(second)(0, 0, 0, 0, 0)

    with factory.begin() as session:
        third = seed(session, today + timedelta(days=1))
        new_day = datetime.combine(today + timedelta(days=HORIZON_DAYS), time(0), HOSPITAL_TZ)
        added = (
            session.scalar(
                select(func.count()).where(
                    Slot.start >= new_day, Slot.start < new_day + timedelta(1)
                )
            )
            or 0
        )
        assert counts(session)["Slot"] == before["Slot"] + third.slots
        schedule = session.scalars(select(Schedule)).first()
        assert schedule is not None and schedule.horizon_end == new_day + timedelta(days=1)
    assert third.slots == added > 0


def test_seed_is_deterministic(tmp_path: Path, today: date) -> None:
    snapshots = []
    for name in ("a", "b"):
        url = f"sqlite:///{tmp_path / name}.db"
        migrate(url)
        engine = make_engine(url)
        with make_session_factory(engine).begin() as session:
            seed(session, today)
            snapshots.append(
                (
                    session.execute(select(Slot.id, Slot.status).order_by(Slot.id)).all(),
                    session.execute(
                        select(Practitioner.id, Practitioner.family_name, Practitioner.given_name)
                    ).all(),
                )
            )
        engine.dispose()
    assert snapshots[0] == snapshots[1]


def test_slot_shapes(factory: sessionmaker[Session], today: date) -> None:
    with factory.begin() as session:
        seed(session, today)
        slots = session.scalars(select(Slot)).all()
        schedules = {s.id: s for s in session.scalars(select(Schedule))}
        departments = {d.id: d for d in session.scalars(select(Department))}
    busy_share = sum(s.status == "busy" for s in slots) / len(slots)
    assert 0.25 < busy_share < 0.35
    assert {s.status for s in slots} == {"free", "busy"}
    first_day = datetime.combine(today, time(0), HOSPITAL_TZ)
    for slot in slots:
        start, end = slot.start.astimezone(HOSPITAL_TZ), slot.end.astimezone(HOSPITAL_TZ)
        assert first_day <= start < first_day + timedelta(days=HORIZON_DAYS)
        schedule = schedules[slot.schedule_id]
        dept = departments[schedule.department_id]
        assert dept.type_code != "emergency"
        if schedule.practitioner_role_id is None:
            assert dept.type_code == "vaccination"
            assert end - start == timedelta(minutes=30)
            assert start.weekday() in range(1, 6)  # Tuesday to Saturday
            assert time(8) <= start.time() < time(11, 30) or time(14) <= start.time() < time(16, 30)
        else:
            assert end - start == timedelta(minutes=15)
            assert (time(8) <= start.time() and end.time() <= time(12)) or (
                time(14) <= start.time() and end.time() <= time(17)
            )
    # Every doctor works five half-days a week.
    for schedule in schedules.values():
        if schedule.practitioner_role_id is not None:
            assert len(parse_sessions(schedule.sessions)) == catalogue.DOCTOR_HALF_DAYS_PER_WEEK


def test_slot_starts_of_a_session(today: date) -> None:
    sessions = parse_sessions("mon 08:00-09:00,tue 14:00-15:00")
    starts = list(slot_starts(sessions, today, 15))  # today is a Monday
    assert [s.strftime("%H:%M") for s in starts] == ["08:00", "08:15", "08:30", "08:45"]
    assert all(s.utcoffset() == timedelta(hours=8) for s in starts)
    assert list(slot_starts(sessions, today + timedelta(days=2), 15)) == []
