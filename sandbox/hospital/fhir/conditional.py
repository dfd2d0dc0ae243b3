"""Conditional create (https://hl7.org/fhir/R4/http.html#ccreate): the ``If-None-Exist`` header.

Only ``identifier=<system>|<value>`` is supported: it is how clients make creates idempotent.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl

from sandbox.hospital.fhir.outcome import invalid


@dataclass(frozen=True)
class IdentifierCriteria:
    system: str
    value: str


def parse_if_none_exist(header: str) -> IdentifierCriteria:
    """Parse ``identifier=system|value`` (URL-encoded or not); anything else is a 400."""
    try:
        pairs = parse_qsl(header.strip().lstrip("?"), keep_blank_values=True, strict_parsing=True)
    except ValueError:
        raise invalid(f"If-None-Exist is not a search query: {header!r}") from None
    if len(pairs) != 1 or pairs[0][0] != "identifier":
        raise invalid("If-None-Exist supports exactly one parameter: identifier=<system>|<value>")
    system, separator, value = pairs[0][1].partition("|")
    if not separator or not system or not value:
        raise invalid("If-None-Exist identifier must be <system>|<value>")
    return IdentifierCriteria(system, value)
