"""The binding form (`validate_patient_form`) turn by turn, against a real patient book, vault
and SMS stand-in: consent, each answer and its errors, the code, and what is stored."""

from __future__ import annotations

import hashlib
import json

import pytest
from patient_dialogue_harness import OPENID, Chat, Stand, Turn, resident_id
from sqlalchemy import func, select

from actions.patients.binding import ValidatePatientForm, consent_text
from patients.models import Account, Consent

FORM = "patient_form"
VALIDATE = ValidatePatientForm()

MOTHER_ID = resident_id("44010619620315002")  # a woman born 1962-03-15
MOTHER_PHONE = "13812345678"
MOTHER_E164 = "+86" + MOTHER_PHONE


async def start(chat: Chat, **entities: str) -> Turn:
    return await chat.form(VALIDATE, FORM, "add_patient", "添加就诊人", entities)


async def agree(chat: Chat) -> Turn:
    return await chat.form(VALIDATE, FORM, "affirm", "同意")


async def reach_code_step(chat: Chat, document: str = MOTHER_ID, phone: str = MOTHER_PHONE) -> Turn:
    """Consent, mother, 陈大文, the document, the phone: the turn that texts the code."""
    await start(chat, relation="parent")
    await agree(chat)
    await chat.typed(VALIDATE, FORM, "我妈叫陈大文")
    await chat.typed(VALIDATE, FORM, document)
    return await chat.typed(VALIDATE, FORM, phone)


async def count(stand: Stand, model: type) -> int:
    async with stand.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


# --- consent ---------------------------------------------------------------------------------


async def test_consent_is_asked_first_and_recorded_with_its_exact_text(chat, stand, domain):
    assert (await start(chat)).asked == "patient_consent"
    turn = await agree(chat)
    assert turn.slot_events()["patient_consent"] is True
    assert turn.asked == "patient_relation"
    async with stand.sessions() as session:
        [consent] = (await session.scalars(select(Consent))).all()
    assert consent.text_version == "v1"
    assert consent.text_sha256 == hashlib.sha256(consent_text(domain).encode()).hexdigest()
    assert consent.granted_at is not None
    assert consent_text(domain).startswith("添加就诊人之前")


async def test_consent_is_not_asked_again_once_given(chat, stand, domain):
    await stand.book.record_consent(OPENID, "v1", consent_text(domain))
    assert (await start(chat)).asked == "patient_relation"


async def test_consent_to_an_older_version_does_not_count(chat, stand):
    await stand.book.record_consent(OPENID, "v0", "旧的说明")
    assert (await start(chat)).asked == "patient_consent"


async def test_refusing_consent_ends_the_form_and_stores_nothing(chat, stand):
    await start(chat, relation="parent")
    turn = await chat.form(VALIDATE, FORM, "deny", "不同意")
    assert turn.responses == ["utter_patient_consent_refused"]
    assert turn.slot_events()["patient_binding_outcome"] == "refused"
    assert turn.asked is None
    assert await count(stand, Account) == 0
    assert await count(stand, Consent) == 0


async def test_an_unclear_answer_to_consent_asks_again(chat):
    await start(chat)
    turn = await chat.form(VALIDATE, FORM, "nlu_fallback", "这是什么")
    assert turn.responses == ["utter_patient_consent_unclear"]
    assert turn.asked == "patient_consent"


# --- the whole binding -----------------------------------------------------------------------


async def test_a_binding_from_start_to_a_bound_patient(chat, stand):
    assert (await start(chat, relation="parent")).asked == "patient_consent"
    # The relation came with 「帮我妈绑定」, so it is not asked.
    assert (await agree(chat)).asked == "patient_name"
    turn = await chat.typed(VALIDATE, FORM, "我妈叫陈大文")
    assert turn.slot_events()["patient_name"] == "陈大文"
    assert turn.asked == "patient_document"
    turn = await chat.typed(VALIDATE, FORM, f"身份证是{MOTHER_ID}")
    assert turn.slot_events()["patient_document"].startswith("PII-ID-")
    assert turn.asked == "patient_phone"
    assert await stand.sms_count() == 0
    turn = await chat.typed(VALIDATE, FORM, MOTHER_PHONE)
    [sent] = turn.messages
    assert sent["response"] == "utter_patient_code_sent"
    assert (sent["masked_phone"], sent["minutes"]) == ("138****5678", 5)
    assert turn.asked == "patient_code"
    code = await stand.latest_code(MOTHER_E164)
    turn = await chat.typed(VALIDATE, FORM, f"验证码是 {code}")
    assert turn.messages == []
    assert turn.slot_events()["patient_binding_outcome"] == "bound"
    assert turn.asked is None
    [patient] = await stand.book.list_patients(OPENID)
    assert turn.slot_events()["bound_patient_id"] == str(patient.id)
    assert (patient.name, patient.relation.value, patient.is_selected) == ("陈大文", "parent", True)
    assert patient.masked_phone == "138****5678"


