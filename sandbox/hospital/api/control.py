"""``/sandbox/control``: test controls of the stand-in, outside the FHIR API.

A real hospital is sometimes slow; tests and the benchmark make this one slow on purpose to
prove that residents still get their answer (through the customer-service push).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from fastapi import APIRouter, FastAPI, Request, Response
from pydantic import BaseModel, Field

router = APIRouter(tags=["sandbox control"])


class Control(BaseModel):
    latency_seconds: float = Field(default=0.0, ge=0, le=60)


@router.post("/sandbox/control")
async def set_control(control: Control, request: Request) -> Control:
    request.app.state.control = control
    return control


@router.get("/sandbox/control")
async def get_control(request: Request) -> Control:
    control: Control = request.app.state.control
    return control


def install_latency(app: FastAPI) -> None:
    """Delay every FHIR request by the configured latency."""
    app.state.control = Control()

    @app.middleware("http")
    async def add_latency(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        latency = request.app.state.control.latency_seconds
        if latency and request.url.path.startswith("/fhir"):
            await asyncio.sleep(latency)
        return await call_next(request)
