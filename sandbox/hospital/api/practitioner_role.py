"""``/fhir/PractitionerRole``: which doctor works in which department, with which title."""

from __future__ import annotations

from fastapi import APIRouter, Request
from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import joinedload

from common import fhir_contract as systems
from sandbox.hospital.api.deps import DbSession, FhirBase
from sandbox.hospital.api.searching import (
    ResourceCapability,
    parse_request,
    read_response,
    search_response,
)
from sandbox.hospital.fhir.practitioner import practitioner_role_resource
from sandbox.hospital.fhir.response import FHIRResponse
from sandbox.hospital.models import Department, PractitionerRole
from sandbox.hospital.search.filters import id_condition, reference_condition, token_condition
from sandbox.hospital.search.params import ID_PARAM, ParamType, SearchParam, SearchQuery

SEARCH_PARAMS = (
    ID_PARAM,
    SearchParam("organization", ParamType.REFERENCE, "Organization/x or x"),
    SearchParam("service", ParamType.REFERENCE, "HealthcareService/x or x"),
    SearchParam("practitioner", ParamType.REFERENCE, "Practitioner/x or x"),
    SearchParam(
        "role", ParamType.TOKEN, f"Professional title code in {systems.PRACTITIONER_TITLE}"
    ),
)
CAPABILITY = ResourceCapability("PractitionerRole", SEARCH_PARAMS)

router = APIRouter(tags=["PractitionerRole"])


def practitioner_role_conditions(query: SearchQuery) -> list[ColumnElement[bool]]:
    conditions = [id_condition(PractitionerRole.id, occ) for occ in query.get("_id")]
    conditions += [
        reference_condition(PractitionerRole.institution_id, occ, "Organization")
        for occ in query.get("organization")
    ]
    conditions += [
        reference_condition(PractitionerRole.department_id, occ, "HealthcareService")
        for occ in query.get("service")
    ]
    conditions += [
        reference_condition(PractitionerRole.practitioner_id, occ, "Practitioner")
        for occ in query.get("practitioner")
    ]
    title_systems = {systems.PRACTITIONER_TITLE: lambda code: PractitionerRole.title_code == code}
    conditions += [token_condition(occ, title_systems) for occ in query.get("role")]
    return conditions


@router.get("/PractitionerRole")
def search_practitioner_roles(
    request: Request, session: DbSession, fhir_base: FhirBase
) -> FHIRResponse:
    query = parse_request(request, SEARCH_PARAMS)
    statement = (
        select(PractitionerRole)
        .where(*practitioner_role_conditions(query))
        .options(
            joinedload(PractitionerRole.practitioner),
            joinedload(PractitionerRole.institution),
            joinedload(PractitionerRole.department).joinedload(Department.location),
        )
    )
    return search_response(
        session,
        fhir_base,
        "PractitionerRole",
        query,
        statement,
        [PractitionerRole.id],
        practitioner_role_resource,
    )


@router.get("/PractitionerRole/{resource_id}")
def read_practitioner_role(resource_id: str, session: DbSession) -> FHIRResponse:
    return read_response(
        session, PractitionerRole, "PractitionerRole", resource_id, practitioner_role_resource
    )
