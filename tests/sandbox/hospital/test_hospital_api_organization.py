"""``/fhir/Organization`` search and read."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from hospital_fhir_checks import SearchFn, ids, validate_resource

from sandbox.hospital.catalogue import INSTITUTIONS

KIND = "urn:frontdoor:institution-kind"
ORG_TYPE = "http://terminology.hl7.org/CodeSystem/organization-type"


@pytest.mark.parametrize(
    ("params", "expected_total"),
    [
        ({"address": "荔湾"}, 6),
        ({"address": "荔湾区"}, 6),
        ({"address": "越秀"}, 2),
        ({"type": "community-health-centre"}, 5),
        ({"type": f"{KIND}|hospital"}, 5),
        ({"type": f"{ORG_TYPE}|prov"}, 10),
        ({"type": "urn:other|hospital"}, 0),
        ({"type": "hospital,community-health-centre"}, 10),
        ({"address": "荔湾", "type": "community-health-centre"}, 3),
        ({"address-city": "广州"}, 10),
        ({"address-city": "深圳"}, 0),
        ({"name": "荔枝湾"}, 1),
        ({"name": "中心"}, 0),  # string search is starts-with by default
        ({"name:contains": "中心"}, 6),
        ({"name:exact": "西关康宁医院"}, 1),
        ({"name:exact": "西关康宁"}, 0),
        ({"name": "康宁"}, 1),  # matches the alias 康宁医院
        ({"_id": "lw-tcm-hospital,yx-yunquan-chc"}, 2),
        ({"colour": "red"}, 10),  # unknown parameters are ignored
    ],
)
async def test_search_filters(
    search: SearchFn, params: dict[str, str], expected_total: int
) -> None:
    bundle = await search("/fhir/Organization", params)
    assert bundle["total"] == expected_total
    assert len(ids(bundle)) == expected_total


async def test_district_filter_returns_the_lizhiwan_institutions(search: SearchFn) -> None:
    bundle = await search("/fhir/Organization", {"address": "荔湾"})
    expected = sorted(i.id for i in INSTITUTIONS if i.district == "荔湾区")
    assert ids(bundle) == expected
    for entry in bundle["entry"]:
        assert entry["resource"]["address"][0]["district"] == "荔湾区"


async def test_paging_walks_all_results_once(search: SearchFn, client: httpx.AsyncClient) -> None:
    bundle = await search("/fhir/Organization", {"_count": "3"})
    seen = ids(bundle)
    pages = 1
    assert bundle["total"] == 10
    while next_url := _link(bundle, "next"):
        assert parse_qs(urlsplit(next_url).query)["_count"] == ["3"]
        bundle = await search(next_url)
        assert _link(bundle, "previous") is not None
        seen += ids(bundle)
        pages += 1
    assert pages == 4
    assert seen == sorted(i.id for i in INSTITUTIONS)


async def test_links_keep_the_search(search: SearchFn) -> None:
    bundle = await search("/fhir/Organization", {"type": "hospital", "_count": "2", "_offset": "2"})
    self_query = parse_qs(urlsplit(_link(bundle, "self") or "").query)
    next_query = parse_qs(urlsplit(_link(bundle, "next") or "").query)
    assert self_query == {"type": ["hospital"], "_count": ["2"], "_offset": ["2"]}
    assert next_query == {"type": ["hospital"], "_count": ["2"], "_offset": ["4"]}
    assert _link(bundle, "self", absolute=True)


async def test_count_zero_returns_only_the_total(search: SearchFn) -> None:
    bundle = await search("/fhir/Organization", {"_count": "0"})
    assert bundle["total"] == 10
    assert "entry" not in bundle


async def test_read_organization(client: httpx.AsyncClient) -> None:
    response = await client.get("/fhir/Organization/lw-lizhiwan-hospital")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/fhir+json")
    org = response.json()
    validate_resource(org)
    assert org["name"] == "荔枝湾中心医院"
    codings = {(c["system"], c["code"]) for c in org["type"][0]["coding"]}
    assert codings == {(ORG_TYPE, "prov"), (KIND, "hospital")}
    address = org["address"][0]
    assert (address["district"], address["city"], address["state"]) == (
        "荔湾区",
        "广州市",
        "广东省",
    )
    assert address["postalCode"] and address["line"]
    assert org["telecom"][0]["system"] == "phone" and org["telecom"][0]["value"].startswith("020-")
    grade = {e["url"]: e["valueString"] for e in org["extension"]}
    assert grade["urn:frontdoor:institution-grade"] == "三级甲等"


def _link(bundle: dict[str, Any], relation: str, absolute: bool = False) -> str | None:
    for link in bundle.get("link", []):
        if link["relation"] == relation:
            url: str = link["url"]
            if absolute:
                assert url.startswith("http://hospital.test/fhir/")
            return url
    return None
