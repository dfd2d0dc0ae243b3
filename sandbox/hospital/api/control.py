"""``/sandbox/...``: test controls of the stand-in, outside the FHIR API.

A real hospital is sometimes slow; tests and the benchmark make this one slow on purpose to
prove that residents still get their answer (through the customer-service push). Booking rules
depend on the date, so the clock can be pinned; and no-shows (which only the passing of time
produces) can be recorded directly. Reports are made, released and amended on demand by the
routes of ``report_controls``, served under this router.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import date, datetime

from fastapi import APIRouter, FastAPI, Request, Response
from pydantic import AwareDatetime, BaseModel, Field

from sandbox.hospital.api import report_controls
from sandbox.hospital.api.deps import DbSession, Now
from sandbox.hospital.booking.history import record_no_shows
from sandbox.hospital.clock import SandboxClock

router = APIRouter(tags=["sandbox control"])
router.include_router(report_controls.router)


class Control(BaseModel):
    latency_seconds: float = Field(default=0.0, ge=0, le=60)


class ClockSetting(BaseModel):
    """``now``: the pinned instant, or null to follow the system clock."""

    now: AwareDatetime | None = None


class ClockReading(BaseModel):
    now: datetime
    pinned: bool


class NoShows(BaseModel):
    patient_id: str = Field(pattern=r"^[A-Za-z0-9\-.]{1,64}$")
    days: list[date] = Field(min_length=1, max_length=20)


class RecordedNoShows(BaseModel):
    appointment_ids: list[str]


@router.post("/sandbox/control")
async def set_control(control: Control, request: Request) -> Control:
    request.app.state.control = control
    return control


@router.get("/sandbox/control")
async def get_control(request: Request) -> Control:
    control: Control = request.app.state.control
    return control


@router.post("/sandbox/clock")
async def set_clock(setting: ClockSetting, request: Request) -> ClockReading:
    clock: SandboxClock = request.app.state.clock
    clock.set(setting.now)
    return ClockReading(now=clock.now(), pinned=clock.fixed is not None)


@router.get("/sandbox/clock")
async def get_clock(request: Request) -> ClockReading:
    clock: SandboxClock = request.app.state.clock
    return ClockReading(now=clock.now(), pinned=clock.fixed is not None)


@router.post("/sandbox/no-shows", status_code=201)
def add_no_shows(no_shows: NoShows, session: DbSession, now: Now) -> RecordedNoShows:
    """Record past no-show appointments of a patient (3 within 90 days block booking)."""
    ids = record_no_shows(session, no_shows.patient_id, no_shows.days, now)
    return RecordedNoShows(appointment_ids=ids)


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