async def test_a_relation_chosen_by_button(chat):
    await start(chat)
    await agree(chat)
    turn = await chat.form(
        VALIDATE, FORM, "inform", '/inform{"relation": "child"}', {"relation": "child"}
    )
    assert turn.slot_events()["patient_relation"] == "child"
    assert turn.asked == "patient_name"


async def test_a_relation_typed_as_its_label(chat):
    await start(chat)
    await agree(chat)
    turn = await chat.typed(VALIDATE, FORM, "配偶")
    assert turn.slot_events()["patient_relation"] == "spouse"


async def test_an_unknown_relation_is_asked_again(chat):
    await start(chat)
    await agree(chat)
    turn = await chat.typed(VALIDATE, FORM, "随便")
    assert turn.responses == ["utter_patient_relation_unclear"]
    assert turn.asked == "patient_relation"


async def test_a_relation_said_later_corrects_the_first(chat):
    await start(chat, relation="parent")
    await agree(chat)
    turn = await chat.typed(VALIDATE, FORM, "不对，是给我老婆", entities={"relation": "spouse"})
    assert turn.slot_events()["patient_relation"] == "spouse"
    assert "patient_name" not in turn.slot_events()
    assert turn.messages == []
    assert turn.asked == "patient_name"
    turn = await chat.typed(VALIDATE, FORM, "我老婆叫黄美娟", entities={"relation": "spouse"})
    assert turn.slot_events()["patient_name"] == "黄美娟"


async def test_a_second_self_is_refused_at_the_relation_question(chat, stand, domain):
    await stand.bind(OPENID, "林小明", "self", resident_id("44010619900101001"), "13900000001")
    await start(chat)
    await agree(chat)
    turn = await chat.typed(VALIDATE, FORM, "本人", entities={"relation": "self"})
    assert turn.responses == ["utter_patient_error_self_already_bound"]
    assert turn.asked == "patient_relation"


# --- names -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("陈大文", "陈大文"),
        ("名字是王建华", "王建华"),
        ("佢叫梁志明", "梁志明"),
        ("阿依古丽·买买提", "阿依古丽·买买提"),
        ("Mary Chan", "Mary Chan"),
    ],
)
async def test_names_are_kept_as_written(chat, text, name):
    await start(chat, relation="parent")
    await agree(chat)
    turn = await chat.typed(VALIDATE, FORM, text)
    assert turn.slot_events()["patient_name"] == name
    assert turn.messages == []


@pytest.mark.parametrize(
    ("text", "response"),
    [
        ("陈", "utter_patient_name_too_short"),
        ("陈" * 21, "utter_patient_name_too_long"),
        ("陈大文3", "utter_patient_name_has_number"),
        (MOTHER_ID, "utter_patient_name_has_number"),
        ("陈@大文", "utter_patient_name_bad_characters"),
    ],
)
async def test_bad_names_are_explained(chat, text, response):
    await start(chat, relation="parent")
    await agree(chat)
    turn = await chat.typed(VALIDATE, FORM, text)
    assert turn.responses == [response]
    assert turn.slot_events()["patient_name"] is None
    assert turn.asked == "patient_name"


# --- documents -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "document",
    [
        resident_id("44010619620315002"),
        resident_id("44010619620315007").lower(),  # ends in x, typed lower-case
        resident_id("81000019800101001"),  # 港澳台居民居住证
        "H12345678",  # 港澳居民来往内地通行证
        "M1234567890",  # the older 10-digit 回乡证
        "E12345678",  # passport
        "12345678",  # 台湾居民来往大陆通行证
    ],
)
async def test_accepted_documents(chat, stand, document):
    await start(chat, relation="parent")
    await agree(chat)
    await chat.typed(VALIDATE, FORM, "陈大文")
    turn = await chat.typed(VALIDATE, FORM, document)
    assert turn.messages == []
    token = turn.slot_events()["patient_document"]
    assert token.startswith("PII-")
    assert (await stand.vault.resolve(OPENID, token)).upper() == document.upper()
    assert turn.asked == "patient_phone"


