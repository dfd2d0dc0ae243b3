"""``/fhir/Organization``: hospitals and community health centres."""

from __future__ import annotations

from fastapi import APIRouter, Request
from sqlalchemy import ColumnElement, false, select, true

from common import fhir_contract as systems
from sandbox.hospital.api.deps import DbSession, FhirBase
from sandbox.hospital.api.searching import (
    ResourceCapability,
    parse_request,
    read_response,
    search_response,
)
from sandbox.hospital.fhir.organization import organization_resource
from sandbox.hospital.fhir.response import FHIRResponse
from sandbox.hospital.models import Institution
from sandbox.hospital.search.filters import id_condition, string_condition, token_condition
from sandbox.hospital.search.params import (
    ID_PARAM,
    ParamType,
    SearchParam,
    SearchQuery,
    string_param,
)

SEARCH_PARAMS = (
    ID_PARAM,
    string_param("name", "Name or alias; starts-with, or :contains / :exact"),
    string_param("address", "Any address part (line, district, city, state, postcode); contains"),
    string_param("address-city", "City; starts-with"),
    SearchParam(
        "type",
        ParamType.TOKEN,
        f"{systems.INSTITUTION_KIND}|hospital or |community-health-centre; "
        f"{systems.ORGANIZATION_TYPE}|prov",
    ),
)
CAPABILITY = ResourceCapability("Organization", SEARCH_PARAMS)

router = APIRouter(tags=["Organization"])


def organization_conditions(query: SearchQuery) -> list[ColumnElement[bool]]:
    conditions = [id_condition(Institution.id, occ) for occ in query.get("_id")]
    conditions += [
        string_condition([Institution.name, Institution.alias], occ) for occ in query.get("name")
    ]
    address_parts = [
        Institution.address_line,
        Institution.district,
        Institution.city,
        Institution.state,
        Institution.postal_code,
    ]
    conditions += [
        string_condition(address_parts, occ, default="contains") for occ in query.get("address")
    ]
    conditions += [string_condition([Institution.city], occ) for occ in query.get("address-city")]
    type_systems = {
        systems.INSTITUTION_KIND: lambda code: Institution.kind == code,
        # Every institution here is a healthcare provider.
        systems.ORGANIZATION_TYPE: lambda code: true() if code == "prov" else false(),
    }
    conditions += [token_condition(occ, type_systems) for occ in query.get("type")]
    return conditions


@router.get("/Organization")
def search_organizations(request: Request, session: DbSession, fhir_base: FhirBase) -> FHIRResponse:
    query = parse_request(request, SEARCH_PARAMS)
    statement = select(Institution).where(*organization_conditions(query))
    return search_response(
        session,
        fhir_base,
        "Organization",
        query,
        statement,
        [Institution.id],
        organization_resource,
    )


@router.get("/Organization/{resource_id}")
def read_organization(resource_id: str, session: DbSession) -> FHIRResponse:
    return read_response(session, Institution, "Organization", resource_id, organization_resource)
