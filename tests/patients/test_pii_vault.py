"""The PII vault: tokens resolve for their owner only, for 30 minutes, and store no raw value."""

from __future__ import annotations

from patients_testdata import FakeClock, resident_id
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from patients.models import VaultEntry
from patients.redaction import TOKEN_PATTERN
from patients.vault import PIIVault

ALICE = "oALICE000000000000000000001"
BOB = "oBOB00000000000000000000002"
ID = resident_id()


async def test_put_and_resolve(vault: PIIVault) -> None:
    token = await vault.put(ALICE, "id_document", ID)
    match = TOKEN_PATTERN.fullmatch(token)
    assert match is not None and match.group("kind") == "ID"
    assert len(match.group("key")) >= 10
    assert await vault.resolve(ALICE, token) == ID
    assert await vault.resolve(ALICE, f"  {token} ") == ID


async def test_tokens_are_random(vault: PIIVault) -> None:
    tokens = {await vault.put(ALICE, "phone", "13812345678") for _ in range(5)}
    assert len(tokens) == 5
    assert all(t.startswith("PII-PHONE-") for t in tokens)


async def test_another_user_cannot_resolve(vault: PIIVault) -> None:
    token = await vault.put(ALICE, "phone", "13812345678")
    assert await vault.resolve(BOB, token) is None
    assert await vault.resolve(ALICE, token) == "13812345678"


async def test_unknown_malformed_and_relabelled_tokens(vault: PIIVault) -> None:
    token = await vault.put(ALICE, "phone", "13812345678")
    assert await vault.resolve(ALICE, "PII-PHONE-aaaaaaaaaaaaaaaa") is None
    assert await vault.resolve(ALICE, "13812345678") is None
    # The same key under another kind is another token.
    assert await vault.resolve(ALICE, token.replace("PII-PHONE-", "PII-ID-")) is None


async def test_expiry_and_purge(vault: PIIVault, clock: FakeClock) -> None:
    old = await vault.put(ALICE, "digits", "12345678")
    clock.advance(minutes=20)
    young = await vault.put(ALICE, "digits", "87654321")
    clock.advance(minutes=10)  # old is exactly 30 minutes old now
    assert await vault.resolve(ALICE, old) is None
    assert await vault.resolve(ALICE, young) == "87654321"
    assert await vault.purge_expired() == 1
    assert await vault.resolve(ALICE, young) == "87654321"
    clock.advance(minutes=21)
    assert await vault.purge_expired() == 1
    assert await vault.resolve(ALICE, young) is None


async def test_redact_then_resolve_text_round_trip(vault: PIIVault) -> None:
    message = f"给我妈妈挂号，身份证{ID}，电话 138-1234-5678，明天08:00"
    redacted = await vault.redact(ALICE, message)
    assert ID not in redacted and "1234" not in redacted
    assert redacted.startswith("给我妈妈挂号，身份证PII-ID-")
    assert "电话 PII-PHONE-" in redacted and redacted.endswith("，明天08:00")
    assert len(TOKEN_PATTERN.findall(redacted)) == 2
    assert await vault.resolve_text(ALICE, redacted) == message
    assert await vault.resolve_text(BOB, redacted) == redacted
    assert await vault.redact(ALICE, "没有号码") == "没有号码"


async def test_the_table_holds_no_raw_value(
    vault: PIIVault, sessions: async_sessionmaker[AsyncSession]
) -> None:
    token = await vault.put(ALICE, "id_document", ID)
    async with sessions() as session:
        rows = (await session.execute(text("SELECT * FROM pii_vault"))).all()
        entry = await session.scalar(select(VaultEntry))
    dump = repr(rows)
    assert rows and ID not in dump and token not in dump
    assert entry is not None and entry.openid == ALICE


async def test_a_row_moved_to_another_user_does_not_decrypt(
    vault: PIIVault, sessions: async_sessionmaker[AsyncSession]
) -> None:
    token = await vault.put(ALICE, "id_document", ID)
    async with sessions.begin() as session:
        await session.execute(text("UPDATE pii_vault SET openid = :bob"), {"bob": BOB})
    assert await vault.resolve(BOB, token) is None
