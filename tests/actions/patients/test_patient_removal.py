"""Removing a patient: which one (asked only when there is a choice), confirmation, deletion."""

from __future__ import annotations

import json

from patient_dialogue_harness import OPENID, Chat, Stand, resident_id
from sqlalchemy import func, select

from actions.patients.removal import (
    ActionAskPatientRemovalConfirmed,
    ActionAskPatientToRemove,
    ActionRemovePatient,
    ValidatePatientRemovalForm,
)
from patients.models import Patient
from patients.service import PatientView

FORM = "patient_removal_form"
VALIDATE = ValidatePatientRemovalForm()

MOTHER = ("陈大文", "parent", resident_id("44010619620315002"), "13900000002")
FATHER = ("林国强", "parent", resident_id("44010619600606003"), "13900000003")
SON = ("林子轩", "child", resident_id("44010620180808001"), "13900000004")


async def stored_patients(stand: Stand) -> int:
    async with stand.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(Patient)) or 0)


def choice(patient: PatientView) -> str:
    return "/inform" + json.dumps({"patient_id": str(patient.id)})


async def test_a_single_patient_is_not_chosen_but_confirmed_then_deleted(chat: Chat, stand):
    await stand.bind(OPENID, *MOTHER)
    turn = await chat.form(VALIDATE, FORM, "remove_patient", "删除就诊人")
    assert turn.asked == "patient_removal_confirmed"
    ask = await chat.run(ActionAskPatientRemovalConfirmed(), chat.tracker("remove_patient", ""))
    [message] = ask.messages
    assert message["response"] == "utter_ask_patient_removal_confirmed"
    assert (message["name"], message["relation"]) == ("陈*文", "父母")
    assert message["document"] == "4401**********" + MOTHER[2][-4:]
    assert (await chat.form(VALIDATE, FORM, "affirm", "确认删除")).asked is None
    turn = await chat.run(ActionRemovePatient(), chat.tracker("affirm", "确认删除"))
    assert turn.responses == ["utter_patient_removed"]
    assert turn.messages[0]["name"] == "陈*文"
    assert await stand.book.list_patients(OPENID) == []
    assert await stored_patients(stand) == 0
    assert chat.slots["patient_to_remove"] is None


async def test_with_several_patients_the_resident_chooses_by_button(chat, stand):
    mother = await stand.bind(OPENID, *MOTHER)
    son = await stand.bind(OPENID, *SON)
    turn = await chat.form(VALIDATE, FORM, "remove_patient", "删除就诊人")
    assert turn.asked == "patient_to_remove"
    ask = await chat.run(ActionAskPatientToRemove(), chat.tracker("remove_patient", ""))
    [message] = ask.messages
    assert message["response"] == "utter_ask_patient_to_remove"
    assert [b["payload"] for b in message["buttons"]] == [choice(mother), choice(son)]
    turn = await chat.form(VALIDATE, FORM, "inform", choice(son), {"patient_id": str(son.id)})
    assert turn.slot_events()["patient_to_remove"] == str(son.id)
    assert turn.asked == "patient_removal_confirmed"


async def test_typing_the_removal_again_confirms_it(chat, stand):
    await stand.bind(OPENID, *MOTHER)
    await chat.form(VALIDATE, FORM, "remove_patient", "删除就诊人")
    turn = await chat.form(VALIDATE, FORM, "remove_patient", "确认删除")
    assert turn.slot_events()["patient_removal_confirmed"] is True
    assert turn.asked is None


async def test_saying_no_keeps_the_patient(chat, stand):
    await stand.bind(OPENID, *MOTHER)
    await chat.form(VALIDATE, FORM, "remove_patient", "删除就诊人")
    assert (await chat.form(VALIDATE, FORM, "deny", "不删了")).asked is None
    turn = await chat.run(ActionRemovePatient(), chat.tracker("deny", "不删了"))
    assert turn.responses == ["utter_patient_kept"]
    assert len(await stand.book.list_patients(OPENID)) == 1


async def test_an_unclear_confirmation_is_asked_again(chat, stand):
    await stand.bind(OPENID, *MOTHER)
    await chat.form(VALIDATE, FORM, "remove_patient", "删除就诊人")
    turn = await chat.form(VALIDATE, FORM, "nlu_fallback", "嗯……")
    assert turn.responses == ["utter_patient_removal_unclear"]
    assert turn.asked == "patient_removal_confirmed"


async def test_the_relation_said_picks_the_patient(chat, stand):
    await stand.bind(OPENID, *MOTHER)
    son = await stand.bind(OPENID, *SON)
    turn = await chat.form(VALIDATE, FORM, "remove_patient", "解绑我个仔", {"relation": "child"})
    assert turn.slot_events()["patient_to_remove"] == str(son.id)
    assert turn.asked == "patient_removal_confirmed"


