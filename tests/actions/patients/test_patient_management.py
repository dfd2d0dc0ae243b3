"""Listing patients, choosing the current one, and the check before adding or removing."""

from __future__ import annotations

import json

import pytest
from patient_dialogue_harness import OPENID, Chat, Stand, resident_id

from actions.patients.management import (
    ActionCheckPatients,
    ActionListPatients,
    ActionSwitchPatient,
)
from patients.service import PatientView

SELF_ID = resident_id("44010619900101001")
MOTHER_ID = resident_id("44010619620315002")
FATHER_ID = resident_id("44010619600606003")
SON_ID = resident_id("44010620180808001")


async def family(stand: Stand, *members: str) -> dict[str, PatientView]:
    """Bind some of: self, mother, father, son (in that order of binding)."""
    known = {
        "self": ("林小明", "self", SELF_ID, "13900000001"),
        "mother": ("陈大文", "parent", MOTHER_ID, "13900000002"),
        "father": ("林国强", "parent", FATHER_ID, "13900000003"),
        "son": ("林子轩", "child", SON_ID, "13900000004"),
    }
    return {member: await stand.bind(OPENID, *known[member]) for member in members}


def payload(patient: PatientView, intent: str = "switch_patient") -> str:
    return f"/{intent}" + json.dumps({"patient_id": str(patient.id)})


async def selected(stand: Stand) -> str:
    [current] = [p for p in await stand.book.list_patients(OPENID) if p.is_selected]
    return current.name


# --- the check -------------------------------------------------------------------------------


@pytest.mark.parametrize(("bound", "value"), [(0, "empty"), (1, "some"), (4, "some"), (5, "full")])
async def test_the_check_says_whether_there_is_room(chat: Chat, stand, bound, value):
    for n in range(bound):
        document = resident_id(f"4401061990010{n + 1}00{n}")
        await stand.bind(OPENID, f"家人{'甲乙丙丁戊'[n]}", "other", document, f"1370000000{n}")
    turn = await chat.run(ActionCheckPatients(), chat.tracker("add_patient", "添加就诊人"))
    assert turn.slot_events() == {"patients_on_file": value}
    assert turn.messages == []


# --- the list --------------------------------------------------------------------------------


async def test_no_patient_yet_offers_to_add_one(chat):
    turn = await chat.run(ActionListPatients(), chat.tracker("list_patients", "我的就诊人"))
    assert turn.responses == ["utter_no_patients"]


async def test_a_single_patient_is_listed_without_switch_buttons(chat, stand):
    await family(stand, "mother")
    [message] = (
        await chat.run(ActionListPatients(), chat.tracker("list_patients", "我的就诊人"))
    ).messages
    assert message["response"] == "utter_patient_list_single"
    assert message["count"] == 1
    assert message["limit"] == 5
    assert "陈*文（父母）★" in message["lines"]
    assert message["buttons"] == []


async def test_the_list_is_masked_marks_the_current_and_offers_the_others(chat, stand):
    people = await family(stand, "self", "mother", "son")
    [message] = (
        await chat.run(ActionListPatients(), chat.tracker("list_patients", "我的就诊人"))
    ).messages
    assert message["response"] == "utter_patient_list"
    assert message["count"] == 3
    lines = message["lines"]
    assert lines.count("★") == 1
    assert "林*明（本人）★" in lines
    assert "居民身份证 4401**********" + MOTHER_ID[-4:] in lines
    assert "139****0002" in lines
    for number in (SELF_ID, MOTHER_ID, SON_ID, "13900000002"):
        assert number not in json.dumps(message, ensure_ascii=False)
    assert message["buttons"] == [
        {"title": "陈*文（父母）", "payload": payload(people["mother"])},
        {"title": "林*轩（子女）", "payload": payload(people["son"])},
    ]


# --- switching -------------------------------------------------------------------------------


async def test_switching_by_button(chat, stand):
    people = await family(stand, "self", "mother")
    tracker = chat.tracker(
        "switch_patient", payload(people["mother"]), {"patient_id": str(people["mother"].id)}
    )
    [message] = (await chat.run(ActionSwitchPatient(), tracker)).messages
    assert message["response"] == "utter_patient_switched"
    assert (message["name"], message["relation"]) == ("陈*文", "父母")
    assert await selected(stand) == "陈大文"


async def test_switching_by_the_relation_said(chat, stand):
    await family(stand, "self", "son")
    tracker = chat.tracker("switch_patient", "换成我个仔", {"relation": "child"})
    assert (await chat.run(ActionSwitchPatient(), tracker)).responses == ["utter_patient_switched"]
    assert await selected(stand) == "林子轩"


async def test_a_relation_two_patients_share_asks_which(chat, stand):
    people = await family(stand, "self", "mother", "father")
    tracker = chat.tracker("switch_patient", "换成我爸妈", {"relation": "parent"})
    [message] = (await chat.run(ActionSwitchPatient(), tracker)).messages
    assert message["response"] == "utter_ask_patient_to_switch"
    assert [b["payload"] for b in message["buttons"]] == [
        payload(people["mother"]),
        payload(people["father"]),
    ]
    assert await selected(stand) == "林小明"


async def test_a_relation_nobody_has_says_so_and_offers_everybody(chat, stand):
    await family(stand, "self", "mother")
    tracker = chat.tracker("switch_patient", "换成我老婆", {"relation": "spouse"})
    turn = await chat.run(ActionSwitchPatient(), tracker)
    assert turn.responses == ["utter_patient_relation_not_found", "utter_ask_patient_to_switch"]
    assert turn.messages[0]["relation"] == "配偶"
    # The current patient is offered last.
    assert [b["title"] for b in turn.messages[1]["buttons"]] == ["陈*文（父母）", "林*明（本人）"]


async def test_switching_with_a_single_patient_says_it_is_already_the_one(chat, stand):
    await family(stand, "mother")
    turn = await chat.run(ActionSwitchPatient(), chat.tracker("switch_patient", "切换就诊人"))
    assert turn.responses == ["utter_only_one_patient"]
    assert turn.messages[0]["name"] == "陈*文"


async def test_switching_without_patients_offers_to_add_one(chat):
    turn = await chat.run(ActionSwitchPatient(), chat.tracker("switch_patient", "切换就诊人"))
    assert turn.responses == ["utter_no_patients"]


async def test_another_accounts_patient_cannot_be_chosen(chat, stand):
    await family(stand, "self", "mother")
    stranger = await stand.bind("oSomebodyElse000001", "王五", "self", SON_ID, "13900000009")
    tracker = chat.tracker("switch_patient", "/switch_patient", {"patient_id": str(stranger.id)})
    turn = await chat.run(ActionSwitchPatient(), tracker)
    assert turn.responses == [
        "utter_patient_error_patient_not_found",
        "utter_ask_patient_to_switch",
    ]
    assert await selected(stand) == "林小明"
