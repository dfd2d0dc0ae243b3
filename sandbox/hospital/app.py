"""ASGI application factory of the sandbox hospital."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from sandbox.hospital.api import control, health
from sandbox.hospital.api.errors import install_error_handlers
from sandbox.hospital.api.metadata import metadata_router
from sandbox.hospital.api.resources import RESOURCE_MODULES
from sandbox.hospital.api.searching import ResourceCapability
from sandbox.hospital.clock import SandboxClock
from sandbox.hospital.db import make_engine, make_session_factory
from sandbox.hospital.settings import HospitalSettings

FHIR_PREFIX = "/fhir"


def create_app(
    settings: HospitalSettings | None = None, clock: SandboxClock | None = None
) -> FastAPI:
    """Build the app; the database engine lives for the app's lifespan.

    Tests may instead override ``sandbox.hospital.api.deps.get_session``. ``clock`` (default:
    the system clock) is ``app.state.clock``; tests and ``/sandbox/clock`` may pin it.
    """
    settings = settings or HospitalSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = make_engine(settings.database_url)
        app.state.session_factory = make_session_factory(engine)
        try:
            yield
        finally:
            engine.dispose()

    app = FastAPI(
        title="frontdoor sandbox hospital",
        description="FHIR R4 stand-in for a district's hospitals and community health centres",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.clock = clock or SandboxClock()
    install_error_handlers(app)
    control.install_latency(app)
    app.include_router(health.router)
    app.include_router(control.router)
    capabilities: list[ResourceCapability] = [module.CAPABILITY for module in RESOURCE_MODULES]
    app.include_router(metadata_router(capabilities), prefix=FHIR_PREFIX)
    for module in RESOURCE_MODULES:
        app.include_router(module.router, prefix=FHIR_PREFIX)
    return app
