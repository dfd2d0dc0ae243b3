"""``/healthz``: liveness including a database round trip."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from sandbox.hospital.api.deps import DbSession

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz(session: DbSession) -> JSONResponse:
    try:
        session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return JSONResponse({"status": "unavailable"}, status_code=503)
    return JSONResponse({"status": "ok"})
