"""The booking dialogue's actions without a trained model: trackers as Rasa sends them, the real
sandbox hospital in-process, frontdoor's patient records on a temporary database."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from action_testkit import OPENID, resident_id, run, slot_events, tracker

from actions.booking.appointments import (
    ActionCancelAppointment,
    ActionMyAppointments,
    ActionStartCancel,
    ActionStartReschedule,
    ValidateCancelForm,
)
from actions.booking.calendar import china_today, day_text
from actions.booking.form import (
    ActionAskBookingConfirmed,
    ActionAskBookingPatient,
    ActionAskBookingSlot,
    ValidateBookingForm,
)
from actions.booking.start import ActionStartBooking
from actions.booking.submit import ActionBookAppointment
from actions.tasks import ActionStopTask
from integrations.his.models import DayPeriod, SlotQuery

pytestmark = pytest.mark.usefixtures("his")

SELF_ID = resident_id("44010319800101123")
MOTHER_ID = resident_id("44010319521203004")
_people = itertools.count(100)


def someone_new() -> str:
    """A resident ID the module's hospital has not seen (it keeps bookings between tests)."""
    return resident_id(f"44010419850101{next(_people):03d}")


async def a_day_with_morning_slots(his, department: str = "儿科") -> date:
    """A bookable day (after tomorrow, so it can still be cancelled) with morning slots."""
    today = china_today()
    for offset in range(2, 8):
        day = today + timedelta(days=offset)
        query = SlotQuery(
            department_name=department,
            date_from=day,
            date_to=day,
            period=DayPeriod.MORNING,
            limit=1,
        )
        if await his.find_free_slots(query):
            return day
    raise AssertionError(f"the seed has no {department} morning slots this week")


def followup(events: list[dict]) -> str | None:
    last = events[-1]
    return last["name"] if last.get("event") == "followup" else None


def utterances(messages: list[dict]) -> list[str]:
    return [m.get("response") for m in messages]


async def test_no_patient_yet_binds_one_first_and_remembers_what_was_asked(patients, domain):
    events, messages = await run(
        ActionStartBooking(),
        tracker("帮我约明天上午儿科的号", "book_appointment", entities={"department": "儿科"}),
        domain,
    )
    assert utterances(messages) == ["utter_booking_need_patient"]
    slots = slot_events(events)
    assert slots["resume_booking"] is True
    assert slots["booking_date"] == (china_today() + timedelta(days=1)).isoformat()
    assert slots["booking_period"] == "morning"
    assert "department" not in slots  # said in this message: kept, not reset
    assert slots["resume_booking"] is True  # the rules run the patient form first


async def test_one_message_fills_department_day_and_period_and_the_only_patient(his, bind, domain):
    await bind("陈大文", SELF_ID, "13800000001")
    day = await a_day_with_morning_slots(his)
    text = f"帮我约{day.month}月{day.day}号上午儿科的号"
    events, _ = await run(
        ActionStartBooking(),
        tracker(text, "book_appointment", entities={"department": "儿科"}),
        domain,
    )
    assert slot_events(events)["resume_booking"] is False  # the rules run the booking form

    # The form's first run reads the same message (Rasa set `department` from the entity).
    events, messages = await run(
        ValidateBookingForm(),
        tracker(text, "book_appointment", new_slots={"department": "儿科"}),
        domain,
    )
    slots = slot_events(events)
    assert slots["booking_date"] == day.isoformat()
    assert slots["booking_period"] == "morning"
    assert slots["department"] == "儿科"
    assert slots["booking_patient"] is not None  # the only patient: not asked
    assert "booking_slot" not in slots  # so Rasa asks for it next, with real choices
    assert messages == []


async def test_offered_slots_match_the_wishes_nearest_first(his, bind, domain):
    patient = await bind("陈大文", SELF_ID, "13800000001")
    day = await a_day_with_morning_slots(his)
    slots = {
        "booking_patient": str(patient.id),
        "department": "儿科",
        "booking_date": day.isoformat(),
        "booking_period": "morning",
    }
    events, messages = await run(ActionAskBookingSlot(), tracker("…", slots=slots), domain)
    [choose, hint] = messages
    assert choose["response"] == "utter_booking_choose_slot"
    assert choose["patient"] == "给陈*文（本人）"
    assert day_text(day) in choose["what"] and "上午" in choose["what"]
    offers = slot_events(events)["booking_offers"]
    assert 1 <= len(offers) <= 5
    starts = [o["start"] for o in offers]
    assert starts == sorted(starts)
    assert all(o["department"] == "儿科" for o in offers)
    assert all(o["start"].startswith(day.isoformat()) for o in offers)
    assert all(int(o["start"][11:13]) < 12 for o in offers)
    assert [b["payload"] for b in choose["buttons"]] == [
        f'/inform{{"booking_slot": "{o["slot_id"]}"}}' for o in offers
    ]
    assert hint["response"] == "utter_booking_choose_slot_hint"


