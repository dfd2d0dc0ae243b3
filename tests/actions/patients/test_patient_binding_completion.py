"""After the binding form: announcing the patient, handing back to booking, and forgetting the
answers when the binding is refused, stopped or interrupted."""

from __future__ import annotations

from patient_dialogue_harness import OPENID, Chat, resident_id
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet

from actions.patients.binding import ValidatePatientForm
from actions.patients.completion import ActionCancelPatientTask, ActionFinishPatientBinding

FORM = "patient_form"
VALIDATE = ValidatePatientForm()
FORM_SLOTS = [
    "patient_consent",
    "patient_relation",
    "patient_name",
    "patient_document",
    "patient_phone",
    "patient_code",
]


async def bind_through_the_form(chat: Chat) -> None:
    await chat.form(VALIDATE, FORM, "add_patient", "帮我妈绑定", {"relation": "parent"})
    await chat.form(VALIDATE, FORM, "affirm", "同意")
    await chat.typed(VALIDATE, FORM, "陈大文")
    await chat.typed(VALIDATE, FORM, resident_id("44010619620315002"))
    await chat.typed(VALIDATE, FORM, "13812345678")
    await chat.typed(VALIDATE, FORM, await chat.stand.latest_code("+8613812345678"))
    assert chat.slots["patient_binding_outcome"] == "bound"


async def test_the_new_patient_is_announced_masked_and_next_steps_offered(chat):
    await bind_through_the_form(chat)
    turn = await chat.run(ActionFinishPatientBinding(), chat.tracker("affirm", "同意"))
    bound, offer = turn.messages
    assert bound["response"] == "utter_patient_bound"
    assert (bound["name"], bound["relation"]) == ("陈*文", "父母")
    assert bound["document"] == "4401**********" + resident_id("44010619620315002")[-4:]
    assert bound["phone"] == "138****5678"
    assert offer["response"] == "utter_after_patient_bound"
    assert not any(event["event"] == "followup" for event in turn.events)
    assert SlotSet("resume_booking", False) in turn.events  # the rules expect it every time
    for slot in [*FORM_SLOTS, "patient_code_sent", "patient_binding_outcome", "bound_patient_id"]:
        assert SlotSet(slot, None) in turn.events


async def test_a_waiting_booking_resumes_after_the_binding(chat):
    chat.slots["resume_booking"] = True
    await bind_through_the_form(chat)
    turn = await chat.run(ActionFinishPatientBinding(), chat.tracker("inform", "123456"))
    assert turn.responses == ["utter_patient_bound", "utter_resume_booking"]
    assert SlotSet("resume_booking", False) in turn.events
    assert turn.events[-1] == FollowupAction("booking_form")


async def test_consent_is_not_asked_again_for_the_next_patient(chat):
    await bind_through_the_form(chat)
    await chat.run(ActionFinishPatientBinding(), chat.tracker("inform", "123456"))
    turn = await chat.form(VALIDATE, FORM, "add_patient", "再加一个家人")
    assert turn.asked == "patient_relation"


async def test_a_refused_binding_does_not_resume_booking(chat):
    chat.slots["resume_booking"] = True
    await chat.form(VALIDATE, FORM, "book_appointment", "帮我约个号")
    await chat.form(VALIDATE, FORM, "deny", "不同意")
    turn = await chat.run(ActionFinishPatientBinding(), chat.tracker("deny", "不同意"))
    assert turn.messages == []  # the form already said why
    assert SlotSet("resume_booking", False) in turn.events
    assert not any(event["event"] == "followup" for event in turn.events)
    assert chat.slots["patient_binding_outcome"] is None


async def test_stopping_forgets_the_answers_and_the_waiting_booking(chat, stand):
    chat.slots["resume_booking"] = True
    await chat.form(VALIDATE, FORM, "book_appointment", "帮我妈约个号", {"relation": "parent"})
    await chat.form(VALIDATE, FORM, "affirm", "同意")
    await chat.typed(VALIDATE, FORM, "陈大文")
    turn = await chat.run(ActionCancelPatientTask(), chat.tracker("stop", "算了"))
    assert turn.messages == []
    assert turn.events[0] == ActiveLoop(None)
    assert SlotSet("resume_booking", False) in turn.events
    assert chat.slots["patient_name"] is None
    assert chat.slots["patient_relation"] is None
    assert chat.slots["patient_to_remove"] is None
    assert await stand.book.list_patients(OPENID) == []
