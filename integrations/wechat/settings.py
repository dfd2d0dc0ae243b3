"""Gateway configuration, read from the environment (names are a public contract, see README)."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from integrations.wechat.crypto import decode_aes_key
from integrations.wechat.report_notices.compose import parse_template_fields

DEVELOPMENT_TOKEN = "frontdoor-dev-token"
_PLACEHOLDERS = {"", DEVELOPMENT_TOKEN, "changeme", "change-me"}


class GatewaySettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=None, extra="ignore")

    frontdoor_env: Literal["development", "production"] = "development"
    wechat_token: str = DEVELOPMENT_TOKEN
    wechat_app_id: str = "wx0000000000000000"
    wechat_app_secret: str = ""
    wechat_encoding_aes_key: str = ""
    # During EncodingAESKey rollover WeChat may still encrypt with the previous key.
    wechat_encoding_aes_key_previous: str = ""
    # Requests whose timestamp is further than this from our clock are refused as replays.
    wechat_max_clock_skew_seconds: int = Field(default=300, gt=0)
    wechat_api_base_url: str = "http://127.0.0.1:8082"
    # Accounts without the customer-service API (unverified) can only answer passively: the
    # gateway then holds requests across WeChat's retries instead of pushing late replies.
    wechat_customer_service_enabled: bool = True
    # Template used when a push is refused (45015 out of window, 45047, 48001); empty: none.
    wechat_fallback_template_id: str = ""
    # Hosts that images in replies may be fetched from (comma-separated); empty: any host.
    wechat_image_hosts_csv: str = Field(default="", validation_alias="WECHAT_IMAGE_HOSTS")
    rasa_url: str = "http://127.0.0.1:5005"
    rasa_token: str = ""
    redis_url: str = ""
    # Namespace of the gateway's keys; deployments sharing one Redis need different ones.
    redis_key_prefix: str = "frontdoor:"
    # Bearer token for /admin endpoints (failed deliveries, report audit trail, critical
    # values); empty disables them.
    admin_token: str = ""
    # The hospital's FHIR API, read by the report watcher (same variable as the action server).
    his_base_url: str = "http://127.0.0.1:8081/fhir"
    # How often the watcher reads reports changed at the hospital; 0 disables report notices.
    report_watch_interval_seconds: float = Field(default=60, ge=0)
    # Where the very first run starts (never from the beginning of time).
    report_watch_lookback_minutes: float = Field(default=60, gt=0)
    # Subscription-message template (订阅通知) for report notices outside the 48 h window;
    # empty: outside the window nothing is sent (and it is recorded).
    wechat_report_template_id: str = ""
    # Which of the template's fields carries what: role=key pairs, roles patient, test,
    # institution, time, note. Keep the masked patient name in a `thing` field.
    wechat_report_template_fields: str = (
        "patient=thing1,test=thing2,institution=thing3,time=time4,note=thing5"
    )
    gateway_host: str = "0.0.0.0"
    gateway_port: int = 8000
    # WeChat gives up after 5 s: answer by then, and push what comes later.
    reply_budget_seconds: float = Field(default=4.5, gt=0, lt=5)
    # A turn may take longer than the budget (slow hospital APIs); its reply is pushed.
    rasa_timeout_seconds: float = Field(default=30, gt=0)
    max_body_bytes: int = Field(default=64 * 1024, gt=0)
    # Messages one user may send per minute (WeChat's retries of a message count once).
    rate_limit_per_minute: int = Field(default=30, gt=0)
    # The simulator signs messages for the browser: a signing oracle, so never in production.
    simulator_enabled: bool | None = None

    @model_validator(mode="after")
    def _refuse_placeholders_in_production(self) -> GatewaySettings:
        if self.frontdoor_env == "production" and self.wechat_token in _PLACEHOLDERS:
            raise ValueError("WECHAT_TOKEN must be set to the account's real token in production")
        for key in (self.wechat_encoding_aes_key, self.wechat_encoding_aes_key_previous):
            if key:
                decode_aes_key(key)  # fail at start-up, not on the first encrypted message
        if self.simulator_enabled is None:
            self.simulator_enabled = self.frontdoor_env == "development"
        parse_template_fields(self.wechat_report_template_fields)  # fail at start-up
        return self

    @property
    def report_template_fields(self) -> dict[str, str]:
        return parse_template_fields(self.wechat_report_template_fields)

    @property
    def wechat_image_hosts(self) -> list[str]:
        return [host.strip() for host in self.wechat_image_hosts_csv.split(",") if host.strip()]

    @property
    def encoding_aes_keys(self) -> list[str]:
        """Configured keys, current first."""
        keys = [self.wechat_encoding_aes_key, self.wechat_encoding_aes_key_previous]
        return [key for key in keys if key]


@lru_cache(maxsize=1)
def get_settings() -> GatewaySettings:
    return GatewaySettings()
