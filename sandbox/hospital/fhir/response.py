"""HTTP response carrying a FHIR resource as ``application/fhir+json``."""

from __future__ import annotations

from typing import Any

from fastapi.responses import Response
from fhir.resources.R4B.resource import Resource

FHIR_JSON = "application/fhir+json"


class FHIRResponse(Response):
    media_type = FHIR_JSON

    def __init__(self, resource: Resource, status_code: int = 200, **kwargs: Any) -> None:
        super().__init__(content=resource.model_dump_json(), status_code=status_code, **kwargs)
