"""``/fhir/Appointment``: book a slot (conditional create), list, read, and change status by
JSON Patch (cancel; no-show / fulfilled by the hospital)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Header, Request
from sqlalchemy import ColumnElement, and_, or_, select

from sandbox.hospital.api.deps import DbSession, FhirBase, Now, Policy
from sandbox.hospital.api.searching import (
    FHIR_ID,
    ResourceCapability,
    parse_request,
    search_response,
)
from sandbox.hospital.booking import appointments
from sandbox.hospital.fhir.appointment import (
    APPOINTMENT_STATUSES,
    appointment_resource,
    booking_request_from_fhir,
)
from sandbox.hospital.fhir.conditional import parse_if_none_exist
from sandbox.hospital.fhir.outcome import FHIRError, invalid, not_found
from sandbox.hospital.fhir.patch import JSON_PATCH, status_change_from_patch
from sandbox.hospital.fhir.response import FHIRResponse
from sandbox.hospital.models import Appointment
from sandbox.hospital.search.filters import date_condition, id_condition, reference_condition
from sandbox.hospital.search.params import (
    ID_PARAM,
    InvalidSearch,
    Occurrence,
    ParamType,
    SearchParam,
    SearchQuery,
)

SEARCH_PARAMS = (
    ID_PARAM,
    SearchParam("patient", ParamType.REFERENCE, "Patient/x or x"),
    SearchParam(
        "date",
        ParamType.DATE,
        "Appointment start; prefixes eq, ne, ge, gt, le, lt, sa, eb; +08:00 if no offset",
    ),
    SearchParam("status", ParamType.TOKEN, "booked | cancelled | noshow | fulfilled | ..."),
    SearchParam("slot", ParamType.REFERENCE, "Slot/x or x"),
    SearchParam("identifier", ParamType.TOKEN, "<system>|<value>, e.g. the booking request"),
)
SORT_KEYS = {"date": (Appointment.start, Appointment.id)}
CAPABILITY = ResourceCapability(
    "Appointment",
    SEARCH_PARAMS,
    interactions=("read", "search-type", "create", "patch"),
    conditional_create=True,
    sort_params=tuple(SORT_KEYS),
)

router = APIRouter(tags=["Appointment"])


def status_condition(occ: Occurrence) -> ColumnElement[bool]:
    codes = [value.rpartition("|")[2] for value in occ.values]
    unknown = set(codes) - APPOINTMENT_STATUSES
    if unknown:
        raise InvalidSearch(f"unknown appointment status {sorted(unknown)}")
    return Appointment.status.in_(codes)


def identifier_condition(occ: Occurrence) -> ColumnElement[bool]:
    clauses: list[ColumnElement[bool]] = []
    for value in occ.values:
        system, separator, key = value.partition("|")
        if not separator or not system or not key:
            raise InvalidSearch("Appointment identifier search needs <system>|<value>")
        clauses.append(and_(Appointment.request_system == system, Appointment.request_key == key))
    return or_(*clauses)


def appointment_conditions(query: SearchQuery) -> list[ColumnElement[bool]]:
    conditions = [id_condition(Appointment.id, occ) for occ in query.get("_id")]
    conditions += [
        reference_condition(Appointment.patient_id, occ, "Patient") for occ in query.get("patient")
    ]
    conditions += [
        reference_condition(Appointment.slot_id, occ, "Slot") for occ in query.get("slot")
    ]
    conditions += [status_condition(occ) for occ in query.get("status")]
    conditions += [date_condition(Appointment.start, occ) for occ in query.get("date")]
    conditions += [identifier_condition(occ) for occ in query.get("identifier")]
    return conditions


def sort_order(query: SearchQuery) -> list[Any]:
    """ORDER BY for ``_sort`` (default: by date, soonest first)."""
    order: list[Any] = []
    for key in query.sort or ("date",):
        columns = SORT_KEYS.get(key.removeprefix("-"))
        if columns is None:
            raise InvalidSearch(f"cannot sort appointments by {key!r}; use date or -date")
        order += [c.desc() if key.startswith("-") else c.asc() for c in columns]
    return order


@router.get("/Appointment")
def search_appointments(request: Request, session: DbSession, fhir_base: FhirBase) -> FHIRResponse:
    query = parse_request(request, SEARCH_PARAMS)
    statement = (
        select(Appointment)
        .where(*appointment_conditions(query))
        .options(*appointments.appointment_load_options())
    )
    return search_response(
        session, fhir_base, "Appointment", query, statement, sort_order(query), appointment_resource
    )


@router.get("/Appointment/{resource_id}")
def read_appointment(resource_id: str, session: DbSession) -> FHIRResponse:
    return FHIRResponse(appointment_resource(_existing(session, resource_id)))


@router.post("/Appointment")
def create_appointment(
    body: Annotated[Any, Body()],
    session: DbSession,
    fhir_base: FhirBase,
    now: Now,
    policy: Policy,
    if_none_exist: Annotated[str | None, Header(alias="If-None-Exist")] = None,
) -> FHIRResponse:
    """201 with the booked Appointment; 200 with the earlier one when If-None-Exist matches;
    409 when the slot is taken; 422 (business-rule) when a booking rule refuses it."""
    request = booking_request_from_fhir(body)
    conditional = if_none_exist is not None
    if if_none_exist is not None:
        criteria = parse_if_none_exist(if_none_exist)
        if criteria != request.identifier:
            raise invalid("If-None-Exist must name the Appointment's own identifier")
    appointment, created = appointments.book(
        session, request, conditional=conditional, now=now, policy=policy
    )
    if not created:
        return FHIRResponse(appointment_resource(appointment))
    return FHIRResponse(
        appointment_resource(appointment),
        status_code=201,
        headers={"Location": f"{fhir_base}/Appointment/{appointment.id}"},
    )


@router.patch("/Appointment/{resource_id}")
def patch_appointment(
    resource_id: str,
    body: Annotated[Any, Body()],
    session: DbSession,
    now: Now,
    content_type: Annotated[str | None, Header()] = None,
) -> FHIRResponse:
    """Status changes only; repeating one (e.g. cancelling twice) returns it unchanged."""
    if (content_type or "").split(";")[0].strip().lower() != JSON_PATCH:
        raise FHIRError(415, "not-supported", f"PATCH bodies must be {JSON_PATCH}")
    _existing(session, resource_id)
    change = status_change_from_patch(body)
    appointment = appointments.change_status(session, resource_id, change, now)
    return FHIRResponse(appointment_resource(appointment))


def _existing(session: DbSession, resource_id: str) -> Appointment:
    row = (
        appointments.load_appointment(session, resource_id)
        if FHIR_ID.fullmatch(resource_id)
        else None
    )
    if row is None:
        raise not_found("Appointment", resource_id)
    return row
