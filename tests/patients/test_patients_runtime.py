"""`open_patients` wires migrated storage, keys, the SMS client, the book and the vault."""

from __future__ import annotations

from pathlib import Path

from integrations.sms.settings import SMSSettings
from patients.runtime import open_patients
from patients.settings import PatientsSettings


async def test_open_patients(tmp_path: Path) -> None:
    settings = PatientsSettings(
        frontdoor_database_url=f"sqlite:///{tmp_path / 'frontdoor.db'}",
        frontdoor_data_key_file=tmp_path / "frontdoor-data.key",
    )
    runtime = await open_patients(settings, SMSSettings(sms_base_url="http://127.0.0.1:9"))
    try:
        assert (tmp_path / "frontdoor.db").exists()
        assert (tmp_path / "frontdoor-data.key").exists()
        token = await runtime.vault.put("oRUNTIME", "phone", "13812345678")
        assert await runtime.vault.resolve("oRUNTIME", token) == "13812345678"
        assert await runtime.book.list_patients("oRUNTIME") == []
        assert not await runtime.book.consent_given("oRUNTIME", "v1")
    finally:
        await runtime.aclose()
