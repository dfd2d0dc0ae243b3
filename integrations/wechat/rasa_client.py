"""Client for Rasa's REST channel (`/webhooks/rest/webhook`), one conversation per OpenID.

https://rasa.com/docs/rasa/3.x/connectors/your-own-website#rest-channels
"""

from __future__ import annotations

from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict, ValidationError


class RasaUnavailable(Exception):
    """Rasa did not answer in time or answered with an error."""


class RasaButton(BaseModel):
    model_config = ConfigDict(extra="ignore")

    title: str
    payload: str = ""


class BotMessage(BaseModel):
    """One bot utterance as the REST channel returns it."""

    model_config = ConfigDict(extra="ignore")

    text: str | None = None
    image: str | None = None
    buttons: list[RasaButton] = []


class RasaClient:
    def __init__(
        self,
        base_url: str,
        *,
        timeout: float,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip("/"),
            timeout=httpx.Timeout(timeout),
            transport=transport,
            # One gateway worker serves many users at once; keep connections warm.
            limits=httpx.Limits(max_connections=200, max_keepalive_connections=50),
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    async def send(self, sender_id: str, text: str) -> list[BotMessage]:
        """Send one user message and return the bot's replies for that turn."""
        try:
            response = await self._http.post(
                "/webhooks/rest/webhook", json={"sender": sender_id, "message": text}
            )
        except httpx.HTTPError as exc:
            raise RasaUnavailable(f"{type(exc).__name__}: {exc}") from exc
        if response.status_code != 200:
            raise RasaUnavailable(f"Rasa answered HTTP {response.status_code}")
        try:
            payload: Any = response.json()
            return [BotMessage.model_validate(item) for item in payload]
        except (ValueError, TypeError, ValidationError) as exc:
            raise RasaUnavailable(f"unexpected Rasa answer: {exc}") from exc