WRONG_CHECK = MOTHER_ID[:-1] + ("1" if MOTHER_ID[-1] != "1" else "2")


@pytest.mark.parametrize(
    ("text", "response"),
    [
        (WRONG_CHECK, "utter_patient_document_bad_checksum"),
        (resident_id("44010619620230002"), "utter_patient_document_bad_birth_date"),
        (resident_id("44010621000101002"), "utter_patient_document_bad_birth_date"),  # future
        (resident_id("99010619620315002"), "utter_patient_document_bad_region"),
        (MOTHER_ID[:-1], "utter_patient_document_bad_length"),
        (MOTHER_ID + "1", "utter_patient_document_bad_length"),
        ("1234567", "utter_patient_document_bad_length"),
        ("H1234", "utter_patient_document_bad_length"),
        ("440106620315002", "utter_patient_document_obsolete_15_digit"),
        (MOTHER_PHONE, "utter_patient_document_looks_like_phone"),
        ("不知道", "utter_patient_document_bad_characters"),
        ("ABCDEFG", "utter_patient_document_unknown_format"),
    ],
)
async def test_bad_documents_say_exactly_what_is_wrong(chat, text, response):
    await start(chat, relation="parent")
    await agree(chat)
    await chat.typed(VALIDATE, FORM, "陈大文")
    turn = await chat.typed(VALIDATE, FORM, text)
    assert turn.responses == [response]
    assert turn.slot_events()["patient_document"] is None
    assert turn.asked == "patient_document"


# --- phones ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("138 1234 5678", "138****5678"),
        ("+86 138-1234-5678", "138****5678"),
        ("+852 5123 4567", "+852 51****67"),
        ("+853 6123 4567", "+853 61****67"),
    ],
)
async def test_accepted_phones(chat, text, masked):
    await start(chat, relation="parent")
    await agree(chat)
    await chat.typed(VALIDATE, FORM, "陈大文")
    await chat.typed(VALIDATE, FORM, MOTHER_ID)
    turn = await chat.typed(VALIDATE, FORM, text)
    assert turn.slot_events()["patient_phone"].startswith("PII-")
    [sent] = turn.messages
    assert sent["masked_phone"] == masked


@pytest.mark.parametrize(
    ("text", "response"),
    [
        ("1381234567", "utter_patient_phone_bad_length"),
        ("02081234567", "utter_patient_phone_not_mobile"),
        ("51234567", "utter_patient_phone_missing_country_code"),
        ("+1 234567", "utter_patient_phone_unsupported_country"),
        ("没有手机", "utter_patient_phone_bad_characters"),
    ],
)
async def test_bad_phones_are_explained(chat, stand, text, response):
    await start(chat, relation="parent")
    await agree(chat)
    await chat.typed(VALIDATE, FORM, "陈大文")
    await chat.typed(VALIDATE, FORM, MOTHER_ID)
    turn = await chat.typed(VALIDATE, FORM, text)
    assert turn.responses == [response]
    assert turn.asked == "patient_phone"
    assert await stand.sms_count() == 0


async def test_a_phone_given_too_early_is_kept_for_its_turn(chat, stand):
    """Everything in one message: relation, name, ID and phone; only consent and the code are
    asked."""
    await chat.form(VALIDATE, FORM, "add_patient", "添加就诊人")
    await agree(chat)
    text = f"名字是陈大文，身份证{MOTHER_ID}，电话{MOTHER_PHONE}"
    turn = await chat.typed(VALIDATE, FORM, text, entities={"relation": "parent"})
    assert turn.responses == ["utter_patient_code_sent"]
    assert turn.asked == "patient_code"


# --- the code --------------------------------------------------------------------------------


