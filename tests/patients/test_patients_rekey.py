"""Key rotation end to end: old rows keep working under the previous key, `rekey` moves them to
the current one, after which the previous key can go. Plus the operator CLI."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import httpx
import pytest
from patients_testdata import CONSENT_TEXT, CONSENT_VERSION, FakeClock, latest_code, resident_id
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from integrations.sms.client import SMSClient
from patients.__main__ import main
from patients.db import make_sync_engine
from patients.drafts import PatientDraft
from patients.errors import BindingRefused, ErrorReason
from patients.protection import DecryptionError, Protector
from patients.rekey import rekey_patients
from patients.service import PatientBook

OPENID = "oROTATE0000000000000000001"
ID = resident_id(region="440105", birth="19700707", sequence="071")


async def test_rotation_then_rekey(
    sessions: async_sessionmaker[AsyncSession],
    sms_client: SMSClient,
    sms_control: httpx.AsyncClient,
    clock: FakeClock,
) -> None:
    old_key, new_key = os.urandom(32), os.urandom(32)
    old_book = PatientBook(sessions, Protector(old_key), sms_client, clock=clock)
    await old_book.record_consent(OPENID, CONSENT_VERSION, CONSENT_TEXT)
    await old_book.start_binding(OPENID, PatientDraft("周伟", "self", ID, "13512345678"))
    bound = await old_book.confirm_binding(OPENID, await latest_code(sms_control))
    clock.advance(seconds=61)

    rotated = Protector(new_key, [old_key])
    rotated_book = PatientBook(sessions, rotated, sms_client, clock=clock)
    assert (await rotated_book.list_patients(OPENID))[0].name == "周伟"
    with pytest.raises(BindingRefused) as caught:  # old blind indexes still match
        await rotated_book.start_binding(OPENID, PatientDraft("周伟", "other", ID, "13512345678"))
    assert caught.value.reason is ErrorReason.DUPLICATE_DOCUMENT

    new_only = PatientBook(sessions, Protector(new_key), sms_client, clock=clock)
    with pytest.raises(DecryptionError):  # not re-keyed yet: the previous key is still needed
        await new_only.list_patients(OPENID)

    assert await rekey_patients(sessions, rotated) == 1
    assert await rekey_patients(sessions, rotated) == 0
    identity = await new_only.identity_for_registration(OPENID, bound.id)
    assert (identity.name, identity.document_number, identity.phone_e164) == (
        "周伟",
        ID,
        "+8613512345678",
    )
    with pytest.raises(BindingRefused) as caught:
        await new_only.start_binding(OPENID, PatientDraft("周伟", "other", ID, "13512345678"))
    assert caught.value.reason is ErrorReason.DUPLICATE_DOCUMENT


def test_cli(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["generate-key"]) == 0
    key = capsys.readouterr().out.strip()
    assert len(base64.b64decode(key)) == 32
    assert main([]) == 2 and main(["drop-everything"]) == 2

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("FRONTDOOR_DATABASE_URL", url)
    monkeypatch.setenv("FRONTDOOR_DATA_KEY", key)
    assert main(["migrate"]) == 0
    engine = make_sync_engine(url)
    assert "patients" in inspect(engine).get_table_names()
    engine.dispose()
    capsys.readouterr()
    assert main(["purge-vault"]) == 0
    assert capsys.readouterr().out.strip() == "purge-vault: 0 rows changed"
    assert main(["rekey"]) == 0
