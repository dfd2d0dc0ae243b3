"""Identity numbers for tests, made with the real algorithms rather than copied from anywhere."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from patients.identity import resident_id_check_character

CONSENT_VERSION = "2026-11"
CONSENT_TEXT = "我同意区健康服务平台为预约挂号处理我和家人的身份信息与健康信息。"


def resident_id(region: str = "440106", birth: str = "19900101", sequence: str = "123") -> str:
    """A resident ID with a correct check character (odd sequence end: male)."""
    first17 = region + birth + sequence
    return first17 + resident_id_check_character(first17)


def wrong_check(number: str) -> str:
    """The same ID with a check character that does not match."""
    valid = number[-1]
    return number[:-1] + next(c for c in "0123456789X" if c != valid)


async def latest_code(sms_control: httpx.AsyncClient, phone_e164: str | None = None) -> str:
    """The code in the newest message the SMS stand-in sent (to `phone_e164`, when given)."""
    params = {"phone": phone_e164} if phone_e164 else None
    response = await sms_control.get("/sandbox/messages", params=params)
    assert response.status_code == 200, response.text
    messages = response.json()
    assert messages, "the stand-in sent no message"
    code: str = messages[0]["params"]["code"]
    assert code in messages[0]["text"]
    return code


class FakeClock:
    """Aware UTC time that only moves when a test says so."""

    def __init__(self, now: datetime = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)

    def timestamp(self) -> float:
        return self.now.timestamp()
