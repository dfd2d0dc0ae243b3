"""Typed async client for a hospital information system (HIS) behind an HL7 FHIR R4 API."""

from integrations.his.client import HISClient
from integrations.his.errors import HISError, HISNotFound, HISUnavailable
from integrations.his.models import Department, Institution, InstitutionKind

__all__ = [
    "Department",
    "HISClient",
    "HISError",
    "HISNotFound",
    "HISUnavailable",
    "Institution",
    "InstitutionKind",
]
