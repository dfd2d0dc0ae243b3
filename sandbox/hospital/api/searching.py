"""Shared plumbing of search interactions: parse parameters, count, page, wrap in a Bundle."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from fastapi import Request
from fhir.resources.R4B.resource import Resource
from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from sandbox.hospital.fhir.bundle import searchset
from sandbox.hospital.fhir.outcome import not_found
from sandbox.hospital.fhir.response import FHIRResponse
from sandbox.hospital.search.params import SearchParam, SearchQuery, parse_search

Row = TypeVar("Row")

FHIR_ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")


READ_AND_SEARCH = ("read", "search-type")


@dataclass(frozen=True)
class ResourceCapability:
    """What the CapabilityStatement says about one resource type."""

    type: str
    search_params: Sequence[SearchParam]
    interactions: Sequence[str] = READ_AND_SEARCH  # FHIR type-restful-interaction codes
    conditional_create: bool = False  # If-None-Exist on create
    sort_params: Sequence[str] = ()  # values accepted by _sort (each also with a "-" prefix)
    search_includes: Sequence[str] = ()  # values accepted by _include, e.g. "Type:param"


def parse_request(request: Request, supported: Sequence[SearchParam]) -> SearchQuery:
    return parse_search(request.query_params.multi_items(), supported)


def search_response(
    session: Session,
    fhir_base: str,
    resource_type: str,
    query: SearchQuery,
    statement: Select[Row],
    order_by: Sequence[InstrumentedAttribute[Any] | ColumnElement[Any]],
    to_resource: Callable[[Row], Resource],
) -> FHIRResponse:
    """Run a filtered ``statement`` for one page and return the searchset Bundle."""
    rows, total = search_page(session, query, statement, order_by)
    resources = [to_resource(row) for row in rows]
    return FHIRResponse(searchset(fhir_base, resource_type, resources, total, query))


def search_page(
    session: Session,
    query: SearchQuery,
    statement: Select[Row],
    order_by: Sequence[InstrumentedAttribute[Any] | ColumnElement[Any]],
) -> tuple[Sequence[Row], int]:
    """The rows of the requested page and the total number of matches."""
    total = session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
    rows: Sequence[Row] = ()
    if query.count:
        page = statement.order_by(*order_by).limit(query.count).offset(query.offset)
        rows = session.scalars(page).unique().all()
    return rows, total or 0


def read_response(
    session: Session,
    model: type[Row],
    resource_type: str,
    resource_id: str,
    to_resource: Callable[[Row], Resource],
) -> FHIRResponse:
    # Ids outside FHIR's id syntax cannot exist; checking first also keeps NULs away from SQL.
    row = session.get(model, resource_id) if FHIR_ID.fullmatch(resource_id) else None
    if row is None:
        raise not_found(resource_type, resource_id)
    return FHIRResponse(to_resource(row))
