"""``/fhir/HealthcareService``: clinical departments and clinics."""

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
from sandbox.hospital.fhir.healthcare_service import healthcare_service_resource
from sandbox.hospital.fhir.response import FHIRResponse
from sandbox.hospital.models import Department
from sandbox.hospital.search.filters import (
    id_condition,
    reference_condition,
    string_condition,
    token_condition,
)
from sandbox.hospital.search.params import (
    ID_PARAM,
    ParamType,
    SearchParam,
    SearchQuery,
    string_param,
)

SEARCH_PARAMS = (
    ID_PARAM,
    SearchParam(
        "organization",
        ParamType.REFERENCE,
        "Providing Organization (Organization/x or x); comma-separated values are OR'ed",
    ),
    string_param("name", "Department name; starts-with, or :contains / :exact"),
    SearchParam("service-type", ParamType.TOKEN, f"Department type code in {systems.DEPARTMENT}"),
)
CAPABILITY = ResourceCapability("HealthcareService", SEARCH_PARAMS)

router = APIRouter(tags=["HealthcareService"])


def healthcare_service_conditions(query: SearchQuery) -> list[ColumnElement[bool]]:
    conditions = [id_condition(Department.id, occ) for occ in query.get("_id")]
    conditions += [
        reference_condition(Department.institution_id, occ, "Organization")
        for occ in query.get("organization")
    ]
    conditions += [string_condition([Department.name], occ) for occ in query.get("name")]
    type_systems = {systems.DEPARTMENT: lambda code: Department.type_code == code}
    conditions += [token_condition(occ, type_systems) for occ in query.get("service-type")]
    return conditions


@router.get("/HealthcareService")
def search_healthcare_services(
    request: Request, session: DbSession, fhir_base: FhirBase
) -> FHIRResponse:
    query = parse_request(request, SEARCH_PARAMS)
    statement = (
        select(Department)
        .where(*healthcare_service_conditions(query))
        .options(joinedload(Department.institution), joinedload(Department.location))
    )
    return search_response(
        session,
        fhir_base,
        "HealthcareService",
        query,
        statement,
        [Department.id],
        healthcare_service_resource,
    )


@router.get("/HealthcareService/{resource_id}")
def read_healthcare_service(resource_id: str, session: DbSession) -> FHIRResponse:
    return read_response(
        session, Department, "HealthcareService", resource_id, healthcare_service_resource
    )