async def test_a_full_day_offers_the_nearest_slots_instead(his, bind, domain):
    patient = await bind("陈大文", SELF_ID, "13800000001")
    sunday_evening = {
        "booking_patient": str(patient.id),
        "department": "口腔科",
        "booking_date": china_today().isoformat(),
        "booking_period": "evening",  # clinics have no evening sessions
    }
    events, messages = await run(ActionAskBookingSlot(), tracker("…", slots=sunday_evening), domain)
    assert messages[0]["response"] == "utter_booking_nearest_instead"
    assert slot_events(events)["booking_offers"]


async def test_choosing_confirming_and_booking(his, bind, domain):
    patient = await bind("陈大文", someone_new(), "13800000001")
    day = await a_day_with_morning_slots(his)
    slots = {
        "booking_patient": str(patient.id),
        "department": "儿科",
        "booking_date": day.isoformat(),
        "booking_period": "morning",
        "requested_slot": "booking_slot",
    }
    events, _ = await run(ActionAskBookingSlot(), tracker("…", slots=slots), domain)
    slots["booking_offers"] = offers = slot_events(events)["booking_offers"]
    chosen = offers[1]["slot_id"]

    # 「2」 reaches Rasa as the second button's payload.
    events, _ = await run(
        ValidateBookingForm(),
        tracker("2", entities={"booking_slot": chosen}, slots=slots, active_loop="booking_form"),
        domain,
    )
    assert slot_events(events)["booking_slot"] == chosen
    slots.update(booking_slot=chosen, requested_slot="booking_confirmed")

    _, messages = await run(ActionAskBookingConfirmed(), tracker("…", slots=slots), domain)
    [confirm] = messages
    assert confirm["response"] == "utter_ask_booking_confirmed"
    assert confirm["when"] == offers[1]["when"]
    assert confirm["patient"] == "陈*文（本人）"

    events, _ = await run(
        ValidateBookingForm(),
        tracker("确认预约", "affirm", slots=slots, active_loop="booking_form"),
        domain,
    )
    assert slot_events(events)["booking_confirmed"] is True
    slots["booking_confirmed"] = True

    booking = tracker("确认预约", "affirm", slots=slots, message_id="confirm-1")
    events, messages = await run(ActionBookAppointment(), booking, domain)
    [done] = messages
    assert done["response"] == "utter_booking_done"
    assert done["when"] == offers[1]["when"] and done["department"] == "儿科"
    assert "身份证" in done["instruction"]
    assert slot_events(events)["booking_slot"] is None  # the next booking starts clean

    # Rasa re-running the action for the same confirmation books nothing more.
    await run(ActionBookAppointment(), booking, domain)
    _, messages = await run(
        ActionMyAppointments(), tracker("我约了哪些号", "my_appointments"), domain
    )
    [listing] = messages
    assert listing["response"] == "utter_my_appointments" and listing["count"] == 1
    assert offers[1]["when"] in listing["lines"]


async def test_changing_the_day_mid_form_drops_the_chosen_slot(his, bind, domain):
    patient = await bind("陈大文", SELF_ID, "13800000001")
    slots = {
        "booking_patient": str(patient.id),
        "department": "儿科",
        "booking_date": (china_today() + timedelta(days=1)).isoformat(),
        "booking_slot": "some-slot",
        "booking_offers": [{"slot_id": "some-slot"}],
        "requested_slot": "booking_confirmed",
    }
    events, _ = await run(
        ValidateBookingForm(),
        tracker("换成后天", slots=slots, active_loop="booking_form"),
        domain,
    )
    changed = slot_events(events)
    assert changed["booking_date"] == (china_today() + timedelta(days=2)).isoformat()
    assert changed["booking_slot"] is None  # Rasa asks for it again, with new choices


async def test_saying_no_at_the_confirmation_offers_other_times(bind, domain):
    patient = await bind("陈大文", SELF_ID, "13800000001")
    slots = {
        "booking_patient": str(patient.id),
        "department": "儿科",
        "booking_slot": "s1",
        "booking_offers": [{"slot_id": "s1"}],
        "requested_slot": "booking_confirmed",
    }
    events, messages = await run(
        ValidateBookingForm(),
        tracker("换个时间", "deny", slots=slots, active_loop="booking_form"),
        domain,
    )
    assert utterances(messages) == ["utter_booking_not_confirmed"]
    assert slot_events(events)["booking_slot"] is None


