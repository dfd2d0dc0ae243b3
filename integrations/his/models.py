"""Domain views of FHIR resources, as the dialogue code needs them."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class InstitutionKind(StrEnum):
    """Codes of the `urn:frontdoor:institution-kind` system used in Organization.type."""

    HOSPITAL = "hospital"
    COMMUNITY_HEALTH_CENTRE = "community-health-centre"


class Institution(BaseModel):
    """A hospital or community health centre (FHIR Organization)."""

    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    kind: InstitutionKind | None
    district: str | None = None
    address: str | None = None
    phone: str | None = None


class Department(BaseModel):
    """A department or clinic of an institution (FHIR HealthcareService)."""

    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    institution_id: str
    institution_name: str | None = None
    code: str | None = None
    description: str | None = None
    bookable: bool = True
