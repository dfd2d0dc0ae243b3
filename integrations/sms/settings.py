"""Typed settings of the SMS client, read from the environment (see ``.env.example``)."""

from __future__ import annotations

from typing import Literal

from pydantic import SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# The local stand-in's key (sandbox/sms), so development needs no configuration.
SANDBOX_API_KEY = "sandbox-sms-key"
_PLACEHOLDERS = {"", SANDBOX_API_KEY, "changeme", "change-me"}


class SMSSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=None, extra="ignore")

    frontdoor_env: Literal["development", "production"] = "development"
    sms_base_url: str = "http://127.0.0.1:8083"
    sms_api_key: SecretStr = SecretStr(SANDBOX_API_KEY)
    sms_timeout_seconds: float = 5.0

    @model_validator(mode="after")
    def _refuse_placeholders_in_production(self) -> SMSSettings:
        if self.frontdoor_env == "production" and (
            self.sms_api_key.get_secret_value() in _PLACEHOLDERS
        ):
            raise ValueError("SMS_API_KEY must be set to the provider's real key in production")
        return self
