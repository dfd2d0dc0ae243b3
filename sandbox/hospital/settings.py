"""Typed settings of the sandbox hospital service, read from the environment."""

from __future__ import annotations

from datetime import timedelta, timezone
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parents[2]

# China has no daylight saving time, so a fixed offset is exact and avoids depending on tzdata.
HOSPITAL_TZ = timezone(timedelta(hours=8), "Asia/Shanghai")


def default_database_url() -> str:
    """SQLite file under ``<repo>/var/``; the directory is created on demand."""
    var_dir = REPO_ROOT / "var"
    var_dir.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{var_dir / 'sandbox_hospital.db'}"


class HospitalSettings(BaseSettings):
    """Configuration of the sandbox hospital (see ``.env.example``)."""

    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    database_url: str = Field(default_factory=default_database_url, validation_alias="DATABASE_URL")
    host: str = Field(default="127.0.0.1", validation_alias="HIS_HOST")
    port: int = Field(default=8081, validation_alias="HIS_PORT")
    # Slots open this many days ahead: on day D residents may book slots up to day D + N.
    booking_window_days: int = Field(default=7, ge=0, validation_alias="HIS_BOOKING_WINDOW_DAYS")

    @property
    def timezone(self) -> timezone:
        """All schedule times are local to Guangzhou (+08:00)."""
        return HOSPITAL_TZ
