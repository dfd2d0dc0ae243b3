"""Turn parsed search occurrences into SQLAlchemy boolean conditions, per parameter type."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, SQLColumnExpression, and_, false, not_, or_, true
from sqlalchemy.orm import InstrumentedAttribute

from sandbox.hospital.search.dates import parse_date_filter
from sandbox.hospital.search.params import InvalidSearch, Occurrence

StringColumn = SQLColumnExpression[str] | SQLColumnExpression[str | None]
# code -> condition; keyed by code system in token_condition.
CodeMatcher = Callable[[str], ColumnElement[bool]]

_TYPE_RE = re.compile(r"^[A-Z][A-Za-z]+$")
_ID_RE = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")


def string_condition(
    columns: Sequence[StringColumn], occ: Occurrence, default: str = "starts-with"
) -> ColumnElement[bool]:
    """FHIR string match: case-insensitive starts-with; ``:contains`` and ``:exact`` modifiers.

    ``default="contains"`` serves parameters documented as substring matches (``address``).
    """
    mode = occ.modifier or default
    clauses: list[ColumnElement[bool]] = []
    for value in occ.values:
        for column in columns:
            if mode == "contains":
                clauses.append(column.icontains(value, autoescape=True))
            elif mode == "exact":
                clauses.append(column == value)
            else:
                clauses.append(column.istartswith(value, autoescape=True))
    return or_(*clauses)


def token_condition(occ: Occurrence, systems: Mapping[str, CodeMatcher]) -> ColumnElement[bool]:
    """Token match of ``code``, ``system|code`` or ``system|`` against known code systems."""
    clauses: list[ColumnElement[bool]] = []
    for value in occ.values:
        if "|" not in value:
            clauses.extend(matcher(value) for matcher in systems.values())
            continue
        system, code = value.split("|", 1)
        matcher = systems.get(system)
        if matcher is None:
            # Unknown system or "|code" (no system): nothing here is coded that way.
            clauses.append(false())
        else:
            clauses.append(matcher(code) if code else true())
    return or_(*clauses)


def id_condition(column: InstrumentedAttribute[str], occ: Occurrence) -> ColumnElement[bool]:
    return column.in_(occ.values)


@dataclass(frozen=True)
class Reference:
    """A parsed reference search value; ``type`` is None for a bare id."""

    type: str | None
    id: str


def parse_references(occ: Occurrence, allowed_types: Collection[str]) -> list[Reference]:
    """Parse ``Type/id``, absolute URLs ending in ``Type/id``, or bare ids."""
    references = []
    for value in occ.values:
        parts = value.rstrip("/").split("/")
        ref_type = parts[-2] if len(parts) >= 2 else None
        ref_id = parts[-1]
        if not _ID_RE.match(ref_id) or (ref_type is not None and not _TYPE_RE.match(ref_type)):
            raise InvalidSearch(f"not a reference: {value!r}")
        if ref_type is not None and ref_type not in allowed_types:
            expected = " or ".join(sorted(allowed_types))
            raise InvalidSearch(f"reference {value!r} must point to {expected}")
        references.append(Reference(ref_type, ref_id))
    return references


def reference_condition(
    column: InstrumentedAttribute[str] | InstrumentedAttribute[str | None],
    occ: Occurrence,
    resource_type: str,
) -> ColumnElement[bool]:
    ids = [ref.id for ref in parse_references(occ, {resource_type})]
    return column.in_(ids)


def date_condition(column: InstrumentedAttribute[datetime], occ: Occurrence) -> ColumnElement[bool]:
    """Date search on an instant column (e.g. Slot.start), per FHIR prefix semantics."""
    clauses: list[ColumnElement[bool]] = []
    for value in occ.values:
        flt = parse_date_filter(value)
        lower, upper = flt.range.lower, flt.range.upper
        within = and_(column >= lower, column < upper)
        clauses.append(
            {
                "eq": within,
                "ne": not_(within),
                "ge": column >= lower,
                "gt": column >= upper,
                "sa": column >= upper,
                "le": column < upper,
                "lt": column < lower,
                "eb": column < lower,
            }[flt.prefix]
        )
    return or_(*clauses)
