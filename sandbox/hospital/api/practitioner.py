"""``/fhir/Practitioner``: doctors."""

from __future__ import annotations

from fastapi import APIRouter, Request
from sqlalchemy import ColumnElement, select

from sandbox.hospital.api.deps import DbSession, FhirBase
from sandbox.hospital.api.searching import (
    ResourceCapability,
    parse_request,
    read_response,
    search_response,
)
from sandbox.hospital.fhir.practitioner import practitioner_resource
from sandbox.hospital.fhir.response import FHIRResponse
from sandbox.hospital.models import Practitioner
from sandbox.hospital.search.filters import id_condition, string_condition
from sandbox.hospital.search.params import ID_PARAM, SearchQuery, string_param

SEARCH_PARAMS = (
    ID_PARAM,
    string_param("name", "Full name, family or given name; starts-with, or :contains / :exact"),
)
CAPABILITY = ResourceCapability("Practitioner", SEARCH_PARAMS)

router = APIRouter(tags=["Practitioner"])


def practitioner_conditions(query: SearchQuery) -> list[ColumnElement[bool]]:
    conditions = [id_condition(Practitioner.id, occ) for occ in query.get("_id")]
    name_parts = [
        Practitioner.family_name + Practitioner.given_name,
        Practitioner.family_name,
        Practitioner.given_name,
    ]
    conditions += [string_condition(name_parts, occ) for occ in query.get("name")]
    return conditions


@router.get("/Practitioner")
def search_practitioners(request: Request, session: DbSession, fhir_base: FhirBase) -> FHIRResponse:
    query = parse_request(request, SEARCH_PARAMS)
    statement = select(Practitioner).where(*practitioner_conditions(query))
    return search_response(
        session,
        fhir_base,
        "Practitioner",
        query,
        statement,
        [Practitioner.id],
        practitioner_resource,
    )


@router.get("/Practitioner/{resource_id}")
def read_practitioner(resource_id: str, session: DbSession) -> FHIRResponse:
    return read_response(session, Practitioner, "Practitioner", resource_id, practitioner_resource)
