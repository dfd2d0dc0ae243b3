"""Keep identity document numbers out of the access log (PIPL; see ``common/privacy.py``).

``GET /fhir/Patient?identifier=<system>|<number>`` carries the number in the URL, which uvicorn
logs; this filter replaces the values of such parameters before the line is written.
"""

from __future__ import annotations

import logging
from urllib.parse import parse_qsl, urlencode

from common.privacy import mask_pii

SENSITIVE_PARAMS = frozenset({"identifier", "telecom", "phone"})
_MASK = "***"


def mask_query(path: str) -> str:
    """``/fhir/Patient?identifier=s|123`` → ``/fhir/Patient?identifier=%2A%2A%2A``."""
    route, separator, query = path.partition("?")
    if not separator:
        return path
    pairs = [
        (key, _MASK if key.partition(":")[0] in SENSITIVE_PARAMS else mask_pii(value))
        for key, value in parse_qsl(query, keep_blank_values=True)
    ]
    return f"{route}?{urlencode(pairs)}"


class AccessLogMasking(logging.Filter):
    """For uvicorn's access logger, whose records carry the path as the third argument."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], mask_query(args[2]), *args[3:])
        return True
