"""Masking of personal identifiers before they reach a log (PIPL: health data is sensitive).

Chinese resident ID numbers (18 characters), mainland mobile numbers and WeChat OpenIDs are
masked so logs stay useful for tracing without exposing who a person is.
"""

from __future__ import annotations

import logging
import re

_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(\d{6})\d{8}(\d{3}[0-9Xx])(?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?(1[3-9]\d)\d{4}(\d{4})(?!\d)")


def mask_pii(text: str) -> str:
    """Mask resident ID numbers and mobile numbers anywhere in `text`."""
    text = _ID_NUMBER.sub(r"\1********\2", text)
    return _MOBILE.sub(r"\1****\2", text)


def mask_openid(openid: str) -> str:
    """Keep just enough of an OpenID to correlate log lines of one conversation."""
    if len(openid) <= 8:
        return "*" * len(openid)
    return f"{openid[:4]}…{openid[-4:]}"


class PIIMaskingFilter(logging.Filter):
    """A logging filter that masks ID and phone numbers in every formatted record."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_pii(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


def install_pii_masking() -> None:
    """Attach the masking filter to every handler of the root logger."""
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, PIIMaskingFilter) for f in handler.filters):
            handler.addFilter(PIIMaskingFilter())
