"""Pure parsing of FHIR search parameters and date values."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from sandbox.hospital.search.dates import parse_date_filter
from sandbox.hospital.search.params import (
    ID_PARAM,
    MAX_COUNT,
    InvalidSearch,
    Occurrence,
    parse_search,
    string_param,
)

CST = timezone(timedelta(hours=8))
PARAMS = (ID_PARAM, string_param("name", "name"))


def test_occurrences_and_paging() -> None:
    query = parse_search(
        [("name", "荔枝,西关"), ("name:contains", "医院"), ("_count", "10"), ("_offset", "20")],
        PARAMS,
    )
    assert query.get("name") == (
        Occurrence(None, ("荔枝", "西关")),
        Occurrence("contains", ("医院",)),
    )
    assert (query.count, query.offset) == (10, 20)


def test_unknown_and_empty_params_are_ignored() -> None:
    query = parse_search([("colour", "red"), ("name", ""), ("_format", "json")], PARAMS)
    assert query.occurrences == {}
    assert (query.count, query.offset) == (50, 0)


def test_count_is_capped() -> None:
    assert parse_search([("_count", "100000")], PARAMS).count == MAX_COUNT


@pytest.mark.parametrize(
    "pair",
    [
        ("_count", "ten"),
        ("_count", "-1"),
        ("_offset", "1.5"),
        ("_offset", "99999999999999999999"),
        ("name:fuzzy", "x"),
        ("name", "a\x00b"),
    ],
)
def test_malformed_values_are_rejected(pair: tuple[str, str]) -> None:
    with pytest.raises(InvalidSearch):
        parse_search([pair], PARAMS)


def test_escaped_comma_is_part_of_the_value() -> None:
    query = parse_search([("name", r"a\,b,c")], PARAMS)
    assert query.get("name")[0].values == ("a,b", "c")


@pytest.mark.parametrize(
    ("raw", "prefix", "lower", "upper"),
    [
        (
            "2026-11-24",
            "eq",
            datetime(2026, 11, 24, tzinfo=CST),
            datetime(2026, 11, 25, tzinfo=CST),
        ),
        ("ge2026-11", "ge", datetime(2026, 11, 1, tzinfo=CST), datetime(2026, 12, 1, tzinfo=CST)),
        ("lt2026", "lt", datetime(2026, 1, 1, tzinfo=CST), datetime(2027, 1, 1, tzinfo=CST)),
        ("gt2026-12", "gt", datetime(2026, 12, 1, tzinfo=CST), datetime(2027, 1, 1, tzinfo=CST)),
        (
            "le2026-11-24T08:30",
            "le",
            datetime(2026, 11, 24, 8, 30, tzinfo=CST),
            datetime(2026, 11, 24, 8, 31, tzinfo=CST),
        ),
        (
            "ge2026-11-24T00:00:00Z",
            "ge",
            datetime(2026, 11, 24, tzinfo=UTC),
            datetime(2026, 11, 24, 0, 0, 1, tzinfo=UTC),
        ),
        (
            # an unencoded "+" arrives as a space
            "ge2026-11-24T08:00:00 08:00",
            "ge",
            datetime(2026, 11, 24, 8, tzinfo=CST),
            datetime(2026, 11, 24, 8, 0, 1, tzinfo=CST),
        ),
    ],
)
def test_date_filters(raw: str, prefix: str, lower: datetime, upper: datetime) -> None:
    parsed = parse_date_filter(raw)
    assert parsed.prefix == prefix
    assert (parsed.range.lower, parsed.range.upper) == (lower, upper)


@pytest.mark.parametrize(
    "raw", ["tomorrow", "2026-13-01", "ge2026-02-30", "2026-11-24T25:00", "2026-11-24T08:00+99:00"]
)
def test_bad_dates_are_rejected(raw: str) -> None:
    with pytest.raises(InvalidSearch):
        parse_date_filter(raw)
