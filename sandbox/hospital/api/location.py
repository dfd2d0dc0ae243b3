"""``/fhir/Location``: the sites of institutions."""

from __future__ import annotations

from fastapi import APIRouter, Request
from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import joinedload

from sandbox.hospital.api.deps import DbSession, FhirBase
from sandbox.hospital.api.searching import (
    ResourceCapability,
    parse_request,
    read_response,
    search_response,
)
from sandbox.hospital.fhir.organization import location_resource
from sandbox.hospital.fhir.response import FHIRResponse
from sandbox.hospital.models import Location
from sandbox.hospital.search.filters import id_condition, reference_condition, string_condition
from sandbox.hospital.search.params import (
    ID_PARAM,
    ParamType,
    SearchParam,
    SearchQuery,
    string_param,
)

SEARCH_PARAMS = (
    ID_PARAM,
    SearchParam("organization", ParamType.REFERENCE, "Managing Organization (Organization/x or x)"),
    string_param("name", "Site name; starts-with, or :contains / :exact"),
)
CAPABILITY = ResourceCapability("Location", SEARCH_PARAMS)

router = APIRouter(tags=["Location"])


def location_conditions(query: SearchQuery) -> list[ColumnElement[bool]]:
    conditions = [id_condition(Location.id, occ) for occ in query.get("_id")]
    conditions += [
        reference_condition(Location.institution_id, occ, "Organization")
        for occ in query.get("organization")
    ]
    conditions += [string_condition([Location.name], occ) for occ in query.get("name")]
    return conditions


@router.get("/Location")
def search_locations(request: Request, session: DbSession, fhir_base: FhirBase) -> FHIRResponse:
    query = parse_request(request, SEARCH_PARAMS)
    statement = (
        select(Location)
        .where(*location_conditions(query))
        .options(joinedload(Location.institution))
    )
    return search_response(
        session, fhir_base, "Location", query, statement, [Location.id], location_resource
    )


@router.get("/Location/{resource_id}")
def read_location(resource_id: str, session: DbSession) -> FHIRResponse:
    return read_response(session, Location, "Location", resource_id, location_resource)