async def test_a_malformed_code_uses_no_attempt(chat, stand):
    await reach_code_step(chat)
    turn = await chat.typed(VALIDATE, FORM, "12345")
    assert turn.responses == ["utter_patient_error_malformed_code"]
    assert turn.asked == "patient_code"
    code = await stand.latest_code(MOTHER_E164)
    assert (await chat.typed(VALIDATE, FORM, code)).asked is None


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


async def test_wrong_codes_count_down_then_void_the_binding(chat, stand):
    await reach_code_step(chat)
    code = await stand.latest_code(MOTHER_E164)
    turn = await chat.typed(VALIDATE, FORM, wrong(code))
    [message] = turn.messages
    assert (message["response"], message["attempts_left"]) == ("utter_patient_error_wrong_code", 4)
    for _ in range(3):
        await chat.typed(VALIDATE, FORM, wrong(code))
    turn = await chat.typed(VALIDATE, FORM, wrong(code))
    assert turn.responses == ["utter_patient_error_too_many_attempts"]
    assert turn.asked == "patient_code"
    # The old code is void even when right; 「重新发送」 starts a new binding with a new code.
    assert (await chat.typed(VALIDATE, FORM, code)).responses == ["utter_patient_code_not_sent"]
    stand.clock.advance(seconds=61)
    turn = await chat.typed(VALIDATE, FORM, "重新发送")
    assert turn.responses == ["utter_patient_code_sent"]
    new_code = await stand.latest_code(MOTHER_E164)
    turn = await chat.typed(VALIDATE, FORM, new_code)
    assert turn.slot_events()["patient_binding_outcome"] == "bound"


async def test_an_expired_code_offers_a_resend_that_works(chat, stand):
    await reach_code_step(chat)
    code = await stand.latest_code(MOTHER_E164)
    stand.clock.advance(minutes=6)
    turn = await chat.typed(VALIDATE, FORM, code)
    assert turn.responses == ["utter_patient_error_code_expired"]
    turn = await chat.form(
        VALIDATE,
        FORM,
        "inform",
        '/inform{"verification_request": "resend"}',
        {"verification_request": "resend"},
    )
    assert turn.responses == ["utter_patient_code_sent"]
    turn = await chat.typed(VALIDATE, FORM, await stand.latest_code(MOTHER_E164))
    assert turn.slot_events()["patient_binding_outcome"] == "bound"


async def test_a_resend_too_soon_says_how_long_to_wait(chat, stand):
    await reach_code_step(chat)
    stand.clock.advance(seconds=20)
    turn = await chat.typed(VALIDATE, FORM, "没收到，重发一下")
    [message] = turn.messages
    assert message["response"] == "utter_patient_error_resend_too_soon"
    assert message["seconds"] == 40
    assert await stand.sms_count() == 1


async def test_a_new_phone_at_the_code_step_gets_its_own_code(chat, stand):
    await reach_code_step(chat)
    old_code = await stand.latest_code(MOTHER_E164)
    stand.clock.advance(seconds=61)
    turn = await chat.typed(VALIDATE, FORM, "手机号写错了，是13912345678")
    [sent] = turn.messages
    assert sent["masked_phone"] == "139****5678"
    assert turn.asked == "patient_code"
    new_code = await stand.latest_code("+8613912345678")
    if new_code != old_code:
        turn = await chat.typed(VALIDATE, FORM, old_code)
        assert turn.responses == ["utter_patient_error_wrong_code"]
    await chat.typed(VALIDATE, FORM, new_code)
    [patient] = await stand.book.list_patients(OPENID)
    assert patient.masked_phone == "139****5678"


async def test_numbers_expire_from_the_vault(chat, stand):
    await start(chat, relation="parent")
    await agree(chat)
    await chat.typed(VALIDATE, FORM, "陈大文")
    await chat.typed(VALIDATE, FORM, MOTHER_ID)
    stand.clock.advance(minutes=31)
    turn = await chat.typed(VALIDATE, FORM, MOTHER_PHONE)
    assert turn.responses == ["utter_patient_number_expired"]
    assert turn.slot_events()["patient_document"] is None
    assert turn.asked == "patient_document"
    assert await stand.sms_count() == 0


async def test_a_number_the_gateway_did_not_redact_is_put_in_the_vault(chat, stand):
    """A short passport typed raw (not redacted) still ends up as a token in the slot."""
    await start(chat, relation="other")
    await agree(chat)
    await chat.typed(VALIDATE, FORM, "Mary Chan")
    turn = await chat.form(VALIDATE, FORM, "inform", "AB12C34")
    token = turn.slot_events()["patient_document"]
    assert token.startswith("PII-ID-")
    assert await stand.vault.resolve(OPENID, token) == "AB12C34"


