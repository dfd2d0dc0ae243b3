"""Async client for the hospital's FHIR R4 REST API.

It owns one `httpx.AsyncClient` (base URL, timeouts), retries idempotent reads on connection
errors and 5xx answers, follows searchset paging, and maps failures to `integrations.his.errors`.
FHIR search: https://hl7.org/fhir/R4/search.html
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from types import TracebackType
from typing import Any

import httpx
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.healthcareservice import HealthcareService
from fhir.resources.R4B.organization import Organization
from pydantic import ValidationError

from integrations.his.errors import HISError, HISNotFound, HISUnavailable
from integrations.his.fhir_mapping import (
    INSTITUTION_KIND_SYSTEM,
    department_from_fhir,
    institution_from_fhir,
)
from integrations.his.models import Department, Institution, InstitutionKind

logger = logging.getLogger(__name__)

FHIR_JSON = "application/fhir+json"
_PAGE_SIZE = 100
_MAX_PAGES = 20  # a guard against a server whose `next` links never end


class HISClient:
    """Reads institutions and departments from a FHIR server at `base_url` (e.g. .../fhir)."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = 3.0,
        retries: int = 2,
        backoff: float = 0.2,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._retries = retries
        self._backoff = backoff
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip("/") + "/",
            timeout=httpx.Timeout(timeout),
            headers={"Accept": FHIR_JSON},
            transport=transport,
        )

    async def __aenter__(self) -> HISClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def search_institutions(
        self,
        *,
        district: str | None = None,
        kind: InstitutionKind | None = None,
        name_contains: str | None = None,
    ) -> list[Institution]:
        params: dict[str, str] = {}
        if district:
            params["address"] = district
        if kind:
            params["type"] = f"{INSTITUTION_KIND_SYSTEM}|{kind.value}"
        if name_contains:
            params["name:contains"] = name_contains
        resources = await self._search("Organization", params)
        return [institution_from_fhir(r) for r in resources if isinstance(r, Organization)]

    async def get_institution(self, institution_id: str) -> Institution:
        data = await self._get_json(f"Organization/{institution_id}", {})
        try:
            org = Organization.model_validate(data)
        except ValidationError as exc:
            raise HISError(f"invalid Organization {institution_id}: {exc}") from exc
        return institution_from_fhir(org)

    async def list_departments(self, institution_ids: Sequence[str]) -> list[Department]:
        if not institution_ids:
            return []
        params = {"organization": ",".join(f"Organization/{i}" for i in institution_ids)}
        resources = await self._search("HealthcareService", params)
        return [department_from_fhir(r) for r in resources if isinstance(r, HealthcareService)]

    async def _search(self, resource_type: str, params: dict[str, str]) -> list[Any]:
        """Run a FHIR search and return the matched resources of every page."""
        resources: list[Any] = []
        url: str = resource_type
        query: dict[str, str] = {**params, "_count": str(_PAGE_SIZE)}
        for _ in range(_MAX_PAGES):
            data = await self._get_json(url, query)
            try:
                bundle = Bundle.model_validate(data)
            except ValidationError as exc:
                raise HISError(f"invalid {resource_type} search bundle: {exc}") from exc
            resources.extend(
                entry.resource
                for entry in bundle.entry or []
                if entry.resource is not None
                and (entry.search is None or entry.search.mode in (None, "match"))
            )
            next_url = next(
                (link.url for link in bundle.link or [] if link.relation == "next"), None
            )
            if not next_url:
                return resources
            url, query = str(next_url), {}
        logger.warning("FHIR search for %s stopped after %d pages", resource_type, _MAX_PAGES)
        return resources

    async def _get_json(self, url: str, params: dict[str, str]) -> Any:
        """GET with retries; reads are idempotent, so retrying is safe."""
        last_error: Exception | None = None
        for attempt in range(self._retries + 1):
            if attempt:
                await asyncio.sleep(self._backoff * 2 ** (attempt - 1))
            try:
                response = await self._http.get(url, params=params)
            except httpx.TransportError as exc:
                last_error = exc
                logger.warning("HIS request %s failed (%s), attempt %d", url, exc, attempt + 1)
                continue
            if response.status_code >= 500:
                last_error = HISUnavailable(f"HIS answered {response.status_code} for {url}")
                logger.warning(
                    "HIS answered %d for %s, attempt %d", response.status_code, url, attempt + 1
                )
                continue
            if response.status_code == 404:
                raise HISNotFound(f"{url} not found")
            if response.status_code >= 400:
                raise HISError(f"HIS rejected {url}: {response.status_code} {response.text[:200]}")
            try:
                return response.json()
            except ValueError as exc:
                raise HISError(f"HIS answered non-JSON for {url}") from exc
        raise HISUnavailable(f"HIS unreachable for {url}: {last_error}") from last_error
