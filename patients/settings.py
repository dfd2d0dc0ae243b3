"""Typed settings of the patients package, read from the environment (see ``.env.example``)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from patients.protection import DataKeyError, Protector, decode_data_key, development_key

REPO_ROOT = Path(__file__).resolve().parents[1]
VAR_DIR = REPO_ROOT / "var"


class PatientsSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=None, extra="ignore")

    frontdoor_env: Literal["development", "production"] = "development"
    # Empty: SQLite in var/frontdoor.db. postgresql://… URLs are routed to psycopg 3.
    frontdoor_database_url: str = ""
    # base64 of 32 random bytes; the previous key only decrypts, during a rotation.
    frontdoor_data_key: SecretStr = SecretStr("")
    frontdoor_data_key_previous: SecretStr = SecretStr("")
    # Where development generates its key when FRONTDOOR_DATA_KEY is unset.
    frontdoor_data_key_file: Path = VAR_DIR / "frontdoor-data.key"

    @model_validator(mode="after")
    def _check_keys(self) -> PatientsSettings:
        current = self.frontdoor_data_key.get_secret_value()
        if self.frontdoor_env == "production" and not current:
            raise ValueError("FRONTDOOR_DATA_KEY must be set in production (base64 of 32 bytes)")
        for value in (current, self.frontdoor_data_key_previous.get_secret_value()):
            if value:
                decode_data_key(value)  # fail at start-up, not on the first patient
        return self

    @property
    def database_url(self) -> str:
        if self.frontdoor_database_url:
            return self.frontdoor_database_url
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        return f"sqlite+aiosqlite:///{VAR_DIR / 'frontdoor.db'}"

    def protector(self) -> Protector:
        """The Protector for these keys; in development, generates the key file if needed."""
        current = self.frontdoor_data_key.get_secret_value()
        previous = self.frontdoor_data_key_previous.get_secret_value()
        if current:
            secret = decode_data_key(current)
        elif self.frontdoor_env == "development":
            secret = development_key(self.frontdoor_data_key_file)
        else:  # unreachable through the validator; kept for settings built with model_construct
            raise DataKeyError("FRONTDOOR_DATA_KEY must be set in production")
        return Protector(secret, [decode_data_key(previous)] if previous else [])
