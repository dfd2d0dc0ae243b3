"""``python -m sandbox.hospital``: migrate, seed for today, serve the FHIR API with uvicorn."""

from __future__ import annotations

import logging
from datetime import datetime

import uvicorn

from sandbox.hospital.access_log import AccessLogMasking
from sandbox.hospital.app import FHIR_PREFIX, create_app
from sandbox.hospital.db import make_engine, make_session_factory
from sandbox.hospital.migrate import migrate
from sandbox.hospital.seed import seed
from sandbox.hospital.settings import HOSPITAL_TZ, HospitalSettings

logger = logging.getLogger("sandbox.hospital")


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    settings = HospitalSettings()
    migrate(settings.database_url)
    engine = make_engine(settings.database_url)
    try:
        with make_session_factory(engine).begin() as session:
            seed(session, datetime.now(HOSPITAL_TZ).date())
    finally:
        engine.dispose()
    logger.info(
        "sandbox hospital FHIR API listening on http://%s:%d%s",
        settings.host,
        settings.port,
        FHIR_PREFIX,
    )
    config = uvicorn.Config(
        create_app(settings), host=settings.host, port=settings.port, log_level="info"
    )
    # After uvicorn.Config has configured logging, or its dictConfig would replace the filter.
    logging.getLogger("uvicorn.access").addFilter(AccessLogMasking())
    uvicorn.Server(config).run()


if __name__ == "__main__":
    main()
