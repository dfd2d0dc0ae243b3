"""Searchset Bundles (https://hl7.org/fhir/R4/bundle.html) with offset-based paging links."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlencode

from fhir.resources.R4B.bundle import Bundle, BundleEntry, BundleEntrySearch, BundleLink
from fhir.resources.R4B.resource import Resource

from sandbox.hospital.search.params import SearchQuery


def searchset(
    base_url: str,
    resource_type: str,
    resources: Sequence[Resource],
    total: int,
    query: SearchQuery,
    included: Sequence[Resource] = (),
) -> Bundle:
    """Bundle of one page of matches and the resources ``_include`` asked for beside them;
    ``base_url`` is the FHIR base, e.g. ``http://h/fhir``."""
    search_url = f"{base_url}/{resource_type}"
    links = [BundleLink(relation="self", url=_page_url(search_url, query, query.offset))]
    if query.count and query.offset + query.count < total:
        next_url = _page_url(search_url, query, query.offset + query.count)
        links.append(BundleLink(relation="next", url=next_url))
    if query.offset > 0 and query.count:
        previous_url = _page_url(search_url, query, max(query.offset - query.count, 0))
        links.append(BundleLink(relation="previous", url=previous_url))
    entries = [_entry(base_url, resource, "match") for resource in resources]
    entries += [_entry(base_url, resource, "include") for resource in included]
    return Bundle(type="searchset", total=total, link=links, entry=entries or None)


def _entry(base_url: str, resource: Resource, mode: str) -> BundleEntry:
    return BundleEntry(
        fullUrl=f"{base_url}/{resource.get_resource_type()}/{resource.id}",
        resource=resource,
        search=BundleEntrySearch(mode=mode),
    )


def _page_url(search_url: str, query: SearchQuery, offset: int) -> str:
    return f"{search_url}?{urlencode(query.link_params(offset))}"
