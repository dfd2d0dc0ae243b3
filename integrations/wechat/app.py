"""FastAPI app that WeChat calls at `/wechat`, plus the chat simulator for developers and admins.

Every request is verified before any other work; rejections are logged with a reason and never
turn into a 500.
"""

from __future__ import annotations

import hmac
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated

from fastapi import Depends, FastAPI, Header, HTTPException, Query, Request
from fastapi.responses import FileResponse, PlainTextResponse, Response
from pydantic import BaseModel, Field

from common.privacy import mask_openid
from integrations.wechat import texts
from integrations.wechat.admin import admin_router
from integrations.wechat.api import WeChatAPIClient
from integrations.wechat.crypto import CryptoError, MessageCrypto
from integrations.wechat.messages import (
    InboundMessage,
    MalformedMessage,
    WireFormat,
    extract_encrypted,
    parse_message,
    render_image_reply,
    render_text_reply,
)
from integrations.wechat.rasa_client import RasaClient
from integrations.wechat.replies import Reply
from integrations.wechat.report_notices.wiring import ReportWiring
from integrations.wechat.services import GatewayServices, start_services
from integrations.wechat.settings import GatewaySettings, get_settings
from integrations.wechat.signature import compute_signature, is_valid_signature
from integrations.wechat.state import Store
from patients.triage_records import TriageRecords
from patients.vault import PIIVault

logger = logging.getLogger("frontdoor.gateway")

SIMULATOR_PAGE = Path(__file__).parent / "static" / "simulator.html"
XML_MEDIA_TYPE = "application/xml"
JSON_MEDIA_TYPE = "application/json"
# WeChat treats a plain "success" as "no reply now", without showing the user an error.
NO_REPLY_BODY = "success"
REJECTION_BODIES = {
    400: "malformed message",
    403: "invalid signature",
    413: "request body too large",
}


class SignRequest(BaseModel):
    timestamp: str = Field(pattern=r"^\d{1,12}$")
    nonce: str = Field(pattern=r"^[0-9A-Za-z]{1,32}$")


class SignResponse(BaseModel):
    signature: str
    app_id: str


def create_app(
    settings: GatewaySettings | None = None,
    rasa_client: RasaClient | None = None,
    *,
    store: Store | None = None,
    wechat_api: WeChatAPIClient | None = None,
    vault: PIIVault | None = None,
    reports: ReportWiring | None = None,
    triage: TriageRecords | None = None,
) -> FastAPI:
    """The gateway; clients passed in belong to the caller (tests), the others to the app."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        services = await start_services(
            settings,
            rasa=rasa_client,
            store=store,
            wechat_api=wechat_api,
            vault=vault,
            reports=reports,
            triage=triage,
        )
        app.state.services = services
        app.state.rasa = services.rasa
        try:
            yield
        finally:
            await services.close()

    app = FastAPI(
        title="frontdoor WeChat gateway", lifespan=lifespan, docs_url=None, redoc_url=None
    )
    app.state.settings = settings

    crypto = (
        MessageCrypto(settings.wechat_token, settings.wechat_app_id, settings.encoding_aes_keys)
        if settings.encoding_aes_keys
        else None
    )

    async def verified(
        request: Request,
        signature: Annotated[str, Query()] = "",
        timestamp: Annotated[str, Query()] = "",
        nonce: Annotated[str, Query()] = "",
    ) -> None:
        """URL signature and replay window, checked before any other work."""
        reason = None
        if not (signature and timestamp and nonce) or not is_valid_signature(
            settings.wechat_token, signature, timestamp, nonce
        ):
            reason = "bad signature"
        elif not _is_fresh(timestamp, settings.wechat_max_clock_skew_seconds):
            reason = "stale or future timestamp (replay?)"
        if reason:
            client = request.client.host if request.client else "?"
            logger.warning(
                "rejected %s %s from %s: %s", request.method, request.url.path, client, reason
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
            return _rejected(413, f"body over {settings.max_body_bytes} bytes")
        params = request.query_params
        key_index: int | None = None
        envelope_format: WireFormat | None = None
        try:
            if params.get("encrypt_type", "raw").lower() == "aes":
                if crypto is None:
                    return _rejected(400, "encrypted message but no EncodingAESKey configured")
                envelope_format, encrypted = extract_encrypted(body)
                if not crypto.verify(
                    params.get("msg_signature", ""), params["timestamp"], params["nonce"], encrypted
                ):
                    return _rejected(403, "bad msg_signature")
                decrypted = crypto.decrypt(encrypted)
                body, key_index = decrypted.xml, decrypted.key_index
            message = parse_message(body)
            if envelope_format is not None and message.wire_format != envelope_format:
                return _rejected(400, "envelope and message formats differ")
        except (MalformedMessage, CryptoError) as exc:
            return _rejected(400, str(exc))

        try:
            reply = await _answer(request.app.state.services, message)
        except Exception:
            # Redis or another shared part failed: the resident still gets an answer, not
            # WeChat's "service unavailable" page.
            logger.exception("could not answer %s", mask_openid(message.from_user))
            reply = Reply.plain(texts.SERVICE_BUSY)
        if reply is None:
            return PlainTextResponse(NO_REPLY_BODY)
        if reply.media_id is not None:
            xml = render_image_reply(message, reply.media_id)
        else:
            xml = render_text_reply(message, reply.text)
        if crypto is not None and key_index is not None:
            # Safe mode: answer with the key WeChat used (the previous one during rollover).
            xml = crypto.encrypted_reply(
                xml,
                key_index=key_index,
                timestamp=str(int(time.time())),
                nonce=params["nonce"],
                as_json=message.wire_format == "json",
            )
        media_type = JSON_MEDIA_TYPE if message.wire_format == "json" else XML_MEDIA_TYPE
        return Response(content=xml, media_type=media_type)

    @app.get("/admin/deliveries/failed")
    async def failed_deliveries(
        request: Request, authorization: Annotated[str, Header()] = ""
    ) -> list[dict[str, object]]:
        """Replies that reached no channel, for admins to follow up (OpenIDs masked)."""
        expected = f"Bearer {settings.admin_token}"
        if not settings.admin_token or not hmac.compare_digest(
            authorization.encode("utf-8"), expected.encode("utf-8")
        ):
            raise HTTPException(status_code=404)
        records = await request.app.state.services.outbox.failed()
        return [{**r, "openid": mask_openid(str(r["openid"]))} for r in records]

    app.include_router(admin_router(settings))

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


async def _answer(services: GatewayServices, message: InboundMessage) -> Reply | None:
    """The reply to send back now, or None when WeChat should get `success` (no reply now)."""
    logger.info(
        "message type=%s event=%s from %s",
        message.msg_type,
        message.event,
        mask_openid(message.from_user),
    )
    await services.track_interaction(message)
    if message.msg_type == "event":
        await services.track_follow(message)
        if await services.handle_subscription_event(message):
            return None
    decision = services.route(message)
    if decision.reply is not None or decision.user_text is None:
        return None if decision.reply is None else Reply.plain(decision.reply)
    if not await services.within_rate_limit(message):
        return Reply.plain(texts.RATE_LIMITED)
    return await services.turns.handle(message)


def _rejected(status: int, reason: str) -> Response:
    logger.warning("rejected POST /wechat: %s", reason)
    return PlainTextResponse(REJECTION_BODIES.get(status, "rejected"), status_code=status)


def _is_fresh(timestamp: str, max_skew: int) -> bool:
    return timestamp.isdigit() and abs(time.time() - int(timestamp)) <= max_skew


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
