"""``python -m sandbox.sms``: serve the SMS gateway stand-in (see `app`) with uvicorn.

SMS_API_KEY as for the client (default ``sandbox-sms-key``), SMS_PORT (default 8083); it listens
on 127.0.0.1 only. Messages it "sent": GET /sandbox/messages?phone=%2B8613812345678.
"""

from __future__ import annotations

import logging

import uvicorn

from sandbox.sms.app import StandInSettings, create_app

logger = logging.getLogger("sandbox.sms")


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    settings = StandInSettings()
    logger.info(
        "SMS gateway stand-in listening on http://127.0.0.1:%d (messages: /sandbox/messages)",
        settings.sms_port,
    )
    uvicorn.run(
        create_app(settings.sms_api_key),
        host="127.0.0.1",
        port=settings.sms_port,
        log_level="info",
        access_log=False,  # /sandbox/messages?phone=… would put phone numbers in the log
    )


if __name__ == "__main__":
    main()
