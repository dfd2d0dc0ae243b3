"""Settings: the data key is required in production, generated in development, never shown."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pydantic import ValidationError

from patients.protection import generate_data_key
from patients.settings import PatientsSettings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("FRONTDOOR_"):
            monkeypatch.delenv(name)


def test_production_refuses_to_start_without_a_key() -> None:
    with pytest.raises(ValidationError, match="FRONTDOOR_DATA_KEY"):
        PatientsSettings(frontdoor_env="production")


def test_production_with_a_key_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    key = generate_data_key()
    monkeypatch.setenv("FRONTDOOR_ENV", "production")
    monkeypatch.setenv("FRONTDOOR_DATA_KEY", key)
    settings = PatientsSettings()
    protector = settings.protector()
    assert protector.decrypt(protector.encrypt("x", purpose="p"), purpose="p") == "x"
    assert key not in repr(settings)


def test_malformed_keys_are_refused_at_start_up() -> None:
    with pytest.raises(ValidationError):
        PatientsSettings(frontdoor_data_key="c2hvcnQ=")
    with pytest.raises(ValidationError):
        PatientsSettings(frontdoor_data_key=generate_data_key(), frontdoor_data_key_previous="x")


def test_previous_key_decrypts_after_rotation(tmp_path: Path) -> None:
    old, new = generate_data_key(), generate_data_key()
    ciphertext = PatientsSettings(frontdoor_data_key=old).protector().encrypt("v", purpose="p")
    rotated = PatientsSettings(frontdoor_data_key=new, frontdoor_data_key_previous=old)
    assert rotated.protector().decrypt(ciphertext, purpose="p") == "v"


def test_development_generates_the_key_file_once(tmp_path: Path) -> None:
    key_file = tmp_path / "frontdoor-data.key"
    first = PatientsSettings(frontdoor_data_key_file=key_file).protector()
    assert key_file.exists()
    ciphertext = first.encrypt("v", purpose="p")
    again = PatientsSettings(frontdoor_data_key_file=key_file).protector()
    assert again.decrypt(ciphertext, purpose="p") == "v"


def test_database_url_defaults_to_sqlite_and_accepts_postgres() -> None:
    assert PatientsSettings().database_url.startswith("sqlite+aiosqlite:///")
    assert PatientsSettings().database_url.endswith("/var/frontdoor.db")
    url = "postgresql://postgres@127.0.0.1:5432/test"
    assert PatientsSettings(frontdoor_database_url=url).database_url == url
