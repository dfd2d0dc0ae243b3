"""FastAPI dependencies, declared once as ``Annotated`` aliases and overridable in tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session, sessionmaker


def get_session(request: Request) -> Iterator[Session]:
    """One session per request from the factory created in the app's lifespan."""
    factory: sessionmaker[Session] = request.app.state.session_factory
    with factory() as session:
        yield session


def get_fhir_base(request: Request) -> str:
    """Absolute FHIR base URL of this server as the client addressed it (for fullUrl/links)."""
    return str(request.base_url).rstrip("/") + "/fhir"


DbSession = Annotated[Session, Depends(get_session)]
FhirBase = Annotated[str, Depends(get_fhir_base)]