@pytest.mark.parametrize(
    ("text", "response"),
    [("上周三", "utter_booking_date_past"), ("下下周五", "utter_booking_date_too_far")],
)
async def test_days_outside_the_booking_window_are_explained(bind, domain, text, response):
    patient = await bind("陈大文", SELF_ID, "13800000001")
    slots = {"booking_patient": str(patient.id), "department": "儿科"}
    events, messages = await run(
        ValidateBookingForm(), tracker(text, slots=slots, active_loop="booking_form"), domain
    )
    assert response in utterances(messages)
    # An explicit reset: Rasa keeps the form (and the explanation) only when a slot event comes.
    assert slot_events(events)["booking_date"] is None


async def test_an_unknown_department_is_explained(bind, domain):
    await bind("陈大文", SELF_ID, "13800000001")
    events, messages = await run(
        ValidateBookingForm(),
        tracker("男科", new_slots={"department": "男科"}, active_loop="booking_form"),
        domain,
    )
    assert utterances(messages) == ["utter_booking_department_unknown"]
    assert slot_events(events)["department"] is None


async def test_with_two_patients_the_form_asks_for_whom_or_takes_the_relation(bind, domain):
    await bind("陈大文", SELF_ID, "13800000001")
    mother = await bind("李秀英", MOTHER_ID, "13800000002", relation="parent")
    events, _ = await run(
        ValidateBookingForm(),
        tracker("预约儿科", "book_appointment", new_slots={"department": "儿科"}),
        domain,
    )
    assert "booking_patient" not in slot_events(events)  # two patients: Rasa asks for whom
    _, messages = await run(ActionAskBookingPatient(), tracker("…"), domain)
    assert [b["title"] for b in messages[0]["buttons"]] == ["陈*文（本人）", "李*英（父母）"]

    events, _ = await run(
        ValidateBookingForm(),
        tracker("帮阿妈约个号", "book_appointment", entities={"relation": "parent"}),
        domain,
    )
    assert slot_events(events)["booking_patient"] == str(mother.id)


async def test_stopping_forgets_the_form_answers(domain):
    t = tracker("算了", "stop", slots={"department": "儿科"}, active_loop="booking_form")
    events, messages = await run(ActionStopTask(), t, domain)
    assert utterances(messages) == ["utter_task_stopped"]
    assert any(e["event"] == "active_loop" and e["name"] is None for e in events)
    assert slot_events(events)["department"] is None


async def book_one(his, patient, domain, *, days_ahead: int | None = None) -> dict:
    """Books a 儿科 slot for `patient` through the actions; returns the offer booked."""
    day = (
        await a_day_with_morning_slots(his)
        if days_ahead is None
        else china_today() + timedelta(days=days_ahead)
    )
    slots = {
        "booking_patient": str(patient.id),
        "department": "儿科",
        "booking_date": day.isoformat(),
    }
    events, _ = await run(ActionAskBookingSlot(), tracker("…", slots=slots), domain)
    offers = slot_events(events)["booking_offers"]
    slots.update(booking_offers=offers, booking_slot=offers[0]["slot_id"], booking_confirmed=True)
    _, messages = await run(ActionBookAppointment(), tracker("确认", "affirm", slots=slots), domain)
    assert messages[0]["response"] == "utter_booking_done"
    return offers[0]


async def test_cancel_the_only_appointment(his, bind, domain):
    booked = await book_one(his, await bind("陈大文", someone_new(), "13800000001"), domain)
    events, _ = await run(ActionStartCancel(), tracker("取消预约", "cancel_appointment"), domain)
    chosen = slot_events(events)["cancel_appointment_id"]
    assert chosen and slot_events(events)["task_ready"] is True

    slots = {"cancel_appointment_id": chosen, "requested_slot": "cancel_confirmed"}
    events, _ = await run(
        ValidateCancelForm(),
        tracker("确认取消", "affirm", slots=slots, active_loop="cancel_form"),
        domain,
    )
    assert slot_events(events)["cancel_confirmed"] is True
    slots["cancel_confirmed"] = True
    _, messages = await run(
        ActionCancelAppointment(), tracker("确认取消", "affirm", slots=slots), domain
    )
    [done] = messages
    assert done["response"] == "utter_cancel_done" and booked["when"] in done["summary"]
    _, messages = await run(ActionMyAppointments(), tracker("我的预约", "my_appointments"), domain)
    assert utterances(messages) == ["utter_no_appointments"]