# --- refusals from the book ------------------------------------------------------------------


async def test_the_same_document_twice_ends_the_form(chat, stand):
    await stand.bind(OPENID, "陈大文", "parent", MOTHER_ID, "13700000001")
    turn = await reach_code_step(chat)
    assert turn.responses == ["utter_patient_error_duplicate_document"]
    assert turn.slot_events()["patient_binding_outcome"] == "refused"
    assert turn.asked is None


async def test_a_sixth_patient_is_refused_even_past_the_check(chat, stand):
    for n in range(5):
        document = resident_id(f"4401061990010{n + 1}00{n}")
        await stand.bind(OPENID, f"家人{'甲乙丙丁戊'[n]}", "other", document, f"1370000000{n}")
    turn = await reach_code_step(chat)
    assert turn.responses == ["utter_patient_error_too_many_patients"]
    assert turn.asked is None
    assert len(await stand.book.list_patients(OPENID)) == 5


async def test_a_number_the_sms_gateway_refuses_is_asked_again(chat, stand):
    await stand.sms_api.post(
        "/sandbox/control", json={"fail_next": {"status": 400, "code": "invalid_phone"}}
    )
    turn = await reach_code_step(chat)
    assert turn.responses == ["utter_patient_error_sms_rejected"]
    assert turn.asked == "patient_phone"


async def test_an_sms_outage_keeps_the_binding_for_a_resend(chat, stand):
    await stand.sms_api.post("/sandbox/control", json={"fail_next": {"status": 503}})
    turn = await reach_code_step(chat)
    assert turn.responses == ["utter_patient_error_sms_unavailable"]
    assert turn.asked == "patient_code"
    stand.clock.advance(seconds=61)
    assert (await chat.typed(VALIDATE, FORM, "重新发送")).responses == ["utter_patient_code_sent"]
    code = await stand.latest_code(MOTHER_E164)
    assert (await chat.typed(VALIDATE, FORM, code)).asked is None


# --- what the form leaves to the rules -------------------------------------------------------


@pytest.mark.parametrize(
    ("intent", "text"),
    [
        ("stop", "算了"),
        ("report_emergency", "我妈胸口很痛"),
        ("list_institutions", "荔湾有哪些医院"),
        ("ask_capabilities", "你能做什么"),
    ],
)
async def test_stop_emergency_and_digressions_are_not_answers(chat, intent, text):
    await start(chat, relation="parent")
    await agree(chat)
    turn = await chat.form(VALIDATE, FORM, intent, text)
    assert turn.messages == []
    assert "patient_name" not in turn.slot_events()
    assert turn.asked == "patient_name"


# --- privacy ---------------------------------------------------------------------------------


async def test_no_raw_number_in_any_event_message_or_log(chat, stand, caplog):
    caplog.set_level("DEBUG")
    await start(chat, relation="parent")
    await agree(chat)
    await chat.typed(VALIDATE, FORM, "陈大文")
    await chat.typed(VALIDATE, FORM, WRONG_CHECK)  # refused numbers too
    await chat.typed(VALIDATE, FORM, f"{MOTHER_ID[:6]} {MOTHER_ID[6:14]} {MOTHER_ID[14:]}")
    await chat.typed(VALIDATE, FORM, MOTHER_PHONE)
    await chat.typed(VALIDATE, FORM, await stand.latest_code(MOTHER_E164))
    assert chat.slots["patient_binding_outcome"] == "bound"
    transcript = json.dumps(chat.transcript, ensure_ascii=False)
    # Except the test's own look into the SMS stand-in (GET /sandbox/messages?phone=…).
    logged = "\n".join(
        record.getMessage()
        for record in caplog.records
        if "/sandbox/messages" not in record.getMessage()
    )
    for number in (MOTHER_ID, WRONG_CHECK, MOTHER_ID[6:14], MOTHER_PHONE, MOTHER_E164):
        assert number not in transcript
        assert number not in logged
        assert number.removeprefix("+") not in logged
    assert "PII-ID-" in transcript  # the slots held tokens instead
