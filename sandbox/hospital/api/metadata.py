"""``/fhir/metadata``: the CapabilityStatement (https://hl7.org/fhir/R4/capabilitystatement.html)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from fastapi import APIRouter
from fhir.resources.R4B.capabilitystatement import (
    CapabilityStatement,
    CapabilityStatementImplementation,
    CapabilityStatementRest,
    CapabilityStatementRestResource,
    CapabilityStatementRestResourceInteraction,
    CapabilityStatementRestResourceSearchParam,
    CapabilityStatementSoftware,
)

from common.fhir_contract import FHIR_VERSION
from sandbox.hospital.api.deps import FhirBase
from sandbox.hospital.api.searching import ResourceCapability
from sandbox.hospital.fhir.patch import JSON_PATCH
from sandbox.hospital.fhir.response import FHIR_JSON, FHIRResponse
from sandbox.hospital.settings import HOSPITAL_TZ

# Fixed so that the statement does not change between calls.
PUBLISHED = datetime(2026, 11, 23, tzinfo=HOSPITAL_TZ)


def metadata_router(capabilities: Sequence[ResourceCapability]) -> APIRouter:
    router = APIRouter(tags=["metadata"])

    @router.get("/metadata")
    def capability_statement(fhir_base: FhirBase) -> FHIRResponse:
        return FHIRResponse(build_capability_statement(capabilities, fhir_base))

    return router


def build_capability_statement(
    capabilities: Sequence[ResourceCapability], fhir_base: str
) -> CapabilityStatement:
    resources = [_resource(capability) for capability in capabilities]
    common = [
        CapabilityStatementRestResourceSearchParam(
            name="_count", type="number", documentation="Page size, default 50, max 500"
        ),
        CapabilityStatementRestResourceSearchParam(
            name="_offset", type="number", documentation="Index of the first match, default 0"
        ),
    ]
    return CapabilityStatement(
        status="active",
        date=PUBLISHED,
        publisher="frontdoor sandbox",
        kind="instance",
        software=CapabilityStatementSoftware(name="frontdoor sandbox hospital"),
        implementation=CapabilityStatementImplementation(
            description="Fictional Guangzhou hospitals and community health centres",
            url=fhir_base,
        ),
        fhirVersion=FHIR_VERSION,
        format=[FHIR_JSON, "json"],
        patchFormat=[JSON_PATCH],
        rest=[CapabilityStatementRest(mode="server", resource=resources, searchParam=common)],
    )


def _resource(capability: ResourceCapability) -> CapabilityStatementRestResource:
    params = [
        CapabilityStatementRestResourceSearchParam(
            name=param.name, type=param.type.value, documentation=param.documentation
        )
        for param in capability.search_params
    ]
    if capability.sort_params:
        keys = ", ".join(capability.sort_params)
        params.append(
            CapabilityStatementRestResourceSearchParam(
                name="_sort",
                type="special",
                documentation=f"Sort by {keys} (prefix '-' for descending)",
            )
        )
    return CapabilityStatementRestResource(
        type=capability.type,
        interaction=[
            CapabilityStatementRestResourceInteraction(code=code)
            for code in capability.interactions
        ],
        conditionalCreate=capability.conditional_create or None,
        searchInclude=list(capability.search_includes) or None,
        searchParam=params,
    )
