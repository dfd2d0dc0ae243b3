"""``/fhir/DiagnosticReport``: a patient's lab and imaging reports, and the feed of changed
reports (``_lastUpdated``), optionally with their Observations (``_include``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import joinedload, selectinload

from common import fhir_contract as systems
from sandbox.hospital.api.deps import DbSession, FhirBase
from sandbox.hospital.api.searching import (
    ResourceCapability,
    parse_request,
    read_response,
    search_page,
)
from sandbox.hospital.fhir.bundle import searchset
from sandbox.hospital.fhir.observation import observation_resource
from sandbox.hospital.fhir.report import REPORT_STATUSES, diagnostic_report_resource
from sandbox.hospital.fhir.response import FHIRResponse
from sandbox.hospital.models import DiagnosticReport
from sandbox.hospital.reports.dictionary import codes_in_category, codes_with_loinc
from sandbox.hospital.search.filters import (
    date_condition,
    id_condition,
    reference_condition,
    token_condition,
)
from sandbox.hospital.search.params import (
    ID_PARAM,
    InvalidSearch,
    Occurrence,
    ParamType,
    SearchParam,
    SearchQuery,
)

INCLUDE_RESULTS = "DiagnosticReport:result"

SEARCH_PARAMS = (
    ID_PARAM,
    SearchParam("patient", ParamType.REFERENCE, "Patient/x or x"),
    SearchParam(
        "status",
        ParamType.TOKEN,
        "registered | partial | preliminary | final | amended | corrected | ...; "
        "comma-separated values are OR'ed",
    ),
    SearchParam(
        "category", ParamType.TOKEN, f"LAB or RAD, with or without {systems.REPORT_CATEGORY}|"
    ),
    SearchParam(
        "code",
        ParamType.TOKEN,
        f"Test code (CBC, or {systems.TEST_CODE}|CBC) or {systems.LOINC}|<code>",
    ),
    SearchParam(
        "date",
        ParamType.DATE,
        "When the specimen was taken or the exam done; prefixes eq, ne, ge, gt, le, lt, sa, eb; "
        "+08:00 if no offset",
    ),
    SearchParam(
        "_lastUpdated",
        ParamType.DATE,
        "meta.lastUpdated, e.g. gt<instant> with _sort=_lastUpdated to follow changes",
    ),
)
# Parsed like a parameter so that paging links carry it; the capability lists it under
# searchInclude instead.
_INCLUDE_PARAM = SearchParam("_include", ParamType.TOKEN, INCLUDE_RESULTS)
# Reading every patient's reports at once is refused: a search names a patient or is a feed.
_SCOPING_PARAMS = ("patient", "_lastUpdated")
SORT_KEYS = {
    "date": (DiagnosticReport.effective, DiagnosticReport.id),
    "_lastUpdated": (DiagnosticReport.last_updated, DiagnosticReport.id),
}
DEFAULT_SORT = ("-date",)
CAPABILITY = ResourceCapability(
    "DiagnosticReport",
    SEARCH_PARAMS,
    sort_params=tuple(SORT_KEYS),
    search_includes=(INCLUDE_RESULTS,),
)

router = APIRouter(tags=["DiagnosticReport"])


def status_condition(occ: Occurrence) -> ColumnElement[bool]:
    codes = [value.rpartition("|")[2] for value in occ.values]
    unknown = set(codes) - REPORT_STATUSES
    if unknown:
        raise InvalidSearch(f"unknown report status {sorted(unknown)}")
    return DiagnosticReport.status.in_(codes)


def category_condition(occ: Occurrence) -> ColumnElement[bool]:
    def in_category(code: str) -> ColumnElement[bool]:
        return DiagnosticReport.test_code.in_(codes_in_category(code))

    return token_condition(occ, {systems.REPORT_CATEGORY: in_category})


def code_condition(occ: Occurrence) -> ColumnElement[bool]:
    def is_test(code: str) -> ColumnElement[bool]:
        return DiagnosticReport.test_code == code

    def has_loinc(code: str) -> ColumnElement[bool]:
        return DiagnosticReport.test_code.in_(codes_with_loinc(code))

    return token_condition(occ, {systems.TEST_CODE: is_test, systems.LOINC: has_loinc})


def report_conditions(query: SearchQuery) -> list[ColumnElement[bool]]:
    if not any(query.get(name) for name in _SCOPING_PARAMS):
        raise InvalidSearch("a DiagnosticReport search needs patient or _lastUpdated")
    conditions = [id_condition(DiagnosticReport.id, occ) for occ in query.get("_id")]
    conditions += [
        reference_condition(DiagnosticReport.patient_id, occ, "Patient")
        for occ in query.get("patient")
    ]
    conditions += [status_condition(occ) for occ in query.get("status")]
    conditions += [category_condition(occ) for occ in query.get("category")]
    conditions += [code_condition(occ) for occ in query.get("code")]
    conditions += [date_condition(DiagnosticReport.effective, occ) for occ in query.get("date")]
    conditions += [
        date_condition(DiagnosticReport.last_updated, occ) for occ in query.get("_lastUpdated")
    ]
    return conditions


def sort_order(query: SearchQuery) -> list[Any]:
    """ORDER BY for ``_sort`` (default: newest first)."""
    order: list[Any] = []
    for key in query.sort or DEFAULT_SORT:
        columns = SORT_KEYS.get(key.removeprefix("-"))
        if columns is None:
            raise InvalidSearch(f"cannot sort reports by {key!r}; use date or _lastUpdated")
        order += [c.desc() if key.startswith("-") else c.asc() for c in columns]
    return order


def includes_results(query: SearchQuery) -> bool:
    values = {value for occ in query.get("_include") for value in occ.values}
    unsupported = values - {INCLUDE_RESULTS, f"{INCLUDE_RESULTS}:Observation"}
    if unsupported:
        raise InvalidSearch(f"_include supports only {INCLUDE_RESULTS}, not {sorted(unsupported)}")
    return bool(values)


@router.get("/DiagnosticReport")
def search_reports(request: Request, session: DbSession, fhir_base: FhirBase) -> FHIRResponse:
    query = parse_request(request, (*SEARCH_PARAMS, _INCLUDE_PARAM))
    include = includes_results(query)
    statement = (
        select(DiagnosticReport)
        .where(*report_conditions(query))
        .options(joinedload(DiagnosticReport.institution), selectinload(DiagnosticReport.results))
    )
    rows, total = search_page(session, query, statement, sort_order(query))
    included = [observation_resource(o) for row in rows for o in row.results] if include else []
    reports = [diagnostic_report_resource(row) for row in rows]
    return FHIRResponse(searchset(fhir_base, "DiagnosticReport", reports, total, query, included))


@router.get("/DiagnosticReport/{resource_id}")
def read_report(resource_id: str, session: DbSession) -> FHIRResponse:
    return read_response(
        session, DiagnosticReport, "DiagnosticReport", resource_id, diagnostic_report_resource
    )
