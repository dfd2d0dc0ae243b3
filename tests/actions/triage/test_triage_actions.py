"""The triage dialogue's actions without a trained model: trackers as Rasa sends them, the
shipped triage knowledge, the real sandbox hospital in-process, frontdoor's patient records on a
temporary database."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from action_testkit import resident_id, run, slot_events, tracker

from actions.booking.start import ActionStartBooking
from actions.services import use_his_client
from actions.triage.answer import ActionTriageAnswer, book_payload
from actions.triage.emergency import ActionEmergency
from actions.triage.form import ActionAskTriageWho, ValidateTriageForm
from actions.triage.start import ActionStartTriage
from integrations.his import HISClient

pytestmark = pytest.mark.usefixtures("his")

SELF_ID = resident_id("44010319800101123")  # a man born in 1980
MOTHER_ID = resident_id("44010319521203004")  # a woman born in 1952
FORM = "triage_form"


def responses(messages: list[dict[str, Any]]) -> list[str]:
    return [m.get("response") for m in messages]


def requested(events: list[dict[str, Any]]) -> Any:
    return slot_events(events).get("requested_slot", "not set")


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
async def test_the_emergency_answer_comes_first(domain, text: str, first: str):
    _, messages = await run(ActionEmergency(), tracker(text, "report_emergency"), domain)
    assert responses(messages)[0] == first
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