async def test_a_relation_two_patients_share_offers_just_those(chat, stand):
    mother = await stand.bind(OPENID, *MOTHER)
    father = await stand.bind(OPENID, *FATHER)
    await stand.bind(OPENID, *SON)
    turn = await chat.form(VALIDATE, FORM, "remove_patient", "删除我爸妈", {"relation": "parent"})
    assert turn.messages == []
    assert turn.asked == "patient_to_remove"
    ask = await chat.run(
        ActionAskPatientToRemove(),
        chat.tracker("remove_patient", "删除我爸妈", {"relation": "parent"}),
    )
    assert [b["payload"] for b in ask.messages[0]["buttons"]] == [choice(mother), choice(father)]


async def test_a_relation_nobody_has_is_said(chat, stand):
    await stand.bind(OPENID, *MOTHER)
    await stand.bind(OPENID, *SON)
    turn = await chat.form(VALIDATE, FORM, "remove_patient", "删除我老婆", {"relation": "spouse"})
    assert turn.responses == ["utter_patient_relation_not_found"]
    assert turn.messages[0]["relation"] == "配偶"
    assert turn.asked == "patient_to_remove"


async def test_an_unclear_choice_is_asked_again(chat, stand):
    await stand.bind(OPENID, *MOTHER)
    await stand.bind(OPENID, *SON)
    await chat.form(VALIDATE, FORM, "remove_patient", "删除就诊人")
    turn = await chat.form(VALIDATE, FORM, "nlu_fallback", "那个")
    assert turn.responses == ["utter_patient_choice_unclear"]
    assert turn.asked == "patient_to_remove"


async def test_another_accounts_patient_cannot_be_removed(chat, stand):
    await stand.bind(OPENID, *MOTHER)
    await stand.bind(OPENID, *SON)
    stranger = await stand.bind("oSomebodyElse000001", *FATHER)
    await chat.form(VALIDATE, FORM, "remove_patient", "删除就诊人")
    turn = await chat.form(VALIDATE, FORM, "inform", "/inform", {"patient_id": str(stranger.id)})
    assert turn.responses == ["utter_patient_error_patient_not_found"]
    assert turn.asked == "patient_to_remove"
    # Even when the slot is forged, the removal itself is refused by the book.
    chat.slots.update(patient_to_remove=str(stranger.id), patient_removal_confirmed=True)
    turn = await chat.run(ActionRemovePatient(), chat.tracker("affirm", "确认"))
    assert turn.responses == ["utter_patient_error_patient_not_found"]
    assert await stored_patients(stand) == 3


async def test_removing_the_current_patient_says_who_is_current_now(chat, stand):
    await stand.bind(OPENID, *MOTHER)  # the first patient is the current one
    son = await stand.bind(OPENID, *SON)
    await chat.form(VALIDATE, FORM, "remove_patient", "解绑我妈", {"relation": "parent"})
    await chat.form(VALIDATE, FORM, "affirm", "确认删除")
    turn = await chat.run(ActionRemovePatient(), chat.tracker("affirm", "确认删除"))
    assert turn.responses == ["utter_patient_removed", "utter_patient_switched"]
    assert turn.messages[1]["name"] == "林*轩"
    [left] = await stand.book.list_patients(OPENID)
    assert (left.id, left.is_selected) == (son.id, True)


async def test_a_patient_removed_meanwhile_is_chosen_again(chat, stand):
    mother = await stand.bind(OPENID, *MOTHER)
    son = await stand.bind(OPENID, *SON)
    await chat.form(VALIDATE, FORM, "remove_patient", "解绑我妈", {"relation": "parent"})
    await stand.book.remove_patient(OPENID, mother.id)  # from another device
    turn = await chat.run(ActionAskPatientRemovalConfirmed(), chat.tracker("remove_patient", ""))
    assert turn.responses == [
        "utter_patient_error_patient_not_found",
        "utter_ask_patient_to_remove",
    ]
    assert [b["payload"] for b in turn.messages[1]["buttons"]] == [choice(son)]
    assert chat.slots["requested_slot"] == "patient_to_remove"
    assert chat.slots["patient_to_remove"] is None


async def test_stop_and_digressions_are_not_choices(chat, stand):
    await stand.bind(OPENID, *MOTHER)
    await stand.bind(OPENID, *SON)
    await chat.form(VALIDATE, FORM, "remove_patient", "删除就诊人")
    turn = await chat.form(VALIDATE, FORM, "stop", "算了")
    assert turn.messages == []
    assert "patient_to_remove" not in turn.slot_events()
