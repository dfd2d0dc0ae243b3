"""`PatientBook` on SQLite with the SMS stand-in in-process: the whole binding flow (the code is
read from the stand-in's /sandbox/messages), limits, wrong and expired codes, resend cooldown,
consent, removal and user isolation."""

from __future__ import annotations

from datetime import date, timedelta

import httpx
import pytest
from patients_testdata import (
    CONSENT_TEXT,
    CONSENT_VERSION,
    FakeClock,
    latest_code,
    resident_id,
)
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from integrations.sms.client import SMSClient
from patients.drafts import PatientDraft
from patients.errors import (
    BindingRefused,
    CodeRejected,
    ErrorReason,
    InvalidDraft,
    NoPendingBinding,
    PatientNotFound,
    SendRefused,
    SMSNotSent,
)
from patients.identity import DocumentKind, IdentityErrorReason, PhoneErrorReason, Sex
from patients.models import AuditEvent, Consent, Patient, Verification
from patients.protection import Protector
from patients.relations import Relation
from patients.service import BindingPolicy, PatientBook

ALICE = "oALICE000000000000000000001"
BOB = "oBOB00000000000000000000002"
ALICE_ID = resident_id(region="440106", birth="19900101", sequence="124")
MOTHER_ID = resident_id(region="440104", birth="19620315", sequence="046")
ALICE_PHONE = "13812345678"
ALICE_E164 = "+8613812345678"


def draft(
    name: str = "张丽",
    relation: str = "self",
    document: str = ALICE_ID,
    phone: str = ALICE_PHONE,
) -> PatientDraft:
    return PatientDraft(name=name, relation=relation, document_text=document, phone_text=phone)


async def consent(book: PatientBook, openid: str = ALICE) -> None:
    await book.record_consent(openid, CONSENT_VERSION, CONSENT_TEXT)


async def bind(
    book: PatientBook,
    sms_control: httpx.AsyncClient,
    clock: FakeClock,
    patient: PatientDraft,
    openid: str = ALICE,
):
    """Start and confirm a binding, then let the resend cooldown pass for the next one."""
    await book.start_binding(openid, patient)
    view = await book.confirm_binding(openid, await latest_code(sms_control))
    clock.advance(seconds=61)
    return view


async def test_whole_binding_flow(
    book: PatientBook, sms_control: httpx.AsyncClient, clock: FakeClock
) -> None:
    await consent(book)
    started = await book.start_binding(ALICE, draft(name=" 张 丽 ", document=ALICE_ID.lower()))
    assert started.masked_phone == "138****5678"
    assert started.expires_at == clock() + timedelta(minutes=5)
    assert started.resend_at == clock() + timedelta(seconds=60)
    assert started.attempts == 5

    messages = (await sms_control.get("/sandbox/messages", params={"phone": ALICE_E164})).json()
    assert len(messages) == 1
    code = messages[0]["params"]["code"]
    assert len(code) == 6 and code.isdigit()
    assert (
        messages[0]["text"] == f"【区健康服务平台】您的验证码是{code}，5分钟内有效。请勿告诉他人。"
    )
    assert await book.list_patients(ALICE) == []  # nothing is bound before the code

    view = await book.confirm_binding(ALICE, code)
    assert view.relation is Relation.SELF and view.relation_label == "本人"
    assert view.name == "张丽" and view.masked_name == "张*"
    assert view.document_kind is DocumentKind.RESIDENT_ID
    assert view.document_label == "居民身份证"
    assert view.masked_document == f"{ALICE_ID[:4]}**********{ALICE_ID[-4:]}"
    assert view.masked_phone == "138****5678"
    assert view.birth_date == date(1990, 1, 1)
    assert view.age == 36
    assert view.sex is Sex.FEMALE
    assert view.is_selected  # the first patient is selected automatically
    assert view.his_patient_id is None
    assert await book.list_patients(ALICE) == [view]

    with pytest.raises(NoPendingBinding):  # a code works once
        await book.confirm_binding(ALICE, code)


async def test_family_members_and_selection(
    book: PatientBook, sms_control: httpx.AsyncClient, clock: FakeClock
) -> None:
    await consent(book)
    me = await bind(book, sms_control, clock, draft())
    mother = await bind(
        book, sms_control, clock, draft("李秀英", "父母", MOTHER_ID, "+86 139-8765-4321")
    )
    assert mother.relation is Relation.PARENT and mother.relation_label == "父母"
    assert not mother.is_selected
    assert mother.masked_phone == "139****4321"

    selected = await book.select_patient(ALICE, mother.id)
    assert selected.is_selected
    listed = await book.list_patients(ALICE)
    assert [(p.id, p.is_selected) for p in listed] == [(me.id, False), (mother.id, True)]


