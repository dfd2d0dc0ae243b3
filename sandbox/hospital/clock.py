"""The sandbox hospital's notion of "now", injectable so booking rules are testable on any date.

The app keeps one :class:`SandboxClock` in ``app.state.clock``; it follows the system clock
until a test, the benchmark or ``/sandbox/clock`` pins it to a fixed instant.
"""

from __future__ import annotations

from datetime import datetime

from sandbox.hospital.settings import HOSPITAL_TZ


class SandboxClock:
    """System time in hospital time (+08:00), or a pinned instant."""

    def __init__(self, fixed: datetime | None = None) -> None:
        self._fixed: datetime | None = None
        self.set(fixed)

    @property
    def fixed(self) -> datetime | None:
        """The pinned instant, or None while following the system clock."""
        return self._fixed

    def set(self, fixed: datetime | None) -> None:
        """Pin the clock to ``fixed`` (aware), or follow the system clock again with None."""
        if fixed is not None and fixed.utcoffset() is None:
            raise ValueError("the sandbox clock needs an aware datetime")
        self._fixed = fixed.astimezone(HOSPITAL_TZ) if fixed is not None else None

    def now(self) -> datetime:
        return self._fixed if self._fixed is not None else datetime.now(HOSPITAL_TZ)
