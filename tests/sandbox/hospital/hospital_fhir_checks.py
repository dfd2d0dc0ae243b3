"""Helpers shared by the sandbox hospital API tests (unique module name: tests have no packages)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fhir.resources.R4B import get_fhir_model_class

FHIR_JSON = "application/fhir+json"

SearchFn = Callable[..., Awaitable[dict[str, Any]]]


def validate_resource(data: dict[str, Any]) -> Any:
    """Parse a resource back with its ``fhir.resources.R4B`` model (raises if malformed)."""
    return get_fhir_model_class(data["resourceType"]).model_validate(data)


def ids(bundle: dict[str, Any]) -> list[str]:
    return [entry["resource"]["id"] for entry in bundle.get("entry", [])]
