"""``/fhir/Observation``: result lines of released lab reports, read by id or searched by ids
(a client fetching the results a DiagnosticReport lists) or by patient."""

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
from sandbox.hospital.fhir.observation import observation_resource
from sandbox.hospital.fhir.response import FHIRResponse
from sandbox.hospital.models import DiagnosticReport, Observation
from sandbox.hospital.search.filters import id_condition, reference_condition
from sandbox.hospital.search.params import (
    ID_PARAM,
    InvalidSearch,
    ParamType,
    SearchParam,
    SearchQuery,
)

SEARCH_PARAMS = (
    ID_PARAM,
    SearchParam("patient", ParamType.REFERENCE, "Patient/x or x"),
)
CAPABILITY = ResourceCapability("Observation", SEARCH_PARAMS)

router = APIRouter(tags=["Observation"])


def observation_conditions(query: SearchQuery) -> list[ColumnElement[bool]]:
    # As for reports: never every patient's results at once.
    if not query.get("_id") and not query.get("patient"):
        raise InvalidSearch("an Observation search needs _id or patient")
    conditions = [id_condition(Observation.id, occ) for occ in query.get("_id")]
    conditions += [
        Observation.report_id.in_(
            select(DiagnosticReport.id).where(
                reference_condition(DiagnosticReport.patient_id, occ, "Patient")
            )
        )
        for occ in query.get("patient")
    ]
    return conditions


@router.get("/Observation")
def search_observations(request: Request, session: DbSession, fhir_base: FhirBase) -> FHIRResponse:
    query = parse_request(request, SEARCH_PARAMS)
    statement = (
        select(Observation)
        .where(*observation_conditions(query))
        .options(joinedload(Observation.report))
    )
    order = [Observation.report_id, Observation.position]
    return search_response(
        session, fhir_base, "Observation", query, statement, order, observation_resource
    )


@router.get("/Observation/{resource_id}")
def read_observation(resource_id: str, session: DbSession) -> FHIRResponse:
    return read_response(session, Observation, "Observation", resource_id, observation_resource)
