"""The triage dialogue's actions without a trained model: trackers as Rasa sends them, the
shipped triage knowledge, the real sandbox hospital in-process, frontdoor's patient records and
triage trail on a temporary database (one row per answer, never the words; a broken or slow
trail never changes the answer)."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import httpx
import pytest
from action_testkit import OPENID, resident_id, run, slot_events, tracker
from sqlalchemy.exc import OperationalError

from actions.booking.start import ActionStartBooking
from actions.services import triage_records, use_his_client, use_triage_records
from actions.triage import trail as triage_trail
from actions.triage.answer import ActionTriageAnswer, book_payload
from actions.triage.emergency import ActionEmergency
from actions.triage.form import ActionAskTriageWho, ValidateTriageForm
from actions.triage.start import ActionStartTriage
from integrations.his import HISClient
from patients.triage_records import TriageKind, TriageQuery, TriageRecord, TriageRecords
from triage.engine import default_engine

pytestmark = pytest.mark.usefixtures("his")

SELF_ID = resident_id("44010319800101123")  # a man born in 1980
MOTHER_ID = resident_id("44010319521203004")  # a woman born in 1952
FORM = "triage_form"


def responses(messages: list[dict[str, Any]]) -> list[str]:
    return [m.get("response") for m in messages]


def requested(events: list[dict[str, Any]]) -> Any:
    return slot_events(events).get("requested_slot", "not set")


@pytest.fixture
def trail(patients) -> TriageRecords:
    """The triage trail the `patients` fixture installed for the actions."""
    return triage_records()


async def only_row(trail: TriageRecords) -> TriageRecord:
    rows = await trail.find(TriageQuery())
    assert len(rows) == 1, rows
    return rows[0]


async def test_start_keeps_the_words_and_knows_the_user_from_the_bound_id(patients, bind, domain):
    me = await bind("陈大文", SELF_ID, "13900000001")
    events, messages = await run(
        ActionStartTriage(), tracker("头疼三天了", "describe_symptoms"), domain
    )
    slots = slot_events(events)
    assert messages == []
    assert slots["triage_text"] == "头疼三天了"
    assert slots["triage_patient"] == str(me.id)
    assert slots["triage_sex"] == "male"
    assert 40 <= slots["triage_age"] <= 50
    assert slots["triage_fever"] is None  # the last triage's answers are forgotten


async def test_start_finds_the_relative_named(patients, bind, domain):
    await bind("陈大文", SELF_ID, "13900000001")
    mother = await bind("李秀英", MOTHER_ID, "13900000002", relation="parent")
    events, _ = await run(
        ActionStartTriage(),
        tracker("我阿妈成日头晕", "describe_symptoms", entities={"relation": "parent"}),
        domain,
    )
    slots = slot_events(events)
    assert slots["triage_patient"] == str(mother.id)
    assert slots["triage_sex"] == "female" and slots["triage_age"] >= 70


async def test_someone_unbound_is_not_taken_for_the_user(patients, bind, domain):
    await bind("陈大文", SELF_ID, "13900000001")
    events, _ = await run(ActionStartTriage(), tracker("宝宝发烧", "describe_symptoms"), domain)
    assert "triage_patient" not in {k for k, v in slot_events(events).items() if v}


async def test_the_form_asks_only_what_changes_the_answer(patients, domain):
    slots = {"triage_text": "头疼三天了"}
    events, _ = await run(
        ValidateTriageForm(), tracker("头疼三天了", slots=slots, active_loop=FORM), domain
    )
    assert requested(events) == "triage_who"
    # With the age known (a bound patient), the next question is the fever.
    slots["triage_age"] = 45.0
    events, _ = await run(
        ValidateTriageForm(), tracker("头疼三天了", slots=slots, active_loop=FORM), domain
    )
    assert requested(events) == "triage_fever"


async def test_an_answer_is_read_and_added_to_the_words(patients, domain):
    slots = {"triage_text": "头疼三天了", "triage_age": 45.0, "requested_slot": "triage_fever"}
    events, _ = await run(
        ValidateTriageForm(), tracker("有，38度5", slots=slots, active_loop=FORM), domain
    )
    found = slot_events(events)
    assert found["triage_fever"] == "38.5"
    assert found["triage_text"] == "头疼三天了；有，38度5"
    assert found["requested_slot"] == "triage_severity"


async def test_no_questions_left_ends_the_form(patients, domain):
    slots = {
        "triage_text": "头疼三天了；有，38度5",
        "triage_age": 45.0,
        "triage_fever": "38.5",
        "requested_slot": "triage_severity",
    }
    events, _ = await run(
        ValidateTriageForm(), tracker("还好", slots=slots, active_loop=FORM), domain
    )
    found = slot_events(events)
    assert found["triage_severity"] == "mild"
    assert found["requested_slot"] is None


async def test_an_unclear_age_is_asked_once_more_then_counts_as_unknown(patients, domain):
    slots = {"triage_text": "头疼", "requested_slot": "triage_who"}
    events, messages = await run(
        ValidateTriageForm(), tracker("乜嘢话", slots=slots, active_loop=FORM), domain
    )
    assert responses(messages) == ["utter_triage_unclear_who"]
    found = slot_events(events)
    assert found["triage_who"] is None and found["requested_slot"] == "triage_who"
    slots.update(triage_retry="triage_who", triage_text=found["triage_text"])
    events, messages = await run(
        ValidateTriageForm(), tracker("唔知", slots=slots, active_loop=FORM), domain
    )
    assert messages == []
    assert slot_events(events)["triage_who"] == "unknown"
    assert slot_events(events)["requested_slot"] != "triage_who"


async def test_naming_a_bound_relative_answers_the_age(patients, bind, domain):
    await bind("陈大文", SELF_ID, "13900000001")
    mother = await bind("李秀英", MOTHER_ID, "13900000002", relation="parent")
    slots = {"triage_text": "头疼", "requested_slot": "triage_who"}
    events, _ = await run(
        ValidateTriageForm(),
        tracker("系我阿妈", entities={"relation": "parent"}, slots=slots, active_loop=FORM),
        domain,
    )
    found = slot_events(events)
    assert found["triage_patient"] == str(mother.id)
    assert float(found["triage_who"]) >= 70 and found["triage_sex"] == "female"


async def test_a_childs_age_is_asked_as_a_childs(domain):
    _, messages = await run(
        ActionAskTriageWho(), tracker("…", slots={"triage_text": "宝宝发烧"}), domain
    )
    assert responses(messages) == ["utter_ask_triage_child_age"]
    _, messages = await run(
        ActionAskTriageWho(), tracker("…", slots={"triage_text": "头疼"}), domain
    )
    assert responses(messages) == ["utter_ask_triage_who"]


async def test_the_answer_names_department_urgency_and_reason_and_offers_booking(patients, domain):
    slots = {"triage_text": "孩子发烧咳嗽两天；5岁", "triage_who": "5", "triage_patient": "7"}
    events, messages = await run(ActionTriageAnswer(), tracker("5岁", slots=slots), domain)
    said = responses(messages)
    assert said[0] == "utter_triage_result"
    assert "儿科" in messages[0]["reason"]
    assert "utter_triage_routine" in said
    offer = messages[-1]
    assert offer["response"] == "utter_triage_offer_booking"
    assert offer["department"] == "儿科"
    payload = offer["buttons"][0]["payload"]
    assert payload.startswith("/book_appointment")
    assert json.loads(payload.removeprefix("/book_appointment")) == {
        "department": "儿科",
        "patient_id": "7",
    }
    assert slot_events(events)["triage_offer"] == "儿科"


async def test_a_high_fever_is_urgent(patients, domain):
    slots = {"triage_text": "喉咙痛；39度5", "triage_who": "30", "triage_fever": "yes"}
    _, messages = await run(ActionTriageAnswer(), tracker("39度5", slots=slots), domain)
    assert "utter_triage_urgent" in responses(messages)


async def test_a_severe_answer_can_make_it_an_emergency(patients, domain):
    slots = {"triage_text": "肚子痛；好痛", "triage_who": "30", "triage_severity": "severe"}
    events, messages = await run(ActionTriageAnswer(), tracker("好痛", slots=slots), domain)
    assert responses(messages)[0] == "utter_emergency_go_now"
    assert "utter_triage_offer_booking" not in responses(messages)
    assert slot_events(events)["triage_offer"] is None


async def test_a_department_no_one_books_online_offers_the_first_contact(patients, domain):
    slots = {"triage_text": "阳痿早泄", "triage_who": "40", "triage_sex": "male"}
    _, messages = await run(ActionTriageAnswer(), tracker("40", slots=slots), domain)
    offer = messages[-1]
    # The sandbox has neither 男科 nor 泌尿外科 (hospital_departments.yml): 全科 first.
    assert offer["response"] == "utter_triage_book_first_contact"
    assert (offer["department"], offer["first_contact"]) == ("男科", "全科医学科")
    assert offer["buttons"][0]["payload"].startswith('/book_appointment{"department": "全科医学科"')


async def test_a_hospital_that_cannot_be_read_still_gets_the_advice(patients, domain):
    down = HISClient(
        "http://his.test/fhir",
        transport=httpx.MockTransport(lambda request: httpx.Response(503)),
        retries=0,
    )
    use_his_client(down)
    try:
        slots = {"triage_text": "膝盖痛", "triage_who": "50", "triage_severity": "mild"}
        _, messages = await run(ActionTriageAnswer(), tracker("还好", slots=slots), domain)
    finally:
        await down.aclose()
    assert responses(messages)[0] == "utter_triage_result"
    assert responses(messages)[-1] == "utter_triage_booking_unavailable"


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("我阿爸心口好痛出冷汗", "utter_emergency_call_120"),
        ("肚子痛到打滚", "utter_emergency_go_now"),
        ("我真系唔想活了", "utter_emergency_mental_health"),
        ("/report_emergency", "utter_emergency"),  # the menu's emergency button
    ],
)
async def test_the_emergency_answer_comes_first(trail, domain, text: str, first: str):
    _, messages = await run(ActionEmergency(), tracker(text, "report_emergency"), domain)
    assert responses(messages)[0] == first
    assert (await only_row(trail)).kind is TriageKind.EMERGENCY
    if first in ("utter_emergency_call_120", "utter_emergency_go_now"):
        assert "120" in messages[0]["reason"] or "急诊" in messages[0]["reason"]
        assert responses(messages)[1] == "utter_emergency_while_waiting"
    if first == "utter_emergency_mental_health":
        assert "12356" in messages[0]["advice"] and "120" in messages[0]["advice"]


async def test_yes_to_the_offer_books_that_department_for_that_patient(patients, bind, domain):
    me = await bind("陈大文", SELF_ID, "13900000001")
    slots = {"triage_offer": "神经内科", "triage_patient": str(me.id)}
    events, _ = await run(ActionStartBooking(), tracker("好", "affirm", slots=slots), domain)
    found = slot_events(events)
    assert found["department"] == "神经内科"
    assert found["booking_patient"] == str(me.id)
    assert found["resume_booking"] is False


def test_the_offer_payload_is_what_the_booking_form_reads():
    assert book_payload("儿科", None) == '/book_appointment{"department": "儿科"}'


# --- the admins' trail ------------------------------------------------------------------------


async def test_an_answer_is_recorded_with_the_bound_patient_and_the_offer(
    patients, bind, trail, domain
):
    me = await bind("陈大文", SELF_ID, "13900000001")
    slots = {
        "triage_text": "头疼三天了；没有发烧",
        "triage_age": 45.0,
        "triage_sex": "male",
        "triage_patient": str(me.id),
        "triage_fever": "no",
    }
    _, messages = await run(ActionTriageAnswer(), tracker("没有发烧", slots=slots), domain)
    assert responses(messages)[-1] == "utter_triage_offer_booking"
    row = await only_row(trail)
    assert row.openid == OPENID
    assert row.account_id is not None
    assert row.account_id == await patients.book.account_id(OPENID)
    assert row.patient_id == me.id
    assert (row.kind, row.department, row.level) == (TriageKind.ADVICE, "neurology", "routine")
    assert row.red_flags == ()
    assert (row.followup_questions, row.booking_offered) == (1, True)


async def test_an_answer_for_someone_unbound_has_no_account_or_patient(trail, domain):
    slots = {"triage_text": "孩子发烧咳嗽两天；5岁", "triage_who": "5"}
    await run(ActionTriageAnswer(), tracker("5岁", slots=slots), domain)
    row = await only_row(trail)
    assert (row.account_id, row.patient_id) == (None, None)
    assert (row.department, row.followup_questions, row.booking_offered) == ("pediatrics", 1, True)


async def test_a_red_flag_in_the_answers_is_recorded_as_an_emergency(trail, domain):
    slots = {"triage_text": "肚子痛；好痛", "triage_who": "30", "triage_severity": "severe"}
    await run(ActionTriageAnswer(), tracker("好痛", slots=slots), domain)
    row = await only_row(trail)
    assert row.kind is TriageKind.EMERGENCY
    assert "severe_abdominal_pain" in row.red_flags
    assert (row.level, row.followup_questions, row.booking_offered) == ("emergency", 2, False)


async def test_no_booking_offered_when_the_hospital_cannot_be_read(trail, domain):
    down = HISClient(
        "http://his.test/fhir",
        transport=httpx.MockTransport(lambda request: httpx.Response(503)),
        retries=0,
    )
    use_his_client(down)
    try:
        slots = {"triage_text": "膝盖痛", "triage_who": "50", "triage_severity": "mild"}
        await run(ActionTriageAnswer(), tracker("还好", slots=slots), domain)
    finally:
        await down.aclose()
    row = await only_row(trail)
    assert (row.kind, row.department, row.booking_offered) == (
        TriageKind.ADVICE,
        "orthopedics",
        False,
    )


@pytest.mark.parametrize("text", ["我阿爸心口好痛出冷汗", "肚子痛到打滚", "我真系唔想活了"])
async def test_an_emergency_is_recorded_with_its_red_flags(trail, domain, text: str):
    await run(ActionEmergency(), tracker(text, "report_emergency"), domain)
    row = await only_row(trail)
    expected = default_engine().triage(text)
    assert row.red_flags and row.red_flags == expected.red_flags
    assert (row.department, row.level) == (expected.department, expected.level.value)
    # Outside a triage, nobody was asked anything and no patient is known.
    assert (row.patient_id, row.followup_questions, row.booking_offered) == (None, None, False)


async def test_the_general_emergency_answer_is_recorded_as_one(trail, domain):
    await run(ActionEmergency(), tracker("/report_emergency", "report_emergency"), domain)
    row = await only_row(trail)
    assert (row.kind, row.department, row.level) == (
        TriageKind.EMERGENCY,
        "emergency",
        "emergency_ambulance",
    )
    assert row.red_flags == ()


async def test_an_emergency_mid_triage_is_recorded_for_that_triage(patients, bind, trail, domain):
    me = await bind("陈大文", SELF_ID, "13900000001")
    slots = {"triage_text": "头疼", "triage_patient": str(me.id), "triage_fever": "no"}
    text = "我而家突然心口好痛，透唔到气"
    await run(
        ActionEmergency(),
        tracker(text, "report_emergency", slots=slots, active_loop="triage_form"),
        domain,
    )
    row = await only_row(trail)
    assert "chest_pain" in row.red_flags
    assert (row.patient_id, row.followup_questions) == (me.id, 1)
    # The same slots left over from a finished triage say nothing about this emergency.
    await run(ActionEmergency(), tracker(text, "report_emergency", slots=slots), domain)
    latest = (await trail.find(TriageQuery(limit=1)))[0]
    assert (latest.patient_id, latest.followup_questions) == (None, None)


class BrokenTrail:
    """A trail whose database fails, with the row's values in its message (as SQLAlchemy's
    errors carry them): none of it may reach the log."""

    async def record(self, openid: str, *args: Any, **kwargs: Any) -> None:
        raise OperationalError("INSERT INTO triage_events …", {"openid": openid}, Exception())


class SlowTrail:
    async def record(self, *args: Any, **kwargs: Any) -> None:
        await asyncio.sleep(30)


CASES = [
    (ActionEmergency, "我阿爸心口好痛出冷汗", {}),
    (ActionTriageAnswer, "5岁", {"triage_text": "孩子发烧咳嗽两天；5岁", "triage_who": "5"}),
]


@pytest.mark.parametrize(("action", "text", "slots"), CASES)
async def test_a_broken_trail_never_changes_the_answer(
    patients, domain, caplog, action, text: str, slots: dict[str, Any]
):
    def answer() -> Any:
        return run(action(), tracker(text, "report_emergency", slots=slots), domain)

    expected = await answer()
    use_triage_records(BrokenTrail())  # type: ignore[arg-type]
    with caplog.at_level(logging.INFO):
        assert await answer() == expected
    failures = [r for r in caplog.records if "not recorded" in r.getMessage()]
    assert len(failures) == 1 and failures[0].levelno == logging.ERROR
    logged = "\n".join(r.getMessage() + str(r.exc_info or "") for r in caplog.records)
    assert OPENID not in logged
    assert text not in logged and "心口" not in logged and "发烧" not in logged


@pytest.mark.parametrize(("action", "text", "slots"), CASES)
async def test_a_slow_trail_does_not_hold_the_answer(
    patients, domain, monkeypatch, action, text: str, slots: dict[str, Any]
):
    monkeypatch.setattr(triage_trail, "RECORD_TIMEOUT_SECONDS", 0.2)

    def answer() -> Any:
        return run(action(), tracker(text, "report_emergency", slots=slots), domain)

    expected = await answer()
    use_triage_records(SlowTrail())  # type: ignore[arg-type]
    assert await asyncio.wait_for(answer(), timeout=5) == expected
