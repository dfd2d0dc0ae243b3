"""Shared by the HIS booking tests and their fixtures: the pinned day and the hospital handle.

(A unique module name: tests have no packages, and importing ``conftest`` is ambiguous.)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker

from sandbox.hospital.settings import HOSPITAL_TZ

MONDAY = date(2026, 11, 23)
MONDAY_MORNING = datetime.combine(MONDAY, time(9, 0), HOSPITAL_TZ)


@dataclass(frozen=True)
class Hospital:
    """The booking hospital: its app (``app.state.clock`` may be moved) and its database."""

    app: FastAPI
    factory: sessionmaker[Session]
