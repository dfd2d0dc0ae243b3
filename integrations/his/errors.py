"""Errors raised by the HIS client, so callers never see HTTP or FHIR details."""


class HISError(Exception):
    """The HIS answered, but not with what the contract promises."""


class HISUnavailable(HISError):
    """The HIS could not be reached or kept failing (timeouts, 5xx) after retries."""


class HISNotFound(HISError):
    """The requested resource does not exist in the HIS."""
