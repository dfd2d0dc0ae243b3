"""Configuration of the action server, read from the environment."""

from __future__ import annotations

from functools import lru_cache

from pydantic_settings import BaseSettings, SettingsConfigDict


class ActionSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=None, extra="ignore")

    his_base_url: str = "http://127.0.0.1:8081/fhir"
    his_timeout_seconds: float = 3.0
    # Slots open this many days ahead (Guangzhou practice: about 7).
    booking_window_days: int = 7
    action_server_host: str = "127.0.0.1"
    action_server_port: int = 5055


@lru_cache(maxsize=1)
def get_settings() -> ActionSettings:
    return ActionSettings()
