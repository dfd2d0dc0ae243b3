"""Run the gateway: `python -m integrations.wechat` (host and port from GATEWAY_HOST/PORT)."""

from __future__ import annotations

import logging

import uvicorn

from common.privacy import install_pii_masking
from integrations.wechat.app import create_app
from integrations.wechat.settings import get_settings


def main() -> None:
    settings = get_settings()
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    install_pii_masking()
    uvicorn.run(
        create_app(settings),
        host=settings.gateway_host,
        port=settings.gateway_port,
        log_level="info",
        access_log=False,  # access logs would carry OpenIDs in query strings
    )


if __name__ == "__main__":
    main()
