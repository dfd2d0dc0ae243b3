"""Helpers of the report tests: the demo patients, searchset fetching with ``_include`` entries,
and small accessors of FHIR report JSON. (A unique module name: tests have no packages.)"""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Any

import httpx
from hospital_fhir_checks import FHIR_JSON, validate_resource

from common import fhir_contract as systems
from sandbox.hospital.reports.demo import DEMO_PATIENTS

ELDER = DEMO_PATIENTS["elder"]
WOMAN = DEMO_PATIENTS["woman"]
CHILD = DEMO_PATIENTS["child"]


async def fetch_bundle(client: httpx.AsyncClient, url: str, params: Any = None) -> dict[str, Any]:
    """GET a search, check it is a valid searchset with match and include entries only."""
    response = await client.get(url, params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(FHIR_JSON)
    bundle: dict[str, Any] = response.json()
    validate_resource(bundle)
    assert bundle["type"] == "searchset"
    for entry in bundle.get("entry", []):
        resource = entry["resource"]
        validate_resource(resource)
        assert entry["search"]["mode"] in ("match", "include")
        assert entry["fullUrl"].endswith(f"/fhir/{resource['resourceType']}/{resource['id']}")
    return bundle


def matches(bundle: dict[str, Any]) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle.get("entry", []) if e["search"]["mode"] == "match"]


def included(bundle: dict[str, Any]) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle.get("entry", []) if e["search"]["mode"] == "include"]


def match_ids(bundle: dict[str, Any]) -> list[str]:
    return [resource["id"] for resource in matches(bundle)]


def next_url(bundle: dict[str, Any]) -> str | None:
    return next((link["url"] for link in bundle["link"] if link["relation"] == "next"), None)


def code_of(resource: dict[str, Any]) -> str:
    """The urn:frontdoor:test code of a DiagnosticReport or Observation."""
    return next(c["code"] for c in resource["code"]["coding"] if c["system"] == systems.TEST_CODE)


def flag(observation: dict[str, Any]) -> str:
    coding = observation["interpretation"][0]["coding"][0]
    assert coding["system"] == systems.OBSERVATION_INTERPRETATION
    code: str = coding["code"]
    return code


def value(observation: dict[str, Any]) -> Any:
    if "valueQuantity" in observation:
        return observation["valueQuantity"]["value"]
    return observation["valueString"]


def instant(text: str) -> datetime:
    return datetime.fromisoformat(text)


def extension(resource: dict[str, Any], url: str) -> dict[str, Any] | None:
    return next((e for e in resource.get("extension", []) if e["url"] == url), None)


def findings_text(report: dict[str, Any]) -> str:
    (form,) = report["presentedForm"]
    return base64.b64decode(form["data"]).decode("utf-8")


async def results_of(client: httpx.AsyncClient, report: dict[str, Any]) -> dict[str, Any]:
    """Result code → Observation of a report, fetched by ``_id`` as a client would."""
    ids = [ref["reference"].removeprefix("Observation/") for ref in report.get("result", [])]
    if not ids:
        return {}
    bundle = await fetch_bundle(
        client, "/fhir/Observation", {"_id": ",".join(ids), "_count": "100"}
    )
    return {code_of(o): o for o in matches(bundle)}