async def test_consent_is_required_recorded_and_versioned(
    book: PatientBook, sessions: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    with pytest.raises(BindingRefused) as caught:
        await book.start_binding(ALICE, draft())
    assert caught.value.reason is ErrorReason.CONSENT_REQUIRED
    assert not await book.consent_given(ALICE, CONSENT_VERSION)

    await consent(book)
    await consent(book)  # agreeing twice to the same text records it once
    assert await book.consent_given(ALICE, CONSENT_VERSION)
    assert not await book.consent_given(ALICE, "2027-01")
    assert not await book.consent_given(BOB, CONSENT_VERSION)

    async with sessions() as session:
        rows = list(await session.scalars(select(Consent)))
    assert len(rows) == 1
    assert rows[0].text_version == CONSENT_VERSION
    assert rows[0].granted_at == clock()
    assert len(rows[0].text_sha256) == 64 and rows[0].withdrawn_at is None


async def test_withdrawing_consent_deletes_patients(
    book: PatientBook,
    sms_control: httpx.AsyncClient,
    clock: FakeClock,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await consent(book)
    await bind(book, sms_control, clock, draft())
    await book.withdraw_consent(ALICE)
    assert not await book.consent_given(ALICE, CONSENT_VERSION)
    assert await book.list_patients(ALICE) == []
    with pytest.raises(BindingRefused):
        await book.start_binding(ALICE, draft())
    async with sessions() as session:
        consent_row = await session.scalar(select(Consent))
        actions = list(await session.scalars(select(AuditEvent.action)))
    assert consent_row is not None and consent_row.withdrawn_at == clock()
    assert actions[-1] == "consent_withdrawn"
    await book.withdraw_consent(BOB)  # unknown users: nothing to do


@pytest.mark.parametrize(
    ("patient", "reason", "detail"),
    [
        (draft(name="张"), ErrorReason.INVALID_NAME, None),
        (draft(relation="邻居"), ErrorReason.INVALID_RELATION, None),
        (draft(document=ALICE_ID[:-1] + "0"), ErrorReason.INVALID_DOCUMENT, None),
        (draft(document="440106900101123"), ErrorReason.INVALID_DOCUMENT, None),
        (draft(phone="020-12345678"), ErrorReason.INVALID_PHONE, PhoneErrorReason.NOT_MOBILE),
    ],
)
async def test_invalid_drafts_say_which_field(
    book: PatientBook, sms_control: httpx.AsyncClient, patient, reason, detail
) -> None:
    await consent(book)
    with pytest.raises(InvalidDraft) as caught:
        await book.start_binding(ALICE, patient)
    assert caught.value.reason is reason
    if detail is not None:
        assert caught.value.detail is detail
    if reason is ErrorReason.INVALID_DOCUMENT:
        assert caught.value.detail in (
            IdentityErrorReason.BAD_CHECKSUM,
            IdentityErrorReason.OBSOLETE_15_DIGIT,
        )
    assert (await sms_control.get("/sandbox/messages")).json() == []


async def test_wrong_codes_count_down_then_void_the_binding(
    book: PatientBook, sms_control: httpx.AsyncClient
) -> None:
    await consent(book)
    await book.start_binding(ALICE, draft())
    code = await latest_code(sms_control)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for left in (4, 3, 2, 1):
        with pytest.raises(CodeRejected) as caught:
            await book.confirm_binding(ALICE, wrong)
        assert caught.value.reason is ErrorReason.WRONG_CODE
        assert caught.value.attempts_left == left
    with pytest.raises(CodeRejected) as caught:
        await book.confirm_binding(ALICE, wrong)
    assert caught.value.reason is ErrorReason.TOO_MANY_ATTEMPTS
    assert caught.value.attempts_left == 0
    with pytest.raises(NoPendingBinding):  # even the right code is too late now
        await book.confirm_binding(ALICE, code)
    assert await book.list_patients(ALICE) == []


async def test_malformed_codes_do_not_use_attempts(
    book: PatientBook, sms_control: httpx.AsyncClient
) -> None:
    await consent(book)
    await book.start_binding(ALICE, draft())
    for typed in ("12345", "abcdef", "1234567"):
        with pytest.raises(CodeRejected) as caught:
            await book.confirm_binding(ALICE, typed)
        assert caught.value.reason is ErrorReason.MALFORMED_CODE
        assert caught.value.attempts_left == 5
    code = await latest_code(sms_control)
    full_width = code.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    view = await book.confirm_binding(ALICE, f" {full_width[:3]} {full_width[3:]} ")
    assert view.name == "张丽"


async def test_expired_code_then_resend(
    book: PatientBook, sms_control: httpx.AsyncClient, clock: FakeClock
) -> None:
    await consent(book)
    await book.start_binding(ALICE, draft())
    old = await latest_code(sms_control)
    clock.advance(minutes=5)
    with pytest.raises(CodeRejected) as caught:
        await book.confirm_binding(ALICE, old)
    assert caught.value.reason is ErrorReason.CODE_EXPIRED

    started = await book.resend_code(ALICE)
    assert started.expires_at == clock() + timedelta(minutes=5)
    new = await latest_code(sms_control, ALICE_E164)
    if new != old:  # one in a million the codes coincide; then the old one is the new one
        with pytest.raises(CodeRejected) as caught:
            await book.confirm_binding(ALICE, old)
        assert caught.value.reason is ErrorReason.WRONG_CODE
    view = await book.confirm_binding(ALICE, new)
    assert view.masked_phone == "138****5678"


async def test_resend_cooldown(
    book: PatientBook, sms_control: httpx.AsyncClient, clock: FakeClock
) -> None:
    with pytest.raises(NoPendingBinding):
        await book.resend_code(ALICE)
    await consent(book)
    await book.start_binding(ALICE, draft())
    clock.advance(seconds=20)
    with pytest.raises(SendRefused) as caught:
        await book.resend_code(ALICE)
    assert caught.value.reason is ErrorReason.RESEND_TOO_SOON
    assert caught.value.retry_after == 40
    with pytest.raises(SendRefused):  # restarting does not get around it
        await book.start_binding(ALICE, draft())
    clock.advance(seconds=40)
    await book.resend_code(ALICE)
    messages = (await sms_control.get("/sandbox/messages")).json()
    assert len(messages) == 2


async def test_unconfirmed_drafts_expire(
    book: PatientBook,
    sms_control: httpx.AsyncClient,
    clock: FakeClock,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await consent(book)
    await book.start_binding(ALICE, draft())
    code = await latest_code(sms_control)
    clock.advance(minutes=30)
    with pytest.raises(NoPendingBinding) as caught:
        await book.confirm_binding(ALICE, code)
    assert caught.value.reason is ErrorReason.BINDING_EXPIRED
    with pytest.raises(NoPendingBinding):
        await book.resend_code(ALICE)
    async with sessions() as session:
        verification = await session.scalar(select(Verification))
    assert verification is not None
    assert verification.draft_ciphertext is None  # the encrypted draft is wiped too
    assert verification.voided_at is not None


async def test_daily_code_budget(
    sessions: async_sessionmaker[AsyncSession],
    protector: Protector,
    sms_client: SMSClient,
    clock: FakeClock,
) -> None:
    book = PatientBook(
        sessions, protector, sms_client, clock=clock, policy=BindingPolicy(max_codes_per_day=2)
    )
    await consent(book)
    await book.start_binding(ALICE, draft())
    clock.advance(seconds=61)
    await book.resend_code(ALICE)
    clock.advance(seconds=61)
    with pytest.raises(SendRefused) as caught:
        await book.resend_code(ALICE)
    assert caught.value.reason is ErrorReason.TOO_MANY_CODES
    assert caught.value.retry_after is None
    clock.advance(hours=24)
    await book.start_binding(ALICE, draft())


async def test_at_most_five_patients(
    book: PatientBook, sms_control: httpx.AsyncClient, clock: FakeClock
) -> None:
    await consent(book)
    relations = ["self", "spouse", "parent", "child", "grandparent"]
    for number, relation in enumerate(relations):
        document = resident_id(birth=f"19{50 + number}0101")
        await bind(
            book, sms_control, clock, draft(f"家人{'甲乙丙丁戊'[number]}", relation, document)
        )
    assert len(await book.list_patients(ALICE)) == 5
    with pytest.raises(BindingRefused) as caught:
        await book.start_binding(ALICE, draft("家人己", "sibling", resident_id(birth="19800101")))
    assert caught.value.reason is ErrorReason.TOO_MANY_PATIENTS


async def test_same_document_twice_and_self_twice_are_refused(
    book: PatientBook, sms_control: httpx.AsyncClient, clock: FakeClock
) -> None:
    await consent(book)
    await bind(book, sms_control, clock, draft())
    spaced = f"{ALICE_ID[:6]} {ALICE_ID[6:14]} {ALICE_ID[14:]}"
    with pytest.raises(BindingRefused) as caught:
        await book.start_binding(ALICE, draft(relation="other", document=spaced))
    assert caught.value.reason is ErrorReason.DUPLICATE_DOCUMENT
    with pytest.raises(BindingRefused) as caught:
        await book.start_binding(ALICE, draft("王五", "本人", MOTHER_ID))
    assert caught.value.reason is ErrorReason.SELF_ALREADY_BOUND


async def test_limits_are_checked_again_at_confirmation(
    book: PatientBook,
    sms_control: httpx.AsyncClient,
    clock: FakeClock,
    protector: Protector,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """What changed while the code was on its way (another binding of the same person) wins."""
    await consent(book)
    await bind(book, sms_control, clock, draft())
    await book.start_binding(ALICE, draft("李秀英", "parent", MOTHER_ID))
    mother_index = protector.blind_index(
        f"resident_id:{MOTHER_ID}", purpose="patients.document_number"
    )
    async with sessions.begin() as session:
        await session.execute(text("UPDATE patients SET document_index = :i"), {"i": mother_index})
    with pytest.raises(BindingRefused) as caught:
        await book.confirm_binding(ALICE, await latest_code(sms_control))
    assert caught.value.reason is ErrorReason.DUPLICATE_DOCUMENT
    assert len(await book.list_patients(ALICE)) == 1
    with pytest.raises(NoPendingBinding):  # the refused draft is void
        await book.resend_code(ALICE)


async def test_the_same_person_may_be_bound_by_two_accounts(
    book: PatientBook, sms_control: httpx.AsyncClient, clock: FakeClock
) -> None:
    await consent(book)
    await consent(book, BOB)
    await bind(book, sms_control, clock, draft("李秀英", "parent", MOTHER_ID))
    view = await bind(book, sms_control, clock, draft("李秀英", "parent", MOTHER_ID), openid=BOB)
    assert view.relation is Relation.PARENT


async def test_remove_patient_hard_deletes_and_reselects(
    book: PatientBook,
    sms_control: httpx.AsyncClient,
    clock: FakeClock,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await consent(book)
    me = await bind(book, sms_control, clock, draft())
    mother = await bind(book, sms_control, clock, draft("李秀英", "parent", MOTHER_ID))
    await book.remove_patient(ALICE, me.id)
    remaining = await book.list_patients(ALICE)
    assert [(p.id, p.is_selected) for p in remaining] == [(mother.id, True)]
    await book.remove_patient(ALICE, mother.id)
    assert await book.list_patients(ALICE) == []
    with pytest.raises(PatientNotFound):
        await book.remove_patient(ALICE, mother.id)

    async with sessions() as session:
        assert (await session.scalar(select(Patient))) is None
        events = list(await session.scalars(select(AuditEvent).order_by(AuditEvent.id)))
    removals = [e for e in events if e.action == "patient_removed"]
    assert [e.patient_id for e in removals] == [me.id, mother.id]
    assert '"relation": "parent"' in removals[1].detail
    # The first patient bound again after removal is selected again.
    view = await bind(book, sms_control, clock, draft())
    assert view.is_selected


async def test_users_only_ever_see_their_own_patients(
    book: PatientBook, sms_control: httpx.AsyncClient, clock: FakeClock
) -> None:
    await consent(book)
    await consent(book, BOB)
    alices = await bind(book, sms_control, clock, draft())
    assert await book.list_patients(BOB) == []
    for attempt in (
        book.select_patient(BOB, alices.id),
        book.remove_patient(BOB, alices.id),
        book.identity_for_registration(BOB, alices.id),
        book.set_his_patient_id(BOB, alices.id, "hijacked"),
        book.select_patient("oNOBODY", alices.id),
    ):
        with pytest.raises(PatientNotFound):
            await attempt
    # Alice's pending code cannot be used by Bob either.
    await book.start_binding(ALICE, draft("李秀英", "parent", MOTHER_ID, "13987654321"))
    code = await latest_code(sms_control)
    with pytest.raises(NoPendingBinding):
        await book.confirm_binding(BOB, code)
    assert await book.list_patients(BOB) == []
    assert [p.his_patient_id for p in await book.list_patients(ALICE)] == [None]


async def test_identity_for_registration_and_his_patient_id(
    book: PatientBook,
    sms_control: httpx.AsyncClient,
    clock: FakeClock,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await consent(book)
    view = await bind(book, sms_control, clock, draft())
    identity = await book.identity_for_registration(ALICE, view.id)
    assert identity.name == "张丽"
    assert identity.document_number == ALICE_ID
    assert identity.document_kind is DocumentKind.RESIDENT_ID
    assert identity.phone_e164 == ALICE_E164
    assert identity.birth_date == date(1990, 1, 1) and identity.sex is Sex.FEMALE

    await book.set_his_patient_id(ALICE, view.id, "pat-000123")
    assert (await book.list_patients(ALICE))[0].his_patient_id == "pat-000123"
    async with sessions() as session:
        actions = list(await session.scalars(select(AuditEvent.action)))
    assert "identity_disclosed" in actions and "his_patient_linked" in actions


async def test_nothing_is_stored_in_clear(
    book: PatientBook,
    sms_control: httpx.AsyncClient,
    clock: FakeClock,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await consent(book)
    await bind(book, sms_control, clock, draft())
    await book.start_binding(ALICE, draft("李秀英", "parent", MOTHER_ID, "13987654321"))
    dump = ""
    async with sessions() as session:
        for table in ("patients", "patient_verifications", "patient_audit_events", "consents"):
            dump += repr((await session.execute(text(f"SELECT * FROM {table}"))).all())
    assert "4401**" in dump  # masked numbers are there, so the dump is not empty
    for secret in (ALICE_ID, ALICE_PHONE, "张丽", MOTHER_ID, "13987654321", "李秀英"):
        assert secret not in dump


async def test_sms_gateway_unavailable_keeps_the_binding_pending(
    book: PatientBook, sms_control: httpx.AsyncClient, clock: FakeClock
) -> None:
    await consent(book)
    await sms_control.post("/sandbox/control", json={"fail_next": {"status": 503}})
    with pytest.raises(SMSNotSent) as caught:
        await book.start_binding(ALICE, draft())
    assert caught.value.reason is ErrorReason.SMS_UNAVAILABLE
    assert (await sms_control.get("/sandbox/messages")).json() == []
    clock.advance(seconds=61)
    await book.resend_code(ALICE)
    view = await book.confirm_binding(ALICE, await latest_code(sms_control))
    assert view.name == "张丽"


async def test_sms_gateway_rate_limit_shows_through(
    book: PatientBook, sms_control: httpx.AsyncClient, clock: FakeClock
) -> None:
    await consent(book)
    await consent(book, BOB)
    await book.start_binding(ALICE, draft())
    clock.advance(seconds=10)
    # Bob has sent nothing, but the gateway allows one message a minute to this phone.
    with pytest.raises(SMSNotSent) as caught:
        await book.start_binding(BOB, draft(relation="spouse"))
    assert caught.value.reason is ErrorReason.SMS_RATE_LIMITED
    assert caught.value.retry_after == 50


async def test_sms_gateway_rejection_voids_the_binding(
    book: PatientBook, sms_control: httpx.AsyncClient, clock: FakeClock
) -> None:
    await consent(book)
    failure = {"status": 400, "code": "invalid_phone"}
    await sms_control.post("/sandbox/control", json={"fail_next": failure})
    with pytest.raises(SMSNotSent) as caught:
        await book.start_binding(ALICE, draft())
    assert caught.value.reason is ErrorReason.SMS_REJECTED
    clock.advance(seconds=61)
    with pytest.raises(NoPendingBinding):
        await book.resend_code(ALICE)


async def test_cancelling_a_binding_voids_its_draft_and_code(book, sms_control):
    """「算了」 mid-binding: the encrypted draft goes at once, and the code no longer works."""
    from patients.errors import NoPendingBinding

    await book.record_consent("oCancel", "v1", "同意")
    await book.start_binding(
        "oCancel", PatientDraft("陈大文", "self", "11010519491231002X", "13800000077")
    )
    sent = (await sms_control.get("/sandbox/messages", params={"phone": "+8613800000077"})).json()
    await book.cancel_binding("oCancel")
    await book.cancel_binding("oNobody")  # an unknown user: nothing to do, no error
    with pytest.raises(NoPendingBinding):
        await book.confirm_binding("oCancel", sent[0]["params"]["code"])
    assert await book.list_patients("oCancel") == []
