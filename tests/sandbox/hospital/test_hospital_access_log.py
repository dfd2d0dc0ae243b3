"""Identity document and phone numbers never reach the sandbox's access log."""

from __future__ import annotations

import logging

import pytest

from sandbox.hospital.access_log import AccessLogMasking, mask_query


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (
            "/fhir/Patient?identifier=urn%3Afrontdoor%3Aresident-id%7C11010519491231002X",
            "/fhir/Patient?identifier=%2A%2A%2A",
        ),
        ("/fhir/Patient?identifier:exact=H12345678&_count=5", None),
        ("/fhir/Slot?start=ge2026-11-24&_count=5", "/fhir/Slot?start=ge2026-11-24&_count=5"),
        ("/fhir/Appointment?note=13800138000", None),
        ("/healthz", "/healthz"),
    ],
)
def test_mask_query(path: str, expected: str | None) -> None:
    masked = mask_query(path)
    if expected is not None:
        assert masked == expected
    for secret in ("11010519491231002X", "H12345678", "13800138000"):
        assert secret not in masked


def test_filter_rewrites_uvicorn_access_records() -> None:
    path = "/fhir/Patient?identifier=urn:frontdoor:passport|E12345678"
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", path, "1.1", 200),
        None,
    )
    assert AccessLogMasking().filter(record)
    message = record.getMessage()
    assert "E12345678" not in message
    assert message.startswith('127.0.0.1:5000 - "GET /fhir/Patient?identifier=')
