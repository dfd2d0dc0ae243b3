"""No raw ID number, phone number or name reaches a log record, whatever happens: bindings,
errors, SMS failures, vault use, removal, and SQL logging switched on."""

from __future__ import annotations

import logging

import httpx
import pytest
from patients_testdata import CONSENT_TEXT, CONSENT_VERSION, FakeClock, latest_code, resident_id

from patients.drafts import PatientDraft
from patients.errors import PatientsError
from patients.service import PatientBook
from patients.vault import PIIVault

OPENID = "oLOGGING000000000000000001"
ID = resident_id(region="440111", birth="19781009", sequence="217")
PHONE = "13698765432"
NAME = "黄志明"
SECRETS = (ID, ID.lower(), ID[:6] + ID[8:], PHONE, "+86" + PHONE, "%2B86" + PHONE, NAME)


async def test_no_raw_pii_in_log_records(
    book: PatientBook,
    vault: PIIVault,
    sms_control: httpx.AsyncClient,
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # SQLAlchemy keeps its SQL log at WARNING unless told otherwise; an operator might.
    caplog.set_level(logging.INFO, logger="sqlalchemy.engine")
    caplog.set_level(logging.DEBUG)  # last: it also sets the capturing handler's level
    draft = PatientDraft(NAME, "self", ID, PHONE)

    async def expect_error(call: object) -> None:
        with pytest.raises(PatientsError):
            await call  # type: ignore[misc]

    await expect_error(book.start_binding(OPENID, draft))  # no consent yet
    await book.record_consent(OPENID, CONSENT_VERSION, CONSENT_TEXT)
    await expect_error(book.start_binding(OPENID, PatientDraft(NAME, "self", ID[:-1], PHONE)))
    await sms_control.post("/sandbox/control", json={"fail_next": {"status": 503}})
    await expect_error(book.start_binding(OPENID, draft))
    clock.advance(seconds=61)
    await book.resend_code(OPENID)
    await expect_error(book.confirm_binding(OPENID, "12345"))
    view = await book.confirm_binding(OPENID, await latest_code(sms_control))
    await book.identity_for_registration(OPENID, view.id)
    redacted = await vault.redact(OPENID, f"身份证{ID}，电话{PHONE}")
    assert await vault.resolve_text(OPENID, redacted) == f"身份证{ID}，电话{PHONE}"
    await book.remove_patient(OPENID, view.id)
    await book.withdraw_consent(OPENID)

    records = caplog.records
    # The capture saw our loggers and the SQL with its parameters, so it could have caught a leak.
    assert any(r.name.startswith("patients.") for r in records)
    assert any(r.name.startswith("integrations.sms") for r in records)
    sql = [r.getMessage() + repr(r.args) for r in records if r.name.startswith("sqlalchemy")]
    assert any("INSERT INTO patients" in line for line in sql)
    assert any("fd1." in line for line in sql)  # parameters (ciphertexts) are logged too
    for record in records:
        rendered = record.getMessage() + repr(record.args) + (record.exc_text or "")
        for secret in SECRETS:
            assert secret not in rendered, f"{record.name} logged personal data"
