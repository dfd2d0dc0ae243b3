"""FastAPI app that WeChat calls at `/wechat`, plus the chat simulator for developers and admins.

Every request is verified before any other work; rejections are logged with a reason and never
turn into a 500.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.responses import FileResponse, PlainTextResponse, Response
from pydantic import BaseModel, Field

from common.privacy import mask_openid
from integrations.wechat import texts
from integrations.wechat.dialogue import route
from integrations.wechat.messages import MalformedMessage, parse_message, render_text_reply
from integrations.wechat.rasa_client import RasaClient, RasaUnavailable
from integrations.wechat.render import render_text
from integrations.wechat.settings import GatewaySettings, get_settings
from integrations.wechat.signature import compute_signature, is_valid_signature

logger = logging.getLogger("frontdoor.gateway")

SIMULATOR_PAGE = Path(__file__).parent / "static" / "simulator.html"
XML_MEDIA_TYPE = "application/xml"
# WeChat treats a plain "success" as "no reply now", without showing the user an error.
NO_REPLY_BODY = "success"


class SignRequest(BaseModel):
    timestamp: str = Field(pattern=r"^\d{1,12}$")
    nonce: str = Field(pattern=r"^[0-9A-Za-z]{1,32}$")


class SignResponse(BaseModel):
    signature: str
    app_id: str


def create_app(
    settings: GatewaySettings | None = None, rasa_client: RasaClient | None = None
) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        client = rasa_client or RasaClient(settings.rasa_url, timeout=settings.rasa_timeout_seconds)
        app.state.rasa = client
        try:
            yield
        finally:
            if rasa_client is None:
                await client.aclose()

    app = FastAPI(
        title="frontdoor WeChat gateway", lifespan=lifespan, docs_url=None, redoc_url=None
    )
    app.state.settings = settings

    async def verified(
        request: Request,
        signature: Annotated[str, Query()] = "",
        timestamp: Annotated[str, Query()] = "",
        nonce: Annotated[str, Query()] = "",
    ) -> None:
        if not (signature and timestamp and nonce) or not is_valid_signature(
            settings.wechat_token, signature, timestamp, nonce
        ):
            client = request.client.host if request.client else "?"
            logger.warning(
                "rejected %s %s from %s: bad signature", request.method, request.url.path, client
            )
            raise HTTPException(status_code=403, detail="invalid signature")

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/wechat", response_class=PlainTextResponse, dependencies=[Depends(verified)])
    async def verify_server(echostr: Annotated[str, Query()] = "") -> str:
        return echostr

    @app.post("/wechat", dependencies=[Depends(verified)])
    async def receive(request: Request) -> Response:
        body = await _read_limited(request, settings.max_body_bytes)
        if body is None:
            logger.warning("rejected POST /wechat: body over %d bytes", settings.max_body_bytes)
            return PlainTextResponse("request body too large", status_code=413)
        try:
            message = parse_message(body)
        except MalformedMessage as exc:
            logger.warning("rejected POST /wechat: %s", exc)
            return PlainTextResponse("malformed message", status_code=400)

        decision = route(message)
        user = mask_openid(message.from_user)
        logger.info("message type=%s event=%s from %s", message.msg_type, message.event, user)
        if decision.reply is not None:
            return _xml(render_text_reply(message, decision.reply))
        if decision.user_text is None:
            return PlainTextResponse(NO_REPLY_BODY)
        rasa: RasaClient = request.app.state.rasa
        try:
            replies = await rasa.send(message.from_user, decision.user_text)
        except RasaUnavailable as exc:
            logger.error("dialogue failed for %s: %s", user, exc)
            return _xml(render_text_reply(message, texts.SERVICE_BUSY))
        return _xml(render_text_reply(message, render_text(replies) or texts.NOT_UNDERSTOOD))

    @app.get("/simulator", include_in_schema=False)
    async def simulator() -> FileResponse:
        if not settings.simulator_enabled:
            raise HTTPException(status_code=404)
        return FileResponse(SIMULATOR_PAGE, media_type="text/html; charset=utf-8")

    @app.post("/simulator/sign", include_in_schema=False)
    async def simulator_sign(request: SignRequest) -> SignResponse:
        if not settings.simulator_enabled:
            raise HTTPException(status_code=404)
        return SignResponse(
            signature=compute_signature(settings.wechat_token, request.timestamp, request.nonce),
            app_id=settings.wechat_app_id,
        )

    return app


def _xml(content: str) -> Response:
    return Response(content=content, media_type=XML_MEDIA_TYPE)


async def _read_limited(request: Request, limit: int) -> bytes | None:
    """Read the body, or return None as soon as it grows past `limit` (never buffer more)."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)
