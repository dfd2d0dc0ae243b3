"""Map every error to an OperationOutcome, so clients never get an HTML or bare-JSON error."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException

from sandbox.hospital.fhir.outcome import FHIRError, operation_outcome
from sandbox.hospital.fhir.response import FHIRResponse
from sandbox.hospital.search.params import InvalidSearch

logger = logging.getLogger(__name__)

_ISSUE_TYPES = {404: "not-found", 405: "not-supported", 400: "invalid", 415: "not-supported"}


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(FHIRError, _fhir_error)
    app.add_exception_handler(InvalidSearch, _invalid_search)
    app.add_exception_handler(RequestValidationError, _request_validation)
    app.add_exception_handler(HTTPException, _http_exception)
    app.add_exception_handler(Exception, _unexpected)


async def _fhir_error(_request: Request, exc: Exception) -> FHIRResponse:
    assert isinstance(exc, FHIRError)
    outcome = operation_outcome(
        exc.code, exc.diagnostics, reason=exc.reason, bookable_from=exc.bookable_from
    )
    return FHIRResponse(outcome, status_code=exc.status_code)


async def _invalid_search(_request: Request, exc: Exception) -> FHIRResponse:
    return FHIRResponse(operation_outcome("invalid", str(exc)), status_code=400)


async def _request_validation(_request: Request, exc: Exception) -> FHIRResponse:
    assert isinstance(exc, RequestValidationError)
    return FHIRResponse(operation_outcome("invalid", str(exc.errors())), status_code=400)


async def _http_exception(request: Request, exc: Exception) -> FHIRResponse:
    assert isinstance(exc, HTTPException)
    diagnostics = str(exc.detail)
    if exc.status_code == 404:
        diagnostics = f"no resource type or operation at {request.url.path}"
    code = _ISSUE_TYPES.get(exc.status_code, "processing")
    return FHIRResponse(
        operation_outcome(code, diagnostics), status_code=exc.status_code, headers=exc.headers
    )


async def _unexpected(request: Request, exc: Exception) -> FHIRResponse:
    logger.exception("unhandled error on %s", request.url.path, exc_info=exc)
    return FHIRResponse(operation_outcome("exception", "internal server error"), status_code=500)
