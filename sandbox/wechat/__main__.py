"""``python -m sandbox.wechat``: serve the WeChat API stand-in (see `api_server`) with uvicorn.

WECHAT_APP_ID / WECHAT_APP_SECRET as for the gateway (empty secret: the development secret),
WECHAT_API_PORT (default 8082, the gateway's default WECHAT_API_BASE_URL).
"""

from __future__ import annotations

import logging

import uvicorn

from sandbox.wechat.api_server import StandInSettings, create_app

logger = logging.getLogger("sandbox.wechat")


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    settings = StandInSettings()
    logger.info(
        "WeChat API stand-in for %s listening on http://%s:%d (control: /sandbox/control)",
        settings.wechat_app_id,
        "127.0.0.1",
        settings.wechat_api_port,
    )
    uvicorn.run(
        create_app(settings.wechat_app_id, settings.wechat_app_secret),
        host="127.0.0.1",
        port=settings.wechat_api_port,
        log_level="info",
    )


if __name__ == "__main__":
    main()
