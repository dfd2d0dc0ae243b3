"""FastAPI dependencies, declared once as ``Annotated`` aliases and overridable in tests."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session, sessionmaker

from sandbox.hospital.booking.appointments import BookingPolicy
from sandbox.hospital.clock import SandboxClock
from sandbox.hospital.settings import HospitalSettings


def get_session(request: Request) -> Iterator[Session]:
    """One session per request from the factory created in the app's lifespan."""
    factory: sessionmaker[Session] = request.app.state.session_factory
    with factory() as session:
        yield session


def get_fhir_base(request: Request) -> str:
    """Absolute FHIR base URL of this server as the client addressed it (for fullUrl/links)."""
    return str(request.base_url).rstrip("/") + "/fhir"


def get_now(request: Request) -> datetime:
    """The current instant by the app's clock (pinned in tests, see ``clock.SandboxClock``)."""
    clock: SandboxClock = request.app.state.clock
    return clock.now()


def get_booking_policy(request: Request) -> BookingPolicy:
    settings: HospitalSettings = request.app.state.settings
    return BookingPolicy(window_days=settings.booking_window_days)


DbSession = Annotated[Session, Depends(get_session)]
FhirBase = Annotated[str, Depends(get_fhir_base)]
Now = Annotated[datetime, Depends(get_now)]
Policy = Annotated[BookingPolicy, Depends(get_booking_policy)]
