"""``/fhir/Slot``: bookable intervals, searched by schedule, status and start time."""

from __future__ import annotations

from fastapi import APIRouter, Request
from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import joinedload

from common import fhir_contract as systems
from sandbox.hospital.api.deps import DbSession, FhirBase
from sandbox.hospital.api.schedule import actor_condition, service_type_condition
from sandbox.hospital.api.searching import (
    ResourceCapability,
    parse_request,
    read_response,
    search_response,
)
from sandbox.hospital.fhir.response import FHIRResponse
from sandbox.hospital.fhir.scheduling import slot_resource
from sandbox.hospital.models import Schedule, Slot
from sandbox.hospital.search.filters import date_condition, id_condition, reference_condition
from sandbox.hospital.search.params import (
    ID_PARAM,
    InvalidSearch,
    Occurrence,
    ParamType,
    SearchParam,
    SearchQuery,
)

SLOT_STATUSES = frozenset(
    {"free", "busy", "busy-unavailable", "busy-tentative", "entered-in-error"}
)

SEARCH_PARAMS = (
    ID_PARAM,
    SearchParam(
        "schedule", ParamType.REFERENCE, "Schedule/x or x; comma-separated values are OR'ed"
    ),
    SearchParam(
        "schedule.actor",
        ParamType.REFERENCE,
        "Chained: slots of schedules whose actor is PractitionerRole/x, HealthcareService/y "
        "or Practitioner/z",
    ),
    SearchParam("status", ParamType.TOKEN, "free | busy | busy-unavailable | busy-tentative"),
    SearchParam(
        "start",
        ParamType.DATE,
        "Prefixes eq, ne, ge, gt, le, lt, sa, eb; may repeat; date or dateTime, +08:00 if no "
        "offset",
    ),
    SearchParam("service-type", ParamType.TOKEN, f"Department type code in {systems.DEPARTMENT}"),
)
CAPABILITY = ResourceCapability("Slot", SEARCH_PARAMS)

router = APIRouter(tags=["Slot"])


def status_condition(occ: Occurrence) -> ColumnElement[bool]:
    codes = [value.rpartition("|")[2] for value in occ.values]
    unknown = set(codes) - SLOT_STATUSES
    if unknown:
        raise InvalidSearch(f"unknown slot status {sorted(unknown)}; use one of free, busy, ...")
    return Slot.status.in_(codes)


def slot_conditions(query: SearchQuery) -> list[ColumnElement[bool]]:
    conditions = [id_condition(Slot.id, occ) for occ in query.get("_id")]
    conditions += [
        reference_condition(Slot.schedule_id, occ, "Schedule") for occ in query.get("schedule")
    ]
    conditions += [
        Slot.schedule_id.in_(select(Schedule.id).where(actor_condition(occ)))
        for occ in query.get("schedule.actor")
    ]
    conditions += [
        Slot.schedule_id.in_(select(Schedule.id).where(service_type_condition(occ)))
        for occ in query.get("service-type")
    ]
    conditions += [status_condition(occ) for occ in query.get("status")]
    conditions += [date_condition(Slot.start, occ) for occ in query.get("start")]
    return conditions


@router.get("/Slot")
def search_slots(request: Request, session: DbSession, fhir_base: FhirBase) -> FHIRResponse:
    query = parse_request(request, SEARCH_PARAMS)
    statement = (
        select(Slot)
        .where(*slot_conditions(query))
        .options(joinedload(Slot.schedule).joinedload(Schedule.department))
    )
    return search_response(
        session, fhir_base, "Slot", query, statement, [Slot.start, Slot.id], slot_resource
    )


@router.get("/Slot/{resource_id}")
def read_slot(resource_id: str, session: DbSession) -> FHIRResponse:
    return read_response(session, Slot, "Slot", resource_id, slot_resource)
