"""Parse a FHIR search query string into typed occurrences, paging and validation errors.

Unknown parameters are logged and ignored, as FHIR servers may do; malformed values of known
parameters raise :class:`InvalidSearch` (served as 400 OperationOutcome).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

logger = logging.getLogger(__name__)

DEFAULT_COUNT = 50
MAX_COUNT = 500
# Beyond this an offset cannot match anything and may overflow database integers.
MAX_OFFSET = 1_000_000_000
# Result-shaping parameters we accept but do not act on; not worth a warning.
_SILENTLY_IGNORED = frozenset({"_format", "_pretty"})
_UNESCAPED_COMMA = re.compile(r"(?<!\\),")
# PostgreSQL rejects NUL in text, and no legitimate value has control characters.
_CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")


class InvalidSearch(ValueError):
    """A search parameter value is malformed."""


class ParamType(StrEnum):
    """FHIR search parameter types (the ones this server needs)."""

    STRING = "string"
    TOKEN = "token"
    REFERENCE = "reference"
    DATE = "date"


STRING_MODIFIERS = frozenset({"contains", "exact"})


@dataclass(frozen=True)
class SearchParam:
    """A supported search parameter of one resource type (also listed in the capability)."""

    name: str
    type: ParamType
    documentation: str
    modifiers: frozenset[str] = field(default=frozenset())


ID_PARAM = SearchParam("_id", ParamType.TOKEN, "Logical id; comma-separated ids are OR'ed")


def string_param(name: str, documentation: str) -> SearchParam:
    return SearchParam(name, ParamType.STRING, documentation, STRING_MODIFIERS)


@dataclass(frozen=True)
class Occurrence:
    """One ``name[:modifier]=a,b`` pair: its values are OR'ed; occurrences are AND'ed."""

    modifier: str | None
    values: tuple[str, ...]


@dataclass(frozen=True)
class SearchQuery:
    """A validated search: parameter occurrences plus paging."""

    occurrences: Mapping[str, tuple[Occurrence, ...]]
    count: int = DEFAULT_COUNT
    offset: int = 0
    # ``_sort`` keys in order, "-" prefixed when descending; resources that sort check them.
    sort: tuple[str, ...] = ()

    def get(self, name: str) -> tuple[Occurrence, ...]:
        return self.occurrences.get(name, ())

    def link_params(self, offset: int | None = None) -> list[tuple[str, str]]:
        """Query pairs reproducing this search (for Bundle links), at ``offset``."""
        pairs = [
            (name if occ.modifier is None else f"{name}:{occ.modifier}", ",".join(occ.values))
            for name, occs in self.occurrences.items()
            for occ in occs
        ]
        if self.sort:
            pairs.append(("_sort", ",".join(self.sort)))
        pairs.append(("_count", str(self.count)))
        pairs.append(("_offset", str(self.offset if offset is None else offset)))
        return pairs


def parse_search(items: Iterable[tuple[str, str]], supported: Sequence[SearchParam]) -> SearchQuery:
    """Validate query pairs against ``supported`` parameters of one resource type."""
    by_name = {param.name: param for param in supported}
    occurrences: dict[str, list[Occurrence]] = {}
    count, offset = DEFAULT_COUNT, 0
    sort: tuple[str, ...] = ()
    for key, raw in items:
        name, _, modifier = key.partition(":")
        if name == "_sort":
            if _CONTROL_CHARS.search(raw):
                raise InvalidSearch("'_sort' contains control characters")
            sort = tuple(part.strip() for part in raw.split(",") if part.strip())
            continue
        if name == "_count":
            count = min(_non_negative_int(key, raw), MAX_COUNT)
            continue
        if name == "_offset":
            offset = _non_negative_int(key, raw)
            if offset > MAX_OFFSET:
                raise InvalidSearch(f"'_offset' must be at most {MAX_OFFSET}")
            continue
        param = by_name.get(name)
        if param is None:
            if name not in _SILENTLY_IGNORED:
                logger.warning("ignoring unsupported search parameter %r", key)
            continue
        if _CONTROL_CHARS.search(raw):
            raise InvalidSearch(f"'{key}' contains control characters")
        if modifier and modifier not in param.modifiers:
            raise InvalidSearch(f"modifier ':{modifier}' is not supported on '{name}'")
        values = tuple(value.replace("\\,", ",").strip() for value in _UNESCAPED_COMMA.split(raw))
        values = tuple(value for value in values if value)
        if not values:
            # FHIR: parameters with empty values are ignored.
            continue
        occurrences.setdefault(name, []).append(Occurrence(modifier or None, values))
    return SearchQuery(
        {name: tuple(occs) for name, occs in occurrences.items()},
        count=count,
        offset=offset,
        sort=sort,
    )


def _non_negative_int(name: str, raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise InvalidSearch(f"'{name}' must be an integer, got {raw!r}") from None
    if value < 0:
        raise InvalidSearch(f"'{name}' must not be negative")
    return value
