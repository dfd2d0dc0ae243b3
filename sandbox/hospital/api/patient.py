"""``/fhir/Patient``: registration (建档) as a conditional create, search by identity document."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Header, Request
from sqlalchemy import ColumnElement, and_, select

from common import fhir_contract as systems
from sandbox.hospital.api.deps import DbSession, FhirBase, Now
from sandbox.hospital.api.searching import (
    ResourceCapability,
    parse_request,
    read_response,
    search_response,
)
from sandbox.hospital.booking.identity import normalize_document_number
from sandbox.hospital.booking.patients import register_patient
from sandbox.hospital.fhir.conditional import parse_if_none_exist
from sandbox.hospital.fhir.patient import new_patient_from_fhir, patient_resource
from sandbox.hospital.fhir.response import FHIRResponse
from sandbox.hospital.models import Patient
from sandbox.hospital.search.filters import CodeMatcher, id_condition, token_condition
from sandbox.hospital.search.params import ID_PARAM, ParamType, SearchParam, SearchQuery

SEARCH_PARAMS = (
    ID_PARAM,
    SearchParam(
        "identifier",
        ParamType.TOKEN,
        f"<system>|<number>, system one of {', '.join(systems.PATIENT_IDENTIFIER_SYSTEMS)}",
    ),
)
CAPABILITY = ResourceCapability(
    "Patient",
    SEARCH_PARAMS,
    interactions=("read", "search-type", "create"),
    conditional_create=True,
)

router = APIRouter(tags=["Patient"])


def _identifier_matcher(system: str) -> CodeMatcher:
    def matches(value: str) -> ColumnElement[bool]:
        return and_(
            Patient.identifier_system == system,
            Patient.identifier_value == normalize_document_number(value),
        )

    return matches


def patient_conditions(query: SearchQuery) -> list[ColumnElement[bool]]:
    conditions = [id_condition(Patient.id, occ) for occ in query.get("_id")]
    identifier_systems = {
        system: _identifier_matcher(system) for system in systems.PATIENT_IDENTIFIER_SYSTEMS
    }
    conditions += [token_condition(occ, identifier_systems) for occ in query.get("identifier")]
    return conditions


@router.get("/Patient")
def search_patients(request: Request, session: DbSession, fhir_base: FhirBase) -> FHIRResponse:
    query = parse_request(request, SEARCH_PARAMS)
    statement = select(Patient).where(*patient_conditions(query))
    return search_response(
        session, fhir_base, "Patient", query, statement, [Patient.id], patient_resource
    )


@router.get("/Patient/{resource_id}")
def read_patient(resource_id: str, session: DbSession) -> FHIRResponse:
    return read_response(session, Patient, "Patient", resource_id, patient_resource)


@router.post("/Patient")
def create_patient(
    body: Annotated[Any, Body()],
    session: DbSession,
    fhir_base: FhirBase,
    now: Now,
    if_none_exist: Annotated[str | None, Header(alias="If-None-Exist")] = None,
) -> FHIRResponse:
    """201 with the new Patient; 200 with the existing one when If-None-Exist matches."""
    new = new_patient_from_fhir(body)
    criteria = parse_if_none_exist(if_none_exist) if if_none_exist else None
    patient, created = register_patient(session, new, criteria, now)
    if not created:
        return FHIRResponse(patient_resource(patient))
    return FHIRResponse(
        patient_resource(patient),
        status_code=201,
        headers={"Location": f"{fhir_base}/Patient/{patient.id}"},
    )
