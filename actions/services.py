"""Outside-service clients used by actions, created on first use (never at import time).

rasa_sdk instantiates actions without arguments, so clients are provided here; tests install
their own with `use_his_client`.
"""

from __future__ import annotations

from actions.settings import get_settings
from integrations.his import HISClient

_his_client: HISClient | None = None


def his_client() -> HISClient:
    global _his_client
    if _his_client is None:
        settings = get_settings()
        _his_client = HISClient(settings.his_base_url, timeout=settings.his_timeout_seconds)
    return _his_client


def use_his_client(client: HISClient | None) -> None:
    """Replace the HIS client (tests point it at the sandbox hospital app in-process)."""
    global _his_client
    _his_client = client