async def test_on_the_day_itself_an_appointment_can_no_longer_be_cancelled(
    his, bind, domain, hospital_control, monkeypatch
):
    from datetime import datetime

    from actions.booking import calendar

    booked = await book_one(his, await bind("陈大文", someone_new(), "13800000001"), domain)
    visit_day = datetime.fromisoformat(booked["start"]).replace(hour=7, minute=0)
    monkeypatch.setattr(calendar, "now", lambda: visit_day)
    await hospital_control.post("/sandbox/clock", json={"now": visit_day.isoformat()})
    try:
        events, _ = await run(
            ActionStartCancel(), tracker("取消预约", "cancel_appointment"), domain
        )
        slots = {
            "cancel_appointment_id": slot_events(events)["cancel_appointment_id"],
            "cancel_confirmed": True,
        }
        _, messages = await run(
            ActionCancelAppointment(), tracker("确认", "affirm", slots=slots), domain
        )
    finally:
        await hospital_control.post("/sandbox/clock", json={"now": None})
    [refused] = messages
    assert refused["response"] == "utter_cancel_too_late"
    assert "020-" in refused["phone"]  # the hospital's number to call instead


async def test_reschedule_moves_the_appointment(his, bind, domain):
    old = await book_one(his, await bind("陈大文", someone_new(), "13800000001"), domain)
    events, _ = await run(
        ActionStartReschedule(), tracker("改约", "reschedule_appointment"), domain
    )
    slots = slot_events(events)
    assert slots["task_ready"] is True
    assert slots["department"] == "儿科" and slots["reschedule_from"]

    ask, _ = await run(ActionAskBookingSlot(), tracker("…", slots=slots), domain)
    offers = slot_events(ask)["booking_offers"]
    new = next(o for o in offers if o["slot_id"] != old["slot_id"])
    slots.update(booking_offers=offers, booking_slot=new["slot_id"], booking_confirmed=True)
    _, messages = await run(ActionBookAppointment(), tracker("确认", "affirm", slots=slots), domain)
    [moved] = messages
    assert moved["response"] == "utter_rescheduled"
    assert moved["old_when"] == old["when"] and moved["when"] == new["when"]
    _, messages = await run(ActionMyAppointments(), tracker("我的预约", "my_appointments"), domain)
    assert messages[0]["count"] == 1 and new["when"] in messages[0]["lines"]


async def test_a_slot_taken_meanwhile_offers_the_next_ones(his, bind, domain, hospital_control):
    other = await bind("王小明", someone_new(), "13800000009", openid="oOther")
    offer = await book_one(his, await bind("陈大文", someone_new(), "13800000001"), domain)
    # 王小明 confirms the same slot a moment later.
    slots = {
        "booking_patient": str(other.id),
        "department": "儿科",
        "booking_offers": [offer],
        "booking_slot": offer["slot_id"],
        "booking_confirmed": True,
    }
    events, messages = await run(
        ActionBookAppointment(), tracker("确认", "affirm", slots=slots, openid="oOther"), domain
    )
    assert utterances(messages) == ["utter_booking_slot_taken"]
    assert slot_events(events)["booking_slot"] is None
    assert followup(events) == "booking_form"


async def test_three_no_shows_block_booking_with_the_reopening_day(
    his, bind, domain, patients, hospital_control
):
    patient = await bind("陈大文", someone_new(), "13800000001")
    await book_one(his, patient, domain)  # registers the patient with the hospital
    [me] = await patients.book.list_patients(OPENID)
    today = china_today()
    answer = await hospital_control.post(
        "/sandbox/no-shows",
        json={
            "patient_id": me.his_patient_id,
            "days": [(today - timedelta(days=d)).isoformat() for d in (30, 20, 10)],
        },
    )
    assert answer.status_code == 201
    day = await a_day_with_morning_slots(his, "眼科")
    slots = {
        "booking_patient": str(patient.id),
        "department": "眼科",
        "booking_date": day.isoformat(),
    }
    events, _ = await run(ActionAskBookingSlot(), tracker("…", slots=slots), domain)
    offers = slot_events(events)["booking_offers"]
    slots.update(booking_offers=offers, booking_slot=offers[0]["slot_id"], booking_confirmed=True)
    _, messages = await run(ActionBookAppointment(), tracker("确认", "affirm", slots=slots), domain)
    [blocked] = messages
    assert blocked["response"] == "utter_booking_blocked"
    # Booking reopens three months after the third no-show.
    assert blocked["until"] == day_text(_months_later(today - timedelta(days=10), 3))


def _months_later(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, 28))
