"""``/fhir/Schedule``: bookable time of doctors and of clinics (e.g. vaccination)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import joinedload

from common import fhir_contract as systems
from sandbox.hospital.api.deps import DbSession, FhirBase
from sandbox.hospital.api.searching import (
    ResourceCapability,
    parse_request,
    read_response,
    search_response,
)
from sandbox.hospital.fhir.response import FHIRResponse
from sandbox.hospital.fhir.scheduling import schedule_resource
from sandbox.hospital.models import Department, PractitionerRole, Schedule
from sandbox.hospital.search.filters import id_condition, parse_references, token_condition
from sandbox.hospital.search.params import (
    ID_PARAM,
    Occurrence,
    ParamType,
    SearchParam,
    SearchQuery,
)

ACTOR_TYPES = ("PractitionerRole", "HealthcareService", "Practitioner")

SEARCH_PARAMS = (
    ID_PARAM,
    SearchParam(
        "actor",
        ParamType.REFERENCE,
        "PractitionerRole/x, HealthcareService/y or Practitioner/z (bare ids match any of them)",
    ),
    SearchParam("service-type", ParamType.TOKEN, f"Department type code in {systems.DEPARTMENT}"),
)
CAPABILITY = ResourceCapability("Schedule", SEARCH_PARAMS)

router = APIRouter(tags=["Schedule"])


def actor_condition(occ: Occurrence) -> ColumnElement[bool]:
    """Schedules whose actors include any referenced role, department or doctor."""
    clauses: list[ColumnElement[bool]] = []
    for ref in parse_references(occ, ACTOR_TYPES):
        if ref.type in (None, "PractitionerRole"):
            clauses.append(Schedule.practitioner_role_id == ref.id)
        if ref.type in (None, "HealthcareService"):
            # Doctors' schedules list their department as an actor too.
            clauses.append(Schedule.department_id == ref.id)
        if ref.type in (None, "Practitioner"):
            roles = select(PractitionerRole.id).where(PractitionerRole.practitioner_id == ref.id)
            clauses.append(Schedule.practitioner_role_id.in_(roles))
    return or_(*clauses)


def service_type_condition(occ: Occurrence) -> ColumnElement[bool]:
    def matches(code: str) -> ColumnElement[bool]:
        departments = select(Department.id).where(Department.type_code == code)
        return Schedule.department_id.in_(departments)

    return token_condition(occ, {systems.DEPARTMENT: matches})


def schedule_conditions(query: SearchQuery) -> list[ColumnElement[bool]]:
    conditions = [id_condition(Schedule.id, occ) for occ in query.get("_id")]
    conditions += [actor_condition(occ) for occ in query.get("actor")]
    conditions += [service_type_condition(occ) for occ in query.get("service-type")]
    return conditions


@router.get("/Schedule")
def search_schedules(request: Request, session: DbSession, fhir_base: FhirBase) -> FHIRResponse:
    query = parse_request(request, SEARCH_PARAMS)
    statement = (
        select(Schedule)
        .where(*schedule_conditions(query))
        .options(
            joinedload(Schedule.department),
            joinedload(Schedule.practitioner_role).joinedload(PractitionerRole.practitioner),
        )
    )
    return search_response(
        session, fhir_base, "Schedule", query, statement, [Schedule.id], schedule_resource
    )


@router.get("/Schedule/{resource_id}")
def read_schedule(resource_id: str, session: DbSession) -> FHIRResponse:
    return read_response(session, Schedule, "Schedule", resource_id, schedule_resource)
