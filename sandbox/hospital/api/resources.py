"""Registry of the FHIR resource routers; add a module here to serve a new resource type."""

from __future__ import annotations

from types import ModuleType

from sandbox.hospital.api import (
    appointment,
    diagnostic_report,
    healthcare_service,
    location,
    observation,
    organization,
    patient,
    practitioner,
    practitioner_role,
    schedule,
    slot,
)

RESOURCE_MODULES: tuple[ModuleType, ...] = (
    organization,
    location,
    healthcare_service,
    practitioner,
    practitioner_role,
    schedule,
    slot,
    patient,
    appointment,
    diagnostic_report,
    observation,
)
